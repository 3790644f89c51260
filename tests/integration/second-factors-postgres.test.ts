// The second factors on PostgreSQL: the same functions, the same answers as on SQLite.
import { expect, test } from "vitest";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import type { Db } from "../../db/connection";
import { fixedClock } from "../../app/clock";
import { makePerson } from "../../app/demo/factories.server";
import { confirmTotp, startTotpEnrolment, totpState, useRecoveryCode, verifyTotp } from "../../app/auth/totp.server";
import { listPasskeys, passkeyAuthenticationOptions, removePasskey, verifyPasskey } from "../../app/auth/passkeys.server";
import { finishSignIn, readPendingSignIn, secondFactorsOf, startPendingSignIn } from "../../app/auth/second-factor.server";
import { createSession, validateSessionToken } from "../../app/auth/session.server";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { bothDatabases } from "../support/both-databases";
import { createPasskey, enrolSoftPasskey, usePasskey } from "../support/authenticator";
import { SECRET } from "../support/world";

const T = Date.parse("2027-03-01T09:00:00.000Z");
const at = (ms: number) => fixedClock(new Date(T + ms).toISOString());
const clock = at(0);
const code = (key: Uint8Array, ms: number) => generateHOTP(key, BigInt(Math.floor((T + ms) / 30_000)), 6);
const ORIGIN = "http://127.0.0.1";

const both = bothDatabases();

async function journey(db: Db, tag: string) {
  const person = await makePerson(db, { email: `${tag}@test.example`, name: "Pat Park", startDate: "2025-01-01" }, clock);
  const session = await createSession(db, { userId: person.id, ip: null, userAgent: null }, clock);
  const before = (await validateSessionToken(db, session.token, clock))!.user.has_second_factor;

  await startTotpEnrolment(db, { userId: person.id, appSecret: SECRET }, clock);
  const state = await totpState(db, { userId: person.id, email: person.email, appSecret: SECRET });
  if (state.status !== "pending") throw new Error("not pending");
  const key = decodeBase32IgnorePadding(state.secret.replace(/ /g, ""));
  const confirmed = await confirmTotp(db, { userId: person.id, code: code(key, 0), appSecret: SECRET }, clock);
  if (!confirmed.ok) throw new Error(confirmed.error);
  const totp = {
    replayed: (await verifyTotp(db, { userId: person.id, code: code(key, 0), appSecret: SECRET }, clock)).ok,
    next: (await verifyTotp(db, { userId: person.id, code: code(key, 30_000), appSecret: SECRET }, at(30_000))).ok,
    wrong: (await verifyTotp(db, { userId: person.id, code: "000000", appSecret: SECRET }, at(60_000))).ok,
    recovery: await useRecoveryCode(db, { userId: person.id, code: confirmed.recoveryCodes[0] }, clock),
    recoveryAgain: await useRecoveryCode(db, { userId: person.id, code: confirmed.recoveryCodes[0] }, clock),
  };
  const after = (await validateSessionToken(db, session.token, clock))!.user.has_second_factor;

  const passkey = await enrolSoftPasskey(db, person, clock, ORIGIN);
  const options = await passkeyAuthenticationOptions(db, { userId: null, purpose: "sign-in", origin: ORIGIN }, clock);
  const signIn = await verifyPasskey(db, { response: usePasskey(passkey, options, ORIGIN), purpose: "sign-in", userId: null, origin: ORIGIN }, clock);
  const again = await verifyPasskey(db, { response: usePasskey(passkey, options, ORIGIN), purpose: "sign-in", userId: null, origin: ORIGIN }, clock);
  const late = await passkeyAuthenticationOptions(db, { userId: person.id, purpose: "signing", origin: ORIGIN }, clock);
  const expired = await verifyPasskey(db, { response: usePasskey(passkey, late, ORIGIN), purpose: "signing", userId: person.id, origin: ORIGIN }, at(5 * 60_000 + 1));
  const other = await makePerson(db, { email: `${tag}-other@test.example`, name: "Olly Other", startDate: "2025-01-01" }, clock);

  const pendingToken = await startPendingSignIn(db, { userId: person.id, redirectTo: "/", ip: null, userAgent: null }, clock);
  const pending = await readPendingSignIn(db, pendingToken, clock);
  const wrongStep = await finishSignIn(db, { token: pendingToken, form: { method: "totp", code: "000000" }, ip: null, userAgent: null, appSecret: SECRET, origin: ORIGIN }, at(90_000));
  const rightStep = await finishSignIn(db, { token: pendingToken, form: { method: "totp", code: code(key, 120_000) }, ip: null, userAgent: null, appSecret: SECRET, origin: ORIGIN }, at(120_000));
  const reusedPending = await readPendingSignIn(db, pendingToken, clock);

  const listed = (await listPasskeys(db, person.id)).map((p) => p.name);
  const removedByOther = await removePasskey(db, { userId: other.id, passkeyId: passkey.credentialId }, clock);
  const removed = await removePasskey(db, { userId: person.id, passkeyId: passkey.credentialId }, clock);
  return {
    before,
    after,
    totp,
    signIn: signIn.ok && signIn.userId === person.id,
    again: again.ok,
    expired: expired.ok ? "ok" : expired.problem,
    pending: pending?.factors,
    wrongStep: wrongStep.ok,
    rightStep: rightStep.ok,
    reusedPending,
    listed,
    removedByOther,
    removed,
    factorsAfter: await secondFactorsOf(db, person.id),
    chain: (await verifyAuditChain(db)).ok,
  };
}

test("authenticator codes, recovery codes, passkeys and the pending sign-in behave the same on PostgreSQL and SQLite", async () => {
  const onPg = await journey(both.db("PostgreSQL"), "pg");
  const onLite = await journey(both.db("SQLite"), "lite");
  expect(onPg).toEqual(onLite);
  expect(onPg).toEqual({
    before: false,
    after: true,
    totp: { replayed: false, next: true, wrong: false, recovery: true, recoveryAgain: false },
    signIn: true,
    again: false,
    expired: "expired",
    pending: { totp: true, passkeys: 1, any: true },
    wrongStep: false,
    rightStep: true,
    reusedPending: null,
    listed: ["Test passkey"],
    removedByOther: false,
    removed: true,
    factorsAfter: { totp: true, passkeys: 0, any: true },
    chain: true,
  });
});
