import { afterEach, beforeEach, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
beforeEach(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
});
afterEach(async () => {
  await server.close();
  await w.close();
});

const form = { email: "alice@test.example", password: "correct horse battery" };

test("a POST from another site is refused with 403 and signs nobody in", async () => {
  const cases: Array<Record<string, string>> = [
    { Origin: "https://evil.example" },
    { Origin: "null" },
    { "Sec-Fetch-Site": "cross-site", Origin: server.url },
    { "Sec-Fetch-Site": "same-site", Origin: server.url },
  ];
  for (const headers of cases) {
    const res = await server.post("/login", form, undefined, headers);
    expect(res.status, JSON.stringify(headers)).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  }
  // No Origin at all (a non-browser client, or a browser that hides it) is refused too.
  const bare = await fetch(`${server.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  expect(bare.status).toBe(403);
  expect(await w.db.selectFrom("sessions").select("id").execute()).toHaveLength(0);
});

test("a same-origin POST is accepted", async () => {
  const res = await server.post("/login", form, undefined, { "Sec-Fetch-Site": "same-origin" });
  expect(res.status).toBe(302);
});

test("every response carries the security headers, with a fresh CSP nonce and no unsafe-eval", async () => {
  const a = await server.get("/login");
  const b = await server.get("/login");
  for (const res of [a, b]) {
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  }
  const nonce = (r: Response) => /nonce-([^']+)/.exec(r.headers.get("content-security-policy")!)![1];
  expect(nonce(a)).not.toBe(nonce(b));
  // Every inline script in the page carries that nonce, or the browser would block it.
  const html = await a.text();
  const scripts = html.match(/<script(?![^>]*\ssrc=)[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const s of scripts) expect(s).toContain(`nonce="${nonce(a)}"`);
});

test("a wrong password and an unknown email get the same generic answer", async () => {
  const wrong = await server.post("/login", { email: "alice@test.example", password: "not it" });
  const unknown = await server.post("/login", { email: "nobody@test.example", password: "not it" });
  expect(wrong.status).toBe(400);
  expect(unknown.status).toBe(400);
  const a = await wrong.text();
  const b = await unknown.text();
  expect(a).toContain("That email and password do not match an active account.");
  expect(b).toContain("That email and password do not match an active account.");
  const failures = await w.db.selectFrom("audit_log").select("action").where("action", "=", "auth.sign_in_failed").execute();
  expect(failures).toHaveLength(2);
});

test("a deactivated person cannot sign in", async () => {
  await w.db.updateTable("users").set({ status: "inactive" }).where("id", "=", w.alice.id).execute();
  const res = await server.post("/login", form);
  expect(res.status).toBe(400);
});

test("ten failures for one account from one IP block that pair for 15 minutes with 429 and Retry-After", async () => {
  for (let i = 0; i < 10; i++) {
    const res = await server.post("/login", { email: "alice@test.example", password: `wrong ${i}` });
    expect(res.status).toBe(400);
  }
  // Even the right password is refused while blocked.
  const blocked = await server.post("/login", form);
  expect(blocked.status).toBe(429);
  const retry = Number(blocked.headers.get("retry-after"));
  expect(retry).toBeGreaterThan(800);
  expect(retry).toBeLessThanOrEqual(900);
  expect(await blocked.text()).toContain("Too many failed sign-ins");
  // A colleague behind the same address is not locked out.
  expect((await server.post("/login", { email: "bob@test.example", password: "correct horse battery" })).status).toBe(302);
});

test("an account takes at most 50 failed attempts an hour from browsers it never signed in on, from any IP", async () => {
  const { reserveAttempt, signInKeys } = await import("../../app/auth/throttle.server");
  for (let i = 0; i < 50; i++) {
    const r = await reserveAttempt(w.db, signInKeys({ ip: `10.0.${Math.floor(i / 9)}.${i % 9}`, email: "alice@test.example", deviceId: null }), w.clock);
    expect(r.ok).toBe(true);
  }
  const over = await reserveAttempt(w.db, signInKeys({ ip: "10.9.9.9", email: "alice@test.example", deviceId: null }), w.clock);
  expect(over).toMatchObject({ ok: false });
  const res = await server.post("/login", form);
  expect(res.status).toBe(429);
  // An hour later the account is open again.
  const later = fixedClock("2027-03-01T10:01:00.000Z");
  expect((await reserveAttempt(w.db, signInKeys({ ip: "10.9.9.9", email: "alice@test.example", deviceId: null }), later)).ok).toBe(true);
});

test("oversized and malformed forms get a 4xx and change nothing", async () => {
  const big = await server.post("/login", { email: "alice@test.example", password: "x".repeat(70_000) });
  expect(big.status).toBe(413);
  const json = await fetch(`${server.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/json", Origin: server.url },
    body: JSON.stringify(form),
  });
  expect(json.status).toBe(415);
  expect(await w.db.selectFrom("sessions").select("id").execute()).toHaveLength(0);
});

test("unknown pages get a friendly 404 without a stack trace", async () => {
  const cookie = await server.login("alice@test.example");
  for (const path of ["/nope", "/courses/does-not-exist", "/receipts/AAAA-BBBB-CCCC-DDDD"]) {
    const res = await server.get(path, cookie);
    expect(res.status, path).toBe(404);
    const html = await res.text();
    expect(html).not.toMatch(/\n\s+at /);
  }
});

test("signing in redirects only to paths on this site", async () => {
  const evil = await server.post("/login", { ...form, redirectTo: "//evil.example/x" });
  expect(evil.headers.get("location")).toBe("/");
  const good = await server.post("/login", { ...form, redirectTo: "/courses/protecting-trade-secrets" });
  expect(good.headers.get("location")).toBe("/courses/protecting-trade-secrets");
});
