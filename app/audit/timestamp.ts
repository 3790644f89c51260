// RFC 3161 trusted timestamps for checkpoints, built and checked with PKI.js / asn1js (never
// hand-written DER). The imprint is SHA-256 of the checkpoint's signed note, byte for byte.
// Pure: no database, no files, no network — the HTTP call to the TSA is in tsa.server.ts.
import { createHash, randomBytes } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

const SHA256_OID = "2.16.840.1.101.3.4.2.1";
const TIMESTAMPING_EKU = "1.3.6.1.5.5.7.3.8";
const EXT_KEY_USAGE = "2.5.29.37";

function bytesOf(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

function arrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** A DER TimeStampReq for SHA-256(data), asking for the TSA's certificate, with a random nonce. */
export function timestampRequest(data: Uint8Array | string): { der: Uint8Array; nonce: string } {
  const digest = createHash("sha256").update(bytesOf(data)).digest();
  const nonce = randomBytes(8);
  nonce[0] &= 0x7f; // a positive INTEGER
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID }),
      hashedMessage: new asn1js.OctetString({ valueHex: arrayBuffer(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: arrayBuffer(nonce) }),
    certReq: true,
  });
  return { der: new Uint8Array(req.toSchema().toBER(false)), nonce: nonce.toString("hex") };
}

export type ParsedResponse = { ok: true; token: Uint8Array; genTime: Date } | { ok: false; problem: string };

/** Reads a TSA's answer: granted, with a token whose nonce is ours. Garbage gives a reason, never a throw. */
export function parseTimestampResponse(der: Uint8Array, expectNonce?: string): ParsedResponse {
  try {
    const resp = pkijs.TimeStampResp.fromBER(arrayBuffer(der));
    const status = resp.status.status;
    if (status !== 0 && status !== 1) {
      const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join("; ");
      return { ok: false, problem: `the TSA refused the request (status ${status}${text ? `: ${text}` : ""})` };
    }
    if (!resp.timeStampToken) return { ok: false, problem: "the TSA granted the request but sent no token" };
    const info = tstInfoOf(resp.timeStampToken);
    if (expectNonce && (!info.nonce || Buffer.from(info.nonce.valueBlock.valueHexView).toString("hex").replace(/^00/, "") !== expectNonce.replace(/^00/, ""))) {
      return { ok: false, problem: "the TSA's token answers another request (nonce differs)" };
    }
    return { ok: true, token: new Uint8Array(resp.timeStampToken.toSchema().toBER(false)), genTime: info.genTime };
  } catch (e) {
    return { ok: false, problem: `the TSA's answer is not an RFC 3161 response (${e instanceof Error ? e.message : String(e)})` };
  }
}

function tstInfoOf(token: pkijs.ContentInfo): pkijs.TSTInfo {
  const signed = new pkijs.SignedData({ schema: token.content });
  const content = signed.encapContentInfo.eContent;
  if (signed.encapContentInfo.eContentType !== pkijs.id_eContentType_TSTInfo || !content) throw new Error("the token holds no TSTInfo");
  return pkijs.TSTInfo.fromBER(content.getValue());
}

/** Certificates from PEM text (one or more CERTIFICATE blocks). */
export function certificatesFromPem(pem: string): pkijs.Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => {
    const der = Buffer.from(b.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ""), "base64");
    return pkijs.Certificate.fromBER(arrayBuffer(new Uint8Array(der)));
  });
}

export type TimestampCheck =
  | { ok: true; genTime: Date; tsa: string }
  /** `unchecked`: the token could not be judged (no trust anchor, unreadable anchor); otherwise it is bad. */
  | { ok: false; problem: string; unchecked?: boolean };

/**
 * Checks a timestamp token (DER ContentInfo, bytes or base64) for `data`: the CMS signature, the
 * imprint (SHA-256 of data), the TSA certificate's chain to one of `trustAnchorsPem`, and that the
 * signing certificate is for timestamping only (critical extendedKeyUsage timeStamping).
 */
export async function verifyTimestampToken(p: { token: Uint8Array | string; data: Uint8Array | string; trustAnchorsPem: string | null }): Promise<TimestampCheck> {
  let anchors: pkijs.Certificate[] = [];
  if (p.trustAnchorsPem) {
    try {
      anchors = certificatesFromPem(p.trustAnchorsPem);
    } catch {
      return { ok: false, problem: "the TSA trust anchor is not a PEM certificate", unchecked: true };
    }
  }
  if (anchors.length === 0) return { ok: false, problem: "no TSA trust anchor is configured (TSA_CA_FILE)", unchecked: true };
  let signed: pkijs.SignedData;
  let info: pkijs.TSTInfo;
  try {
    const der = typeof p.token === "string" ? new Uint8Array(Buffer.from(p.token, "base64")) : p.token;
    const content = pkijs.ContentInfo.fromBER(arrayBuffer(der));
    if (content.contentType !== pkijs.id_ContentType_SignedData) return { ok: false, problem: "the timestamp token is not CMS signed data" };
    signed = new pkijs.SignedData({ schema: content.content });
    info = tstInfoOf(content);
  } catch (e) {
    return { ok: false, problem: `the timestamp token is unreadable (${e instanceof Error ? e.message : String(e)})` };
  }
  const data = bytesOf(p.data);
  const digest = createHash("sha256").update(data).digest();
  if (info.messageImprint.hashAlgorithm.algorithmId !== SHA256_OID || !digest.equals(Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView))) {
    return { ok: false, problem: "the timestamp token is for other data (imprint differs)" };
  }
  try {
    const result = await signed.verify({ signer: 0, data: arrayBuffer(data), trustedCerts: anchors, checkChain: true, extendedMode: true });
    if (!result.signatureVerified) return { ok: false, problem: `the timestamp token's signature does not verify${result.message ? ` (${result.message})` : ""}` };
    const cert = result.signerCertificate;
    if (!cert || !isTimestampingOnly(cert)) return { ok: false, problem: "the timestamp token is signed by a certificate that is not a TSA certificate (extendedKeyUsage timeStamping, critical)" };
    return { ok: true, genTime: info.genTime, tsa: subjectOf(cert) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, problem: `the timestamp token does not verify against the TSA trust anchor (${message})` };
  }
}

function isTimestampingOnly(cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((x) => x.extnID === EXT_KEY_USAGE);
  if (!ext || !ext.critical) return false;
  const eku = ext.parsedValue as pkijs.ExtKeyUsage | undefined;
  return Boolean(eku?.keyPurposes?.length === 1 && eku.keyPurposes[0] === TIMESTAMPING_EKU);
}

function subjectOf(cert: pkijs.Certificate): string {
  return cert.subject.typesAndValues.map((tv) => `${tv.type === "2.5.4.3" ? "CN" : tv.type === "2.5.4.10" ? "O" : tv.type}=${tv.value.valueBlock.value}`).join(", ");
}
