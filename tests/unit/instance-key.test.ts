import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { expect, test } from "vitest";
import { INSTANCE_KEY_FILE, loadInstanceKey, signDetached, verifyDetached } from "../../app/keys/instance-key.server";

test("the instance key is created once into the data folder and signatures verify with its public key", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "key-"));
  const first = loadInstanceKey({ dataDir: dir });
  const again = loadInstanceKey({ dataDir: dir });
  expect(again.fingerprint).toBe(first.fingerprint);
  expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  expect(fs.statSync(path.join(dir, INSTANCE_KEY_FILE)).mode & 0o777).toBe(0o600);
  const signature = signDetached(first, "checkpoint body");
  expect(verifyDetached(first.publicKeyPem, "checkpoint body", signature)).toBe(true);
  expect(verifyDetached(first.publicKeyPem, "checkpoint bodY", signature)).toBe(false);
  expect(verifyDetached("not a key", "checkpoint body", signature)).toBe(false);
});

test("a key of the wrong type is refused with a clear message", () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  expect(() => loadInstanceKey({ dataDir: os.tmpdir(), pem })).toThrow(/must be Ed25519, not ec/);
  expect(() => loadInstanceKey({ dataDir: os.tmpdir(), pem: "garbage" })).toThrow(/not a PEM private key/);
});
