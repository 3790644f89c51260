// PDF digital signatures: a PAdES-style (ETSI.CAdES.detached) CMS signature over the whole
// document, made with the instance's PDF signing certificate, so that poppler's pdfsig, Acrobat
// and any PDF reader report whether the file was changed after Confidant produced it.
//
// pdf-lib lays the signature placeholder (@signpdf/placeholder-pdf-lib), @signpdf/signpdf fills
// in the byte range, and the CMS SignedData is built with pkijs (never hand-written DER): signed
// attributes content-type, message-digest and ESS signing-certificate-v2, as PAdES baseline B-B
// asks; the claimed signing time is the signature dictionary's /M entry.
import { createHash } from "node:crypto";
import { PDFDocument } from "pdf-lib";
import { pdflibAddPlaceholder } from "@signpdf/placeholder-pdf-lib";
import signpdfModule from "@signpdf/signpdf";
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from "@signpdf/utils";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { arrayBuffer, cryptoEngine, type PdfSigningCertificate } from "../keys/pdf-certificate.server";

const OID_DATA = "1.2.840.113549.1.7.1";
const OID_CONTENT_TYPE = "1.2.840.113549.1.9.3";
const OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
const OID_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47";

/** Room for the CMS (certificate + signature) in the placeholder, in bytes. */
const SIGNATURE_LENGTH = 8192;

function sha256(data: Uint8Array): Buffer {
  return createHash("sha256").update(data).digest();
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** ESS SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } with SHA-256 (the default algorithm). */
function signingCertificateV2(cert: pkijs.Certificate, certDer: Uint8Array): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new pkijs.GeneralName({ type: 4, value: cert.issuer }).toSchema()] }),
      cert.serialNumber,
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: arrayBuffer(sha256(certDer)) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/** A detached CMS SignedData over `content`, DER. */
export async function cmsDetachedSignature(signing: PdfSigningCertificate, content: Uint8Array): Promise<Buffer> {
  const engine = cryptoEngine();
  const cert = pkijs.Certificate.fromBER(arrayBuffer(signing.certificateDer));
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            attribute(OID_CONTENT_TYPE, new asn1js.ObjectIdentifier({ value: OID_DATA })),
            attribute(OID_MESSAGE_DIGEST, new asn1js.OctetString({ valueHex: arrayBuffer(sha256(content)) })),
            attribute(OID_SIGNING_CERTIFICATE_V2, signingCertificateV2(cert, signing.certificateDer)),
          ],
        }),
      }),
    ],
    certificates: [cert],
  });
  const privateKey = await engine.importKey("pkcs8", arrayBuffer(signing.privateKeyDer), { name: "ECDSA", namedCurve: "P-256" } as Algorithm, false, ["sign"]);
  await signedData.sign(privateKey, 0, "SHA-256", undefined, engine);
  const info = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signedData.toSchema(true) });
  return Buffer.from(info.toSchema().toBER(false));
}

class CmsSigner extends Signer {
  constructor(private readonly signing: PdfSigningCertificate) {
    super();
  }
  async sign(pdfBuffer: Buffer): Promise<Buffer> {
    return cmsDetachedSignature(this.signing, pdfBuffer);
  }
}

export interface PdfSignatureInfo {
  /** Shown by PDF readers as the signer's reason and contact. */
  reason: string;
  contactInfo: string;
  location: string;
  /** The claimed signing time (/M); the pack's production time. */
  signingTime: Date;
}

/** Signs a finished PDF: adds the signature field and fills it with a CMS signature over every other byte. */
export async function signPdf(pdf: Uint8Array, signing: PdfSigningCertificate, info: PdfSignatureInfo): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: info.reason,
    contactInfo: info.contactInfo,
    name: signing.subjectName,
    location: info.location,
    signingTime: info.signingTime,
    signatureLength: SIGNATURE_LENGTH,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: "Confidant",
  });
  const prepared = await doc.save({ useObjectStreams: false });
  const signpdf = (signpdfModule as unknown as { default?: typeof signpdfModule }).default ?? signpdfModule;
  const signed = await signpdf.sign(Buffer.from(prepared), new CmsSigner(signing));
  return new Uint8Array(signed);
}
