// The top-compliers boards at scale: the organisation of the hr case (100,000 people × 12 courses
// × 3 years, seeded by hr.ts's seed(); people 1–99 and every hundredth person report to the root,
// usr_0000000, so the root's team is everyone and each other manager has 99 reports). Measures
// (median server time of each page's board data, target < 100 ms each) the home page's standing
// of someone who reports to the root, HR's board (first page and figures), the root's team board
// and a 99-person team's, and the background refresh of the stored scores — next to the same
// pages scored live, as they were before the stored scores (BENCH_BOARDS_LIVE=0 skips those: at
// 100,000 people each takes over a minute).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { loadCatalog } from "../../app/courses/catalog.server";
import { myStanding, orgBoard, teamBoard } from "../../app/recognition/board.server";
import { refreshScores } from "../../app/recognition/scores-refresh.server";
import { seed } from "./hr";
import { median } from "./support/median";
import type { CaseOutcome } from "./support/types";

export const description = "Boards: home-page standing, HR's and managers' boards over 100,000 people × 12 courses × 3 years";

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 100_000);
const NOW = new Date("2027-10-01T09:00:00.000Z");
const TARGET_MS = 100;

export async function run(): Promise<CaseOutcome> {
  // BENCH_BOARDS_FILE keeps the seeded database (seeding takes minutes) so a second run can reuse it.
  const kept = process.env.BENCH_BOARDS_FILE ? path.resolve(process.env.BENCH_BOARDS_FILE) : null;
  const dir = kept ? null : fs.mkdtempSync(path.join(os.tmpdir(), "confidant-bench-boards-"));
  const measureLive = process.env.BENCH_BOARDS_LIVE !== "0";
  try {
    const file = kept ?? path.join(dir!, "bench.sqlite");
    const reuse = kept !== null && fs.existsSync(kept);
    // Migrated (a kept file too: it may predate the newest migrations), closed while seeding.
    const setup = createDb(`file:${file}`);
    await migrateToLatest(setup);
    await setup.destroy();
    if (reuse) {
      console.log(`  reusing ${kept}`);
    } else {
      const t = Date.now();
      seed(file);
      console.log(`  seeded ${PEOPLE.toLocaleString()} people in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
    const db = createDb(`file:${file}`);
    const catalog = loadCatalog(path.resolve("courses"));
    const people = Number((await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
    const assignments = Number((await db.selectFrom("assignments").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

    const refresh = await refreshScores(db, { catalog, now: NOW });
    if (refresh.skipped) throw new Error(`the refresh was skipped: ${refresh.reason}`);
    const refreshMs = refresh.durationMs;

    // Someone who reports to the root and has a score (their manager's board is everyone), and a
    // 99-person team's manager.
    const root = "usr_0000000";
    const rootReports = await db.selectFrom("users").select(["id", "manager_id"]).where("manager_id", "=", root).where("status", "=", "active").orderBy("id").limit(20).execute();
    let viewer = rootReports[0];
    for (const r of rootReports) {
      const s = await myStanding(db, { viewer: r, catalog }, NOW);
      if (s?.rank !== null && s?.rank !== undefined) {
        viewer = r;
        break;
      }
    }
    const lead = "usr_0000100";

    const standing = await myStanding(db, { viewer, catalog }, NOW);
    const cases: Array<{ key: string; label: string; ms: number; target: boolean; note?: string }> = [];
    const add = async (key: string, label: string, fn: () => Promise<unknown>, target = true, note?: string) => {
      await fn(); // warm
      cases.push({ key, label, ms: await median(9, fn), target, note });
    };
    await add("homeStanding", `home page: ${viewer.id}'s standing (reports to the root)`, () => myStanding(db, { viewer, catalog }, NOW), true, standing?.rank ? `${standing.rank} of ${standing.of}` : "");
    await add("hrBoard", "HR board: first page + figures", () => orgBoard(db, { catalog }, NOW));
    await add("hrBoardDeep", "HR board: page 1,000 + figures", () => orgBoard(db, { catalog, page: 1_000 }, NOW));
    await add("rootTeamBoard", "team board: the root (everyone), first page", () => teamBoard(db, { managerId: root, catalog }, NOW));
    await add("leadTeamBoard", "team board: a manager of 99, first page (live)", () => teamBoard(db, { managerId: lead, catalog }, NOW));
    await add("leadTeamBoardStored", "team board: a manager of 99, read stored", () => teamBoard(db, { managerId: lead, catalog, liveBelow: 0 }, NOW), false);

    const before: Record<string, number> = {};
    if (measureLive) {
      // What these pages did before the stored scores: everyone scored live on each view.
      before.homeStanding = await median(1, () => myStanding(db, { viewer, catalog, liveBelow: Infinity }, NOW));
      before.hrBoard = await median(1, () => orgBoard(db, { catalog, liveBelow: Infinity }, NOW));
    }
    await db.destroy();

    const ok = cases.every((c) => !c.target || c.ms < TARGET_MS);
    const row = (label: string, ms: number, note: string) => console.log(`  ${label.padEnd(52)} ${ms.toFixed(1).padStart(10)} ms   ${note}`);
    console.log(`  ${people.toLocaleString()} people, ${assignments.toLocaleString()} assignments`);
    row("stored scores refresh (background)", refreshMs, `${refresh.people.toLocaleString()} scored, phases ${JSON.stringify(refresh.phases)}`);
    for (const c of cases) {
      const was = before[c.key] !== undefined ? `, was ${(before[c.key] / 1000).toFixed(1)} s live` : "";
      row(c.label, c.ms, `${c.target ? (c.ms < TARGET_MS ? "< 100 ms: OK" : "ABOVE 100 ms") : ""}${was}${c.note ? ` (${c.note})` : ""}`);
    }
    const results = {
      case: "boards",
      at: new Date().toISOString(),
      people,
      assignments,
      refreshMs,
      refreshPhases: refresh.phases,
      ...Object.fromEntries(cases.map((c) => [`${c.key}Ms`, c.ms])),
      liveBeforeMs: before,
      ok,
    };
    fs.mkdirSync(path.resolve("data", "bench"), { recursive: true });
    const out = path.resolve("data", "bench", "boards.json");
    fs.writeFileSync(out, JSON.stringify(results, null, 2));
    return { ok, file: out };
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
