// A last day that changes after the exit acknowledgement was issued: the resignation is
// withdrawn, or the last day moves. The exit acknowledgement must follow the person's actual last
// day, not chase them (and their manager) about a day that is no longer their last.
import { afterEach, beforeEach, expect, test } from "vitest";
import { addDays } from "../../app/clock";
import type { User } from "../../db/schema";
import { freshDb, type TestDb } from "../support/db";
import { assignmentsOf, EXIT, hire, mailLog, person, run, setEndDate } from "../support/org";

let t: TestDb;
let mark: User, carol: User;

beforeEach(async () => {
  t = await freshDb();
  const entered = "2027-04-01T08:00:00.000Z";
  mark = await hire(t.db, { name: "Mark Mendes", startDate: "2020-01-06" }, entered);
  carol = await hire(t.db, { name: "Carol Chen", startDate: "2020-01-06", manager: mark }, entered);
});
afterEach(async () => {
  await t.close();
});

async function mornings(from: string, to: string) {
  for (let day = from; day <= to; day = addDays(`${day}T00:00:00.000Z`, 1).slice(0, 10)) await run(t.db, `${day}T09:00:00.000Z`);
}

/** Carol's last day is set to 14 May; the exit acknowledgement is issued on 9 May. */
async function leavingOn14May() {
  await mornings("2027-05-01", "2027-05-03");
  await setEndDate(t.db, carol.id, "2027-05-14", "2027-05-03T12:00:00.000Z");
  await mornings("2027-05-04", "2027-05-10");
  expect((await assignmentsOf(t.db, carol.id, EXIT)).map((a) => [a.cycle, a.due_at])).toEqual([["leaving-2027-05-14", "2027-05-14T23:59:59.000Z"]]);
}

const aboutExit = (lines: string[]) => lines.filter((l) => l.includes(` ${EXIT}/`) && /overdue|escalation/.test(l));

test("a withdrawn resignation: the exit acknowledgement is ended, and nobody is chased about it", async () => {
  await leavingOn14May();
  await t.db.updateTable("users").set({ end_date: null, updated_at: "2027-05-11T12:00:00.000Z" }).where("id", "=", carol.id).execute();
  await mornings("2027-05-11", "2027-06-15");
  expect((await person(t.db, carol.id)).status).toBe("active");
  expect({ carol: aboutExit(await mailLog(t.db, carol.email)), mark: aboutExit(await mailLog(t.db, mark.email)) }).toEqual({ carol: [], mark: [] });
  const [exit] = await assignmentsOf(t.db, carol.id, EXIT);
  expect(exit.cancelled_at).not.toBeNull();
});

// BUG (same cause): when the last day moves later, the first exit acknowledgement stays open with
// the old due date — overdue reminders and an escalation follow while the person is still
// working — and a second one is issued for the new last day.
test("a later last day: one exit acknowledgement, due on the new last day, and no overdue mail before it", async () => {
  await leavingOn14May();
  await setEndDate(t.db, carol.id, "2027-05-31", "2027-05-11T12:00:00.000Z");
  await mornings("2027-05-11", "2027-05-31");
  expect({ carol: aboutExit(await mailLog(t.db, carol.email)), mark: aboutExit(await mailLog(t.db, mark.email)) }).toEqual({ carol: [], mark: [] });
  const open = (await assignmentsOf(t.db, carol.id, EXIT)).filter((a) => !a.cancelled_at && !a.completed_at);
  expect(open.map((a) => a.due_at)).toEqual(["2027-05-31T23:59:59.000Z"]);
});
