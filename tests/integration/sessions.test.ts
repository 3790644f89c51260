import { afterEach, beforeEach, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import {
  ABSOLUTE_LIFETIME_MS,
  INACTIVITY_TIMEOUT_MS,
  createSession,
  invalidateSession,
  validateSessionToken,
} from "../../app/auth/session.server";
import { deactivatePerson, setPassword } from "../../app/people/people.server";
import { hashPassword } from "../../app/auth/password.server";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

const later = (ms: number) => fixedClock(new Date(Date.parse(w.clock().toISOString()) + ms).toISOString());

test("the database stores only a hash of the session secret, never the token", async () => {
  const { token, sessionId } = await createSession(w.db, { userId: w.alice.id, ip: "127.0.0.1", userAgent: "test" }, w.clock);
  const [id, secret] = token.split(".");
  expect(id).toBe(sessionId);
  expect(secret.length).toBeGreaterThanOrEqual(26); // ≥ 128 bits in base32
  const row = await w.db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  expect(JSON.stringify(row)).not.toContain(secret);
  expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(await validateSessionToken(w.db, token, w.clock)).toMatchObject({ sessionId: id, user: { id: w.alice.id } });
});

test("a token with a wrong secret is rejected", async () => {
  const { token } = await createSession(w.db, { userId: w.alice.id, ip: null, userAgent: null }, w.clock);
  const [id] = token.split(".");
  expect(await validateSessionToken(w.db, `${id}.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`, w.clock)).toBeNull();
  expect(await validateSessionToken(w.db, "garbage", w.clock)).toBeNull();
});

test("a session ends after the inactivity timeout, and activity keeps it alive", async () => {
  const { token } = await createSession(w.db, { userId: w.alice.id, ip: null, userAgent: null }, w.clock);
  // Active again just before the timeout: the window slides.
  expect(await validateSessionToken(w.db, token, later(INACTIVITY_TIMEOUT_MS - 60_000))).not.toBeNull();
  expect(await validateSessionToken(w.db, token, later(2 * INACTIVITY_TIMEOUT_MS - 120_000))).not.toBeNull();
  // Then idle for longer than the timeout.
  expect(await validateSessionToken(w.db, token, later(4 * INACTIVITY_TIMEOUT_MS))).toBeNull();
  expect(await w.db.selectFrom("sessions").select("id").execute()).toHaveLength(0);
});

test("a session ends at its absolute lifetime even when in constant use", async () => {
  const { token } = await createSession(w.db, { userId: w.alice.id, ip: null, userAgent: null }, w.clock);
  for (let t = INACTIVITY_TIMEOUT_MS / 2; t < ABSOLUTE_LIFETIME_MS; t += INACTIVITY_TIMEOUT_MS / 2) {
    expect(await validateSessionToken(w.db, token, later(t))).not.toBeNull();
  }
  expect(await validateSessionToken(w.db, token, later(ABSOLUTE_LIFETIME_MS))).toBeNull();
});

test("signing out, a password change and deactivation each end sessions", async () => {
  const a = await createSession(w.db, { userId: w.alice.id, ip: null, userAgent: null }, w.clock);
  await invalidateSession(w.db, a.sessionId);
  expect(await validateSessionToken(w.db, a.token, w.clock)).toBeNull();

  const b1 = await createSession(w.db, { userId: w.alice.id, ip: null, userAgent: null }, w.clock);
  const b2 = await createSession(w.db, { userId: w.alice.id, ip: null, userAgent: null }, w.clock);
  const other = await createSession(w.db, { userId: w.bob.id, ip: null, userAgent: null }, w.clock);
  const newHash = await hashPassword("a brand new password");
  await w.db.transaction().execute((trx) => setPassword(trx, { userId: w.alice.id, passwordHash: newHash, actorId: w.alice.id }, w.clock));
  expect(await validateSessionToken(w.db, b1.token, w.clock)).toBeNull();
  expect(await validateSessionToken(w.db, b2.token, w.clock)).toBeNull();
  expect(await validateSessionToken(w.db, other.token, w.clock)).not.toBeNull();

  await w.db.transaction().execute((trx) => deactivatePerson(trx, { userId: w.bob.id, actorId: w.hr.id, reason: "left" }, w.clock));
  expect(await validateSessionToken(w.db, other.token, w.clock)).toBeNull();
});

test("the session cookie is HttpOnly and SameSite=Lax, and sign-out clears it", async () => {
  const server: TestServer = await startTestServer(w);
  try {
    const res = await server.post("/login", { email: "alice@test.example", password: "correct horse battery" });
    expect(res.status).toBe(302);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const session = cookie.split(";")[0];
    expect((await server.get("/", session)).status).toBe(200);
    const out = await server.post("/logout", {}, session);
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    const after = await server.get("/", session);
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toBe("/login");
  } finally {
    await server.close();
  }
});
