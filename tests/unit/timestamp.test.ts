// RFC 3161 timestamps against OpenSSL's TSA on loopback (started here, with its own throwaway CA).
import fs from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { requestTimestamp } from "../../app/audit/tsa.server";
import { verifyTimestampToken } from "../../app/audit/timestamp";
import { startTsa, type TestTsa } from "../support/tsa";

let tsa: TestTsa;
beforeAll(async () => {
  tsa = await startTsa();
});
afterAll(async () => {
  await tsa.stop();
});

const NOTE = "confidant.example/audit\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— confidant.example/audit AAAA\n";

test("a token from the TSA verifies for its data against the TSA's CA, and names the TSA", async () => {
  tsa.mode = "ok";
  const got = await requestTimestamp(tsa.url, NOTE);
  expect(got.ok).toBe(true);
  if (!got.ok) return;
  expect(Math.abs(got.genTime.getTime() - Date.now())).toBeLessThan(60_000);
  const check = await verifyTimestampToken({ token: got.token, data: NOTE, trustAnchorsPem: fs.readFileSync(tsa.caFile, "utf8") });
  expect(check).toMatchObject({ ok: true, tsa: expect.stringContaining("CN=Test TSA") });
});

test("a token does not verify for other data, against another CA, or when a byte of it changes", async () => {
  tsa.mode = "ok";
  const got = await requestTimestamp(tsa.url, NOTE);
  if (!got.ok) throw new Error(got.problem);
  const ca = fs.readFileSync(tsa.caFile, "utf8");
  expect(await verifyTimestampToken({ token: got.token, data: NOTE + "x", trustAnchorsPem: ca })).toMatchObject({ ok: false, problem: expect.stringMatching(/imprint differs/) });
  expect(await verifyTimestampToken({ token: got.token, data: NOTE, trustAnchorsPem: fs.readFileSync(tsa.otherCaFile, "utf8") })).toMatchObject({ ok: false, problem: expect.stringMatching(/trust anchor/) });
  expect(await verifyTimestampToken({ token: got.token, data: NOTE, trustAnchorsPem: null })).toMatchObject({ ok: false, unchecked: true });
  const flipped = Uint8Array.from(got.token);
  flipped[flipped.length - 10] ^= 0x01;
  expect((await verifyTimestampToken({ token: flipped, data: NOTE, trustAnchorsPem: ca })).ok).toBe(false);
});

test("a TSA that refuses, answers garbage, is down or is slow gives a reason, never a throw", async () => {
  tsa.mode = "refuse";
  expect(await requestTimestamp(tsa.url, NOTE)).toMatchObject({ ok: false, problem: expect.stringMatching(/HTTP 503/) });
  tsa.mode = "garbage";
  expect(await requestTimestamp(tsa.url, NOTE)).toMatchObject({ ok: false, problem: expect.stringMatching(/not an RFC 3161 response/) });
  tsa.mode = "slow";
  expect(await requestTimestamp(tsa.url, NOTE, { timeoutMs: 300 })).toMatchObject({ ok: false, problem: expect.stringMatching(/did not answer within/) });
  expect(await requestTimestamp("http://127.0.0.1:1/tsa", NOTE)).toMatchObject({ ok: false, problem: expect.stringMatching(/could not be reached/) });
  tsa.mode = "ok";
});
