// Guessing passwords is slow and bounded, and strangers guessing cannot lock the owner out
// (decision 010). Driven through the sign-in's own domain function with the client addresses
// a proxy would report.
import { afterEach, beforeEach, expect, test } from "vitest";
import { checkPassword } from "../../app/auth/login.server";
import { reserveAttempt, RULES, signingKeys } from "../../app/auth/throttle.server";
import { fixedClock } from "../../app/clock";
import { makeWorld, PASSWORD, type World } from "../support/world";

let w: World;
const MEASURED: Record<string, number> = {};
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
  if (Object.keys(MEASURED).length) process.stdout.write(`throttle figures: ${JSON.stringify(MEASURED)}\n`);
});

const at = (ms: number) => fixedClock(new Date(Date.parse("2027-03-01T09:00:00.000Z") + ms).toISOString());


test("1,000 wrong guesses from 20 addresses over two hours: at most 50 an hour are checked, and the owner signs in from a known device at once", async () => {
  const owner = { deviceId: "ownerslaptop00000000000", userId: w.alice.id };
  const spanMs = 2 * 3_600_000;
  let checked = 0;
  let throttled = 0;
  const checkedPerHour = [0, 0];
  for (let i = 0; i < 1000; i++) {
    const t = (i * spanMs) / 1000;
    const ip = `203.0.113.${(i % 20) + 1}`;
    const r = await checkPassword(w.db, { form: { email: "alice@test.example", password: `guess number ${i}` }, ip, userAgent: "attacker" }, at(t));
    if (r.ok) throw new Error("a wrong guess got in");
    if (r.status === 429) throttled++;
    else {
      checked++;
      checkedPerHour[Math.floor(t / 3_600_000)]++;
    }
  }
  MEASURED.checked = checked;
  MEASURED.throttled = throttled;
  // The documented ceiling: 50 checked guesses an hour for an account from browsers it never
  // signed in on, however many addresses they come from.
  expect(checkedPerHour[0]).toBeLessThanOrEqual(RULES.account.limit);
  expect(checkedPerHour[1]).toBeLessThanOrEqual(RULES.account.limit);
  expect(checked).toBeLessThanOrEqual(100);
  expect(throttled).toBeGreaterThanOrEqual(900);

  // The account's ceiling is full right now…
  expect(await checkPassword(w.db, { form: { email: "alice@test.example", password: PASSWORD }, ip: "198.51.100.7", userAgent: "owner" }, at(spanMs - 1000))).toMatchObject({ ok: false, status: 429 });
  // …yet the owner, on the laptop they signed in on before, from home: in at once.
  const home = await checkPassword(w.db, { form: { email: "alice@test.example", password: PASSWORD }, ip: "198.51.100.7", userAgent: "owner", device: owner }, at(spanMs - 1000));
  expect(home).toMatchObject({ ok: true, userId: w.alice.id });
  // A device cookie for another account does not help an attacker with this one.
  const borrowed = await checkPassword(w.db, { form: { email: "alice@test.example", password: "one more guess" }, ip: "203.0.113.99", userAgent: "attacker", device: { deviceId: "attackersown", userId: w.bob.id } }, at(spanMs - 1000));
  expect(borrowed).toMatchObject({ ok: false, status: 429 });
  // …and another colleague is not affected at all.
  expect(await checkPassword(w.db, { form: { email: "bob@test.example", password: PASSWORD }, ip: "203.0.113.1", userAgent: "bob" }, at(spanMs))).toMatchObject({ ok: true });
}, 240_000);

test("40 parallel wrong passwords from one address: at most the limit of 10 are checked", async () => {
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => checkPassword(w.db, { form: { email: "alice@test.example", password: `parallel ${i}` }, ip: "192.0.2.50", userAgent: null }, w.clock)),
  );
  const checked = results.filter((r) => !r.ok && r.status === 400).length;
  MEASURED.parallelChecked = checked;
  expect(checked).toBeLessThanOrEqual(RULES.accountAndIp.limit);
  expect(results.filter((r) => !r.ok && r.status === 429)).toHaveLength(40 - checked);
}, 120_000);

test("signing in to your own account does not reset the address's count of failures on another", async () => {
  const ip = "192.0.2.77";
  for (let i = 0; i < 9; i++) {
    expect(await checkPassword(w.db, { form: { email: "alice@test.example", password: `wrong ${i}` }, ip, userAgent: null }, w.clock)).toMatchObject({ status: 400 });
  }
  // The attacker signs in to their own account from the same address…
  expect(await checkPassword(w.db, { form: { email: "bob@test.example", password: PASSWORD }, ip, userAgent: null }, w.clock)).toMatchObject({ ok: true });
  // …and still has only one guess left on Alice.
  expect(await checkPassword(w.db, { form: { email: "alice@test.example", password: "wrong 9" }, ip, userAgent: null }, w.clock)).toMatchObject({ status: 400 });
  expect(await checkPassword(w.db, { form: { email: "alice@test.example", password: "wrong 10" }, ip, userAgent: null }, w.clock)).toMatchObject({ status: 429 });
  const row = await w.db.selectFrom("auth_throttle").selectAll().where("key", "=", `ip:${ip}`).executeTakeFirstOrThrow();
  expect(row.failures).toBe(10);
});

test("wrong passwords at signing have their own limit and never lock the sign-in", async () => {
  for (let i = 0; i < RULES.signing.limit; i++) expect((await reserveAttempt(w.db, signingKeys(w.alice.id), w.clock)).ok).toBe(true);
  expect(await reserveAttempt(w.db, signingKeys(w.alice.id), w.clock)).toMatchObject({ ok: false });
  expect(await checkPassword(w.db, { form: { email: "alice@test.example", password: PASSWORD }, ip: "192.0.2.1", userAgent: null }, w.clock)).toMatchObject({ ok: true });
});

test("an office behind one address: ten colleagues' failed sign-ins lock nobody else out", async () => {
  const ip = "192.0.2.200";
  for (const email of ["hr@test.example", "manager@test.example", "bob@test.example"]) {
    for (let i = 0; i < 4; i++) await checkPassword(w.db, { form: { email, password: `typo ${i}` }, ip, userAgent: null }, w.clock);
  }
  expect(await checkPassword(w.db, { form: { email: "alice@test.example", password: PASSWORD }, ip, userAgent: null }, w.clock)).toMatchObject({ ok: true });
});
