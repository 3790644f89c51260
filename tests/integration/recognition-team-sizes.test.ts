// HR's recognition report in a large organisation reads team sizes from the stored scores, "as of"
// their refresh, instead of walking the whole reporting tree at each view; the figures are the
// ones the live count gives at that time, on SQLite and PostgreSQL alike.
import { describe, expect, test } from "vitest";
import type { Db } from "../../db/connection";
import { fixedClock } from "../../app/clock";
import { makePerson } from "../../app/demo/factories.server";
import { recognitionReport } from "../../app/recognition/kudos.server";
import { refreshScores } from "../../app/recognition/scores-refresh.server";
import { seedDemo } from "../../scripts/seed";
import { bothDatabases } from "../support/both-databases";
import { realCatalog, SECRET } from "../support/world";

const clock = fixedClock("2027-03-01T09:00:00.000Z");
const catalog = realCatalog();
const both = bothDatabases({ seed: (db) => seedDemo(db, { catalog, secret: SECRET, clock }) });

const teams = (r: Awaited<ReturnType<typeof recognitionReport>>) => r.managers.map((m) => [m.name, m.teamSize, m.teamReceivedInWindow, m.sentInWindow]);

describe.each(both.names)("on %s", (name) => {
  const dbOf = () => both.db(name);

  test("stored team sizes equal the live count as of the refresh, departed managers and loops included, and say when", async () => {
    const db = dbOf();
    const person = (key: string, managerId: string | null) =>
      makePerson(db, { email: `${key}@sizes.example`, name: `${key[0].toUpperCase()}${key.slice(1)} Tree`, startDate: "2027-01-01", managerId }, clock);
    const gina = await person("gina", null);
    const ivan = await person("ivan", gina.id); // leaves: his report is nobody's team any more
    const jo = await person("jo", ivan.id);
    const kim = await person("kim", gina.id);
    await db.updateTable("users").set({ status: "inactive" }).where("id", "=", ivan.id).execute();
    const lou = await person("lou", null);
    const max = await person("max", lou.id);
    await db.updateTable("users").set({ manager_id: max.id }).where("id", "=", lou.id).execute();
    // Kudos lately to people in these teams, and one to someone below the departed manager.
    const hr = await db.selectFrom("users").select("id").where("is_hr", "=", 1).executeTakeFirstOrThrow();
    await db
      .insertInto("kudos")
      .values([kim, jo, max].map((to, i) => ({ id: `kud_sizes_${i}`, from_user_id: hr.id, to_user_id: to.id, message: "Thank you", badge: null, created_at: "2027-02-20T09:00:00.000Z" })))
      .execute();

    const refreshed = await refreshScores(db, { catalog, now: clock() });
    expect(refreshed.skipped).toBe(false);
    const live = await recognitionReport(db, clock(), { liveBelow: Number.POSITIVE_INFINITY });
    const stored = await recognitionReport(db, clock(), { liveBelow: 0 });
    expect(live.teamSizesAsOf).toBeNull();
    expect(stored.teamSizesAsOf).toBe(clock().toISOString());
    expect(teams(stored)).toEqual(teams(live));
    const trees = Object.fromEntries(stored.managers.filter((m) => m.name.endsWith(" Tree")).map((m) => [m.name, [m.teamSize, m.teamReceivedInWindow]]));
    expect(trees).toEqual({ "Gina Tree": [1, 1], "Lou Tree": [1, 1], "Max Tree": [1, 0] });

    // Someone joins Gina's team after the refresh: the stored size is as of the refresh, the
    // live one counts them; the next refresh catches up.
    await person("nia", gina.id);
    const sizeOf = (r: typeof live) => r.managers.find((m) => m.name === "Gina Tree")!.teamSize;
    expect(sizeOf(await recognitionReport(db, clock(), { liveBelow: 0 }))).toBe(1);
    expect(sizeOf(await recognitionReport(db, clock(), { liveBelow: Number.POSITIVE_INFINITY }))).toBe(2);
    await refreshScores(db, { catalog, now: clock() });
    expect(sizeOf(await recognitionReport(db, clock(), { liveBelow: 0 }))).toBe(2);
  });
});
