// The scheduler and mail delivery end to end, as one scheduled run does them (runOnce: lease, run,
// deliver), with a real SMTP server on 127.0.0.1: the mails arrive, read well, survive a refusal,
// and none arrives twice however often the scheduler runs.
import fs from "node:fs";
import { afterEach, beforeEach, expect, test } from "vitest";
import { readConfig, type AppConfig } from "../../app/config.server";
import { runOnce, type OnceResult } from "../../app/scheduler/run.server";
import type { User } from "../../db/schema";
import { freshDb, type TestDb } from "../support/db";
import { startSmtp, type ReceivedMail, type TestSmtp } from "../support/smtp";
import { realCatalog, SECRET } from "../support/world";
import { hire, MANAGERS, nothingDone, notifications, ONBOARDING, ORIGIN, tempDir } from "../support/org";

const PTS_TITLE = "Protecting Confidential Information and Trade Secrets";
const FROM = "Confidant <confidant@org.test>";

let t: TestDb;
let smtp: TestSmtp;
let config: AppConfig;
let dataDir: string;
let helen: User, mark: User, alice: User;

beforeEach(async () => {
  t = await freshDb();
  smtp = await startSmtp();
  dataDir = tempDir("confidant-data-");
  config = readConfig({ NODE_ENV: "test", APP_ORIGIN: ORIGIN, SMTP_URL: smtp.url, MAIL_FROM: FROM, APP_SECRET: SECRET, DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  const entered = "2027-03-01T08:00:00.000Z";
  helen = await hire(t.db, { name: "Helen Harper", startDate: "2020-01-06", hr: true }, entered);
  mark = await hire(t.db, { name: "Mark Mendes", startDate: "2020-01-06" }, entered);
  alice = await hire(t.db, { name: "Alice Archer", startDate: "2027-03-01", manager: mark }, entered);
});

afterEach(async () => {
  await smtp.close();
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function once(now: string) {
  const result: OnceResult = await runOnce(t.db, { catalog: realCatalog(), config, now: new Date(now) });
  if (!result.ran) throw new Error(`Not run: ${result.reason}`);
  return result;
}

function mailTo(user: User, subjectStart: string): ReceivedMail {
  const found = smtp.received.filter((m) => m.to.includes(user.email) && m.subject?.startsWith(subjectStart));
  expect(found.length, `mails to ${user.email} starting "${subjectStart}"`).toBe(1);
  return found[0];
}

/** Every notification arrived exactly once (the Message-ID is the notification's id). */
async function expectEachDeliveredOnce() {
  const all = await notifications(t.db);
  expect(all.every((n) => n.status === "sent")).toBe(true);
  const received = smtp.received.map((m) => m.messageId);
  expect(received.length).toBe(all.length);
  expect([...received].sort()).toEqual(all.map((n) => `<${n.id}@confidant>`).sort());
  for (const n of all) {
    const m = smtp.received.find((r) => r.messageId === `<${n.id}@confidant>`)!;
    expect(m.to).toEqual([n.to_email]);
    expect(m.subject).toBe(n.subject);
  }
}

test("a run mails each new assignment: the course and due date in the subject, the person, the reason and a link to the course in the body", async () => {
  const first = await once("2027-03-01T09:00:00.000Z");
  expect(first.summary.issued.onboarding).toBe(4); // Helen, Mark (and his managers' course), Alice
  expect(first.mail).toEqual({ sent: 5, retried: 0, failed: 0 }); // and HR's digest

  const mail = mailTo(alice, "Please complete:");
  expect(mail.subject).toBe(`Please complete: ${PTS_TITLE} (due 31 March 2027)`);
  expect(mail.from).toBe("confidant@org.test");
  expect(mail.headers.get("from")).toBe(FROM);
  expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
  expect(mail.text).toContain("Hello Alice Archer,");
  expect(mail.text).toContain(`You have been asked to complete "${PTS_TITLE}" by 31 March 2027, because it is part of joining the company.`);
  expect(mail.text).toContain(`Start here: http://confidant.test/courses/${ONBOARDING}\n`);

  // Someone already there when the course arrived has 30 days from now, and the mail says so.
  const marks = smtp.received.filter((m) => m.to.includes(mark.email)).map((m) => m.subject).sort();
  expect(marks).toEqual([
    "Please complete: Leading a Culture of Confidentiality (due 31 March 2027)",
    `Please complete: ${PTS_TITLE} (due 31 March 2027)`,
  ]);
  expect(mailTo(mark, "Please complete: Leading").text).toContain(`Start here: http://confidant.test/courses/${MANAGERS}\n`);
  expect(mailTo(helen, "Confidant digest").subject).toBe("Confidant digest: nothing is overdue");
  await expectEachDeliveredOnce();

  // Three days before the due date, a reminder that reads as well.
  const reminder = await once("2027-03-28T09:00:00.000Z");
  expect(reminder.summary.reminders.reminder_before).toBe(4);
  const r = mailTo(alice, "Reminder:");
  expect(r.subject).toBe(`Reminder: ${PTS_TITLE} is due 31 March 2027`);
  expect(r.text).toContain("Hello Alice Archer,");
  expect(r.text).toContain(`"${PTS_TITLE}" is due on 31 March 2027. You were asked to complete it because it is part of joining the company.`);
  expect(r.text).toContain(`Continue here: http://confidant.test/courses/${ONBOARDING}\n`);
  await expectEachDeliveredOnce();
});

test("the mail server refuses a message: the next run a minute later delivers it, and nothing is ever delivered twice", async () => {
  smtp.refuseNext(1);
  const first = await once("2027-03-01T09:00:00.000Z");
  expect(first.mail).toEqual({ sent: 4, retried: 1, failed: 0 });
  expect(smtp.refused()).toBe(1);
  expect(smtp.received.length).toBe(4);
  const [waiting] = (await notifications(t.db)).filter((n) => n.status !== "sent");
  expect(waiting).toMatchObject({ status: "pending", attempts: 1, next_attempt_at: "2027-03-01T09:01:00.000Z" });
  expect(waiting.last_error).toMatch(/451/);

  // Thirty seconds on, the retry is not due yet, and the run has nothing new to do.
  const early = await once("2027-03-01T09:00:30.000Z");
  expect(nothingDone(early.summary)).toBe(true);
  expect(early.mail).toEqual({ sent: 0, retried: 0, failed: 0 });
  expect(smtp.received.length).toBe(4);

  const retry = await once("2027-03-01T09:01:00.000Z");
  expect(retry.mail).toEqual({ sent: 1, retried: 0, failed: 0 });
  expect(smtp.received.length).toBe(5);
  const delivered = (await notifications(t.db)).find((n) => n.id === waiting.id)!;
  expect(delivered).toMatchObject({ status: "sent", attempts: 1, sent_at: "2027-03-01T09:01:00.000Z" });
  expect(smtp.received.filter((m) => m.messageId === `<${waiting.id}@confidant>`).length).toBe(1);

  // Run after run, nothing more arrives.
  for (const now of ["2027-03-01T09:02:00.000Z", "2027-03-01T09:07:00.000Z", "2027-03-01T10:00:00.000Z"]) {
    const again = await once(now);
    expect(again.mail).toEqual({ sent: 0, retried: 0, failed: 0 });
  }
  expect(smtp.received.length).toBe(5);
  await expectEachDeliveredOnce();
  // The lease was let go after every run.
  expect(await t.db.selectFrom("scheduler_lease").selectAll().execute()).toEqual([]);
});
