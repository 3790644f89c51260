// The certificate Confidant signs its PDFs with. PDF readers check CMS signatures against an
// X.509 certificate, and poppler's pdfsig (NSS) does not check Ed25519 CMS signatures, so PDFs
// are signed with an ECDSA P-256 key of their own. Created on first use into DATA_DIR as a
// self-signed certificate for the instance (built with pkijs), or given by
// PDF_SIGNING_KEY_FILE + PDF_SIGNING_CERT_FILE (e.g. a certificate issued by the company's CA).
// The well-known key document ties this certificate to the instance key: the instance key signs
// the certificate's SHA-256.
import fs from "node:fs";
import path from "node:path";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, webcrypto } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

export interface PdfSigningCertificate {
  privateKeyDer: Uint8Array;
  certificateDer: Uint8Array;
  certificatePem: string;
  /** Hex SHA-256 of the certificate's DER. */
  sha256: string;
  /** The certificate's subject common name. */
  subjectName: string;
}

export interface PdfCertificateSource {
  dataDir: string;
  keyFile?: string | null;
  certFile?: string | null;
  /** Named in a generated certificate's subject. */
  origin: string;
}

export const PDF_SIGNING_FILE = "pdf-signing.pem";
const VALID_YEARS = 20;

const pemBlock = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;

function pemBlocks(text: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, "g");
  return [...text.matchAll(re)].map((m) => Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
}

/** A copy of the bytes as the plain ArrayBuffer WebCrypto and asn1js take. */
export function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

const P256 = { name: "ECDSA", namedCurve: "P-256" } as Algorithm;

/** pkijs on Node's WebCrypto, passed explicitly so no global engine is set. */
export function cryptoEngine(): pkijs.CryptoEngine {
  return new pkijs.CryptoEngine({ name: "node", crypto: webcrypto as unknown as Crypto });
}

const cache = new Map<string, Promise<PdfSigningCertificate>>();

/** The PDF signing key and certificate (cached per source). */
export function loadPdfSigningCertificate(source: PdfCertificateSource): Promise<PdfSigningCertificate> {
  const key = JSON.stringify([path.resolve(source.dataDir), source.keyFile ?? null, source.certFile ?? null]);
  let found = cache.get(key);
  if (!found) {
    found = readOrCreate(source);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

async function readOrCreate(source: PdfCertificateSource): Promise<PdfSigningCertificate> {
  if (source.keyFile || source.certFile) {
    if (!source.keyFile || !source.certFile) throw new Error("Give both PDF_SIGNING_KEY_FILE and PDF_SIGNING_CERT_FILE, or neither.");
    return fromPem(fs.readFileSync(source.keyFile, "utf8"), fs.readFileSync(source.certFile, "utf8"));
  }
  const file = path.resolve(source.dataDir, PDF_SIGNING_FILE);
  try {
    const text = fs.readFileSync(file, "utf8");
    return fromPem(text, text);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const generated = await generateSelfSigned(source.origin, new Date());
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, `${pemBlock("PRIVATE KEY", generated.privateKeyDer)}${generated.certificatePem}`, { mode: 0o600, flag: "wx" });
    return generated;
  } catch {
    // Another process made one first: use theirs.
    const text = fs.readFileSync(file, "utf8");
    return fromPem(text, text);
  }
}

function fromPem(keyPem: string, certPem: string): PdfSigningCertificate {
  let privateKey;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch {
    throw new Error("The PDF signing key is not a PEM private key.");
  }
  const details = privateKey.asymmetricKeyDetails;
  if (privateKey.asymmetricKeyType !== "ec" || details?.namedCurve !== "prime256v1") {
    throw new Error(`The PDF signing key must be ECDSA P-256, not ${privateKey.asymmetricKeyType}${details?.namedCurve ? ` ${details.namedCurve}` : ""}.`);
  }
  const [certificateDer] = pemBlocks(certPem, "CERTIFICATE");
  if (!certificateDer) throw new Error("The PDF signing certificate is not a PEM certificate.");
  const cert = pkijs.Certificate.fromBER(arrayBuffer(certificateDer));
  const spki = Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  if (!spki.equals(createPublicKey(privateKey).export({ type: "spki", format: "der" }))) {
    throw new Error("The PDF signing certificate is not for the PDF signing key.");
  }
  return {
    privateKeyDer: new Uint8Array(privateKey.export({ type: "pkcs8", format: "der" })),
    certificateDer: new Uint8Array(certificateDer),
    certificatePem: pemBlock("CERTIFICATE", certificateDer),
    sha256: createHash("sha256").update(certificateDer).digest("hex"),
    subjectName: commonName(cert) ?? "Confidant",
  };
}

function commonName(cert: pkijs.Certificate): string | null {
  const cn = cert.subject.typesAndValues.find((t) => t.type === "2.5.4.3");
  return cn ? String(cn.value.valueBlock.value) : null;
}

function name(commonNameValue: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({ type: "2.5.4.10", value: new asn1js.Utf8String({ value: "Confidant" }) }),
      new pkijs.AttributeTypeAndValue({ type: "2.5.4.3", value: new asn1js.Utf8String({ value: commonNameValue }) }),
    ],
  });
}

/** A self-signed ECDSA P-256 certificate for signing documents, valid from `now` for 20 years. */
export async function generateSelfSigned(origin: string, now: Date): Promise<PdfSigningCertificate> {
  const engine = cryptoEngine();
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const privateKeyDer = new Uint8Array(privateKey.export({ type: "pkcs8", format: "der" }));
  const spkiDer = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const host = origin.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
  const subject = `Confidant evidence signing (${host})`.slice(0, 64);

  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  cert.issuer = name(subject);
  cert.subject = name(subject);
  cert.notBefore.value = new Date(now.getTime() - 60_000);
  cert.notAfter.value = new Date(Date.UTC(now.getUTCFullYear() + VALID_YEARS, now.getUTCMonth(), now.getUTCDate()));
  const keyUsage = new asn1js.BitString({ valueHex: new Uint8Array([0xc0]).buffer, unusedBits: 6 }); // digitalSignature, nonRepudiation
  cert.extensions = [
    new pkijs.Extension({ extnID: "2.5.29.19", critical: true, extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: "2.5.29.15", critical: true, extnValue: keyUsage.toBER(false) }),
  ];
  const signingKey = await engine.importKey("pkcs8", arrayBuffer(privateKeyDer), P256, false, ["sign"]);
  const verifyKey = await engine.importKey("spki", arrayBuffer(spkiDer), P256, true, ["verify"]);
  await cert.subjectPublicKeyInfo.importKey(verifyKey, engine);
  await cert.sign(signingKey, "SHA-256", engine);
  const certificateDer = new Uint8Array(cert.toSchema(true).toBER(false));
  return {
    privateKeyDer,
    certificateDer,
    certificatePem: pemBlock("CERTIFICATE", certificateDer),
    sha256: createHash("sha256").update(certificateDer).digest("hex"),
    subjectName: subject,
  };
}
