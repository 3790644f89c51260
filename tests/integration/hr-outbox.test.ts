// The outbox page through the real app: HR can see what was mailed to whom and why, filter and
// page through it; everyone else is told the page does not exist.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Clock } from "../../app/clock";
import { enqueueNotification, type NewNotification } from "../../app/notifications/outbox.server";
import { deliverDue, MAX_ATTEMPTS, RETRY_DELAYS_MINUTES, smtpTransport, type MailTransport } from "../../app/notifications/delivery.server";
import type { User } from "../../db/schema";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { startSmtp, type TestSmtp } from "../support/smtp";

const NUDGES = 55;

let w: World;
let smtp: TestSmtp;
let server: TestServer;
let hr: string;

function at(iso: string): Clock {
  return () => new Date(iso);
}

function notice(user: User, eventKey: string, kind: NewNotification["kind"], subject: string): NewNotification {
  return { eventKey, kind, userId: user.id, toEmail: user.email, why: `Test rule for ${kind}`, subject, body: `Hello ${user.name},\n\n${subject}.` };
}

async function enqueue(n: NewNotification, iso: string) {
  await w.db.transaction().execute((trx) => enqueueNotification(trx, n, new Date(iso)));
}

beforeAll(async () => {
  w = await makeWorld();
  smtp = await startSmtp();
  // Older, bulk messages first, so the three below are the newest.
  for (let i = 0; i < NUDGES; i++) {
    await enqueue(notice(w.bob, `nudge:${i}`, "nudge", `Nudge number ${i}`), `2027-02-01T08:${String(i).padStart(2, "0")}:00.000Z`);
  }
  await deliverDue(w.db, smtpTransport(smtp.url, "Confidant <confidant@test.example>"), { clock: at("2027-02-01T09:00:00.000Z") });

  await enqueue(notice(w.alice, "assigned:alice", "assigned", "Alice has a new course"), "2027-03-01T08:00:00.000Z");
  await deliverDue(w.db, smtpTransport(smtp.url, "Confidant <confidant@test.example>"), { clock: at("2027-03-01T08:00:00.000Z") });

  // A mail server that never answers: the mail to Bob ends up failed after every retry.
  await enqueue(notice(w.bob, "overdue:bob", "overdue", "Bob is overdue"), "2027-03-01T08:30:00.000Z");
  const down: MailTransport = {
    name: "down",
    send: async () => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:2525"), { code: "ECONNECTION" });
    },
  };
  let t = Date.parse("2027-03-01T08:30:00.000Z");
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    await deliverDue(w.db, down, { clock: () => new Date(t) });
    t += (RETRY_DELAYS_MINUTES[attempt] ?? 0) * 60_000;
  }

  await enqueue(notice(w.manager, "escalation:alice", "escalation", "Alice needs a hand"), "2027-03-01T09:00:00.000Z");

  server = await startTestServer(w);
  hr = await server.login("hr@test.example");
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
  await w?.close();
});

/** The page's HTML without React's text separators, so "Sent: 56" reads as written. */
async function page(path: string, cookie = hr) {
  const res = await server.get(path, cookie);
  return { status: res.status, html: (await res.text()).replaceAll("<!-- -->", "") };
}

/** How many messages a page lists: one <details> per row. */
function rowCount(html: string) {
  return (html.match(/<details>/g) ?? []).length;
}

test("HR sees the newest messages with recipient, reason, status and counts", async () => {
  const { status, html } = await page("/hr/outbox");
  expect(status).toBe(200);
  expect(html).toContain("<h1>Outbox</h1>");
  for (const text of ["Alice has a new course", "Bob is overdue", "Alice needs a hand", "Alice Archer", "alice@test.example", "Mark Mendes", "Test rule for overdue"]) {
    expect(html, text).toContain(text);
  }
  expect(html).toContain("ECONNECTION: connect ECONNREFUSED 127.0.0.1:2525");
  expect(html).toContain(`${MAX_ATTEMPTS} failed attempt`);
  expect(html).toContain("Sent: 56<");
  expect(html).toContain("Failed: 1<");
  expect(html).toContain("Waiting: 1<");
  expect(html).toContain("1 March 2027, 08:00:00 UTC");
  expect(html).toContain(`Showing 1–50 of ${NUDGES + 3} messages`);
  expect(rowCount(html)).toBe(50);
});

test("filtering by status shows only messages in that state", async () => {
  const html = (await page("/hr/outbox?status=failed")).html;
  expect(html).toContain("Bob is overdue");
  expect(rowCount(html)).toBe(1);
  expect(html).not.toContain("Alice has a new course");
  expect(html).not.toContain("Alice needs a hand");
  expect(html).not.toContain("Nudge number");
});

test("filtering by kind and by part of the email address narrows the list", async () => {
  const byKind = (await page("/hr/outbox?kind=escalation&status=&q=")).html;
  expect(rowCount(byKind)).toBe(1);
  expect(byKind).toContain("Alice needs a hand");

  // Case-insensitive, and the form's empty fields mean "any".
  const byEmail = (await page("/hr/outbox?status=&kind=&q=ALICE%40")).html;
  expect(rowCount(byEmail)).toBe(1);
  expect(byEmail).toContain("Alice has a new course");

  // % is a character to look for, not a wildcard.
  expect(rowCount((await page("/hr/outbox?q=%25")).html)).toBe(0);
});

test("pages hold 50 messages and their links keep the filters", async () => {
  const first = (await page("/hr/outbox?kind=nudge")).html;
  expect(rowCount(first)).toBe(50);
  expect(first).toContain(`Showing 1–50 of ${NUDGES} messages matching these filters`);
  expect(first).toContain(`href="/hr/outbox?kind=nudge&amp;page=2"`);
  expect(first).toContain("Nudge number 54");
  expect(first).not.toContain("Nudge number 4<");

  const second = (await page("/hr/outbox?kind=nudge&page=2")).html;
  expect(rowCount(second)).toBe(NUDGES - 50);
  expect(second).toContain("Nudge number 4<");
  expect(second).toContain(`href="/hr/outbox?kind=nudge"`);
  expect(second).not.toContain(`page=3`);
});

test("employees and managers are told the page does not exist", async () => {
  for (const email of ["alice@test.example", "manager@test.example"]) {
    const cookie = await server.login(email);
    for (const path of ["/hr/outbox", "/hr/outbox?status=failed", "/hr/outbox.data"]) {
      const res = await server.get(path, cookie);
      expect(res.status, `${email} ${path}`).toBe(404);
      const body = await res.text();
      expect(body, `${email} ${path}`).not.toContain("Bob is overdue");
      expect(body, `${email} ${path}`).not.toContain("bob@test.example");
    }
  }
  const signedOut = await server.get("/hr/outbox");
  expect(signedOut.status).toBe(302);
  expect(signedOut.headers.get("location")).toMatch(/^\/login/);
});

test("a filter value that is not allowed gets a 400 with a plain message", async () => {
  for (const query of ["status=bogus", "kind=spam", "page=abc", "page=0", `q=${"x".repeat(201)}`]) {
    const res = await server.get(`/hr/outbox?${query}`, hr);
    expect(res.status, query).toBe(400);
    const html = await res.text();
    expect(html, query).toContain("That filter is not valid");
    expect(html, query).not.toMatch(/ZodError|node_modules|\bat \S+ \(|\.ts:\d+/);
    expect(html, query).not.toContain("Bob is overdue");
  }
});

test("the backlog shows what waits, what is due now, what failed and what went out in the last hour", async () => {
  // At 09:00: the escalation waits and is due; Bob's overdue mail failed; Alice's went out at
  // 08:00 sharp, just outside the last hour.
  const { html } = await page("/hr/outbox");
  expect(html).toContain("<dt>Waiting to be sent</dt><dd>1</dd>");
  expect(html).toContain("<dt>Due now</dt><dd>1</dd>");
  expect(html).toContain("<dt>Failed</dt><dd>1</dd>");
  expect(html).toContain("<dt>Sent in the last hour</dt><dd>0</dd>");
});
