// Checkpoints as C2SP signed notes, signed by the instance key.
import { generateKeyPairSync } from "node:crypto";
import { expect, test } from "vitest";
import { parseCheckpointNote, signCheckpoint, verifierKey, verifyCheckpointSignature } from "../../app/audit/checkpoint";
import { fromPrivateKey } from "../../app/keys/instance-key.server";

const key = fromPrivateKey(generateKeyPairSync("ed25519").privateKey);
const cp = { origin: "confidant.example/audit-log", treeSize: 217, rootHash: "3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };

test("a checkpoint is the tlog-checkpoint text, a blank line and one signature line by the origin's key", () => {
  const note = signCheckpoint(cp, key.privateKey);
  const lines = note.split("\n");
  expect(lines.slice(0, 4)).toEqual(["confidant.example/audit-log", "217", cp.rootHash, ""]);
  expect(lines[4]).toMatch(/^— confidant\.example\/audit-log [A-Za-z0-9+/]{91}=$/);
  expect(lines[5]).toBe("");
  expect(parseCheckpointNote(note)).toMatchObject({ ok: true, checkpoint: cp });
  // The signature blob starts with the key id that the verifier key names.
  const blob = Buffer.from(lines[4].split(" ")[2], "base64");
  expect(verifierKey(cp.origin, key.publicKey).split("+")[1]).toBe(blob.subarray(0, 4).toString("hex"));
});

test("the signature verifies with the instance's public key (PEM or key object), and only with it", () => {
  const note = signCheckpoint(cp, key.privateKey);
  expect(verifyCheckpointSignature(note, key.publicKeyPem)).toEqual({ ok: true, checkpoint: cp });
  expect(verifyCheckpointSignature(note, key.publicKey, { origin: cp.origin }).ok).toBe(true);
  const other = fromPrivateKey(generateKeyPairSync("ed25519").privateKey);
  expect(verifyCheckpointSignature(note, other.publicKeyPem)).toMatchObject({ ok: false, problem: expect.stringMatching(/no signature by this key/) });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
  expect(verifyCheckpointSignature(note, rsa)).toMatchObject({ ok: false, problem: expect.stringMatching(/not an Ed25519 key/) });
  expect(verifyCheckpointSignature(note, key.publicKey, { origin: "elsewhere/log" })).toMatchObject({ ok: false });
});

test("changing the size or root of a signed checkpoint breaks its signature; malformed notes give a reason", () => {
  const note = signCheckpoint(cp, key.privateKey);
  expect(verifyCheckpointSignature(note.replace("\n217\n", "\n212\n"), key.publicKey)).toMatchObject({ ok: false, problem: expect.stringMatching(/does not verify/) });
  expect(verifyCheckpointSignature(note.replace("3q2+", "3q2-"), key.publicKey).ok).toBe(false);
  expect(verifyCheckpointSignature("not a note", key.publicKey)).toMatchObject({ ok: false, problem: expect.stringMatching(/not a signed note/) });
  expect(verifyCheckpointSignature(note.replace("\n217\n", "\nmany\n"), key.publicKey)).toMatchObject({ ok: false, problem: expect.stringMatching(/not a number/) });
});
