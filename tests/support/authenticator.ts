// A software passkey for tests that run without a browser: an ES256 key pair that answers
// WebAuthn registration and authentication challenges the way an authenticator does (attestation
// "none", user present and verified). The browser suites use Chromium's virtual authenticator.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { Db } from "../../db/connection";
import type { Clock } from "../../app/clock";
import { passkeyRegistrationOptions, registerPasskey } from "../../app/auth/passkeys.server";

const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");
const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest();

// Just enough CBOR (RFC 8949) for an attestation object and a COSE key.
function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
}
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;
function cbor(v: Cbor): Buffer {
  if (typeof v === "number") return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === "string") return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
  if (v instanceof Map) return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
  return Buffer.concat([head(2, v.length), Buffer.from(v)]);
}

export interface SoftPasskey {
  credentialId: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

/** Answers `navigator.credentials.create()` for the registration options the server sent. */
export function createPasskey(options: { challenge: string; rp: { id?: string }; user: { id: string } }, origin: string): { passkey: SoftPasskey; response: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const id = randomBytes(16);
  const cose = cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, "base64url")], [-3, Buffer.from(jwk.y!, "base64url")]]));
  const rpId = options.rp.id ?? new URL(origin).hostname;
  const authData = Buffer.concat([sha256(rpId), Buffer.from([0x45]), Buffer.alloc(4), Buffer.alloc(16), Buffer.from([0, id.length]), id, cose]);
  const clientData = Buffer.from(JSON.stringify({ type: "webauthn.create", challenge: options.challenge, origin, crossOrigin: false }));
  const attestationObject = cbor(new Map<Cbor, Cbor>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]));
  const response = {
    id: b64url(id),
    rawId: b64url(id),
    type: "public-key",
    response: { clientDataJSON: b64url(clientData), attestationObject: b64url(attestationObject), transports: ["internal"] },
    clientExtensionResults: {},
    authenticatorAttachment: "platform",
  };
  return { passkey: { credentialId: b64url(id), userHandle: options.user.id, privateKey, counter: 0 }, response: JSON.stringify(response) };
}

/** Answers `navigator.credentials.get()`: signs the challenge with this passkey. */
export function usePasskey(passkey: SoftPasskey, options: { challenge: string; rpId?: string }, origin: string): string {
  passkey.counter += 1;
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(passkey.counter);
  const authData = Buffer.concat([sha256(options.rpId ?? new URL(origin).hostname), Buffer.from([0x05]), counter]);
  const clientData = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin, crossOrigin: false }));
  const signature = sign("sha256", Buffer.concat([authData, sha256(clientData)]), passkey.privateKey);
  return JSON.stringify({
    id: passkey.credentialId,
    rawId: passkey.credentialId,
    type: "public-key",
    response: { clientDataJSON: b64url(clientData), authenticatorData: b64url(authData), signature: b64url(signature), userHandle: passkey.userHandle },
    clientExtensionResults: {},
    authenticatorAttachment: "platform",
  });
}

// Passkeys the tests have enrolled, by email, so sign-in helpers can answer the second step.
const enrolled = new Map<string, SoftPasskey>();

export function passkeyOf(email: string): SoftPasskey | undefined {
  return enrolled.get(email);
}

/** Registers a software passkey for a person through the app's own registration functions.
 * The origin's host is the RP ID; the port does not matter for later sign-ins. */
export async function enrolSoftPasskey(db: Db, user: { id: string; email: string; name: string }, clock: Clock, origin = "http://127.0.0.1"): Promise<SoftPasskey> {
  const options = await passkeyRegistrationOptions(db, { user, origin }, clock);
  const { passkey, response } = createPasskey(options, origin);
  const result = await registerPasskey(db, { userId: user.id, response, name: "Test passkey", origin }, clock);
  if (!result.ok) throw new Error(`Could not enrol a test passkey: ${result.error}`);
  enrolled.set(user.email, passkey);
  return passkey;
}
