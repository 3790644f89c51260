// The scheduler lease on both databases, raced by several instances at once (each its own
// connection): exactly one holder every time, and nobody meets an error — whether the lease is
// free, freshly released, or left expired by a holder that died elsewhere.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { acquireLease, LEASE_MS, releaseLease } from "../../app/jobs/lease.server";
import { freshDb, type TestDb } from "../support/db";
import { startPostgres } from "../support/postgres";

const INSTANCES = 3;
const ROUNDS = 30;

async function race(dbs: Db[], name: string, round: number, wallClock?: Date) {
  const results = await Promise.allSettled(dbs.map((db, i) => acquireLease(db, name, `other-host:${1000 + i}:r${round}`, wallClock)));
  const errors = results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
  const winners = results.flatMap((r, i) => (r.status === "fulfilled" && r.value ? [i] : []));
  return { errors, winners };
}

async function exerciseLease(dbs: Db[]) {
  // Free lease (the normal case: release deletes the row), all instances starting together.
  for (let round = 0; round < ROUNDS; round++) {
    const { errors, winners } = await race(dbs, "scheduler", round);
    expect(errors).toEqual([]);
    expect(winners).toHaveLength(1);
    await releaseLease(dbs[winners[0]], "scheduler", `other-host:${1000 + winners[0]}:r${round}`);
  }
  // A holder on another machine died and left its row to expire.
  for (let round = 0; round < 10; round++) {
    const past = new Date(Date.now() - LEASE_MS - 60_000);
    expect(await acquireLease(dbs[0], "scheduler", `dead-host:1:r${round}`, past)).toBe(true);
    const { errors, winners } = await race(dbs, "scheduler", 100 + round);
    expect(errors).toEqual([]);
    expect(winners).toHaveLength(1);
    // While the winner holds it, nobody else gets it.
    const again = await race(dbs.filter((_, i) => i !== winners[0]), "scheduler", 200 + round);
    expect(again.winners).toEqual([]);
    await releaseLease(dbs[winners[0]], "scheduler", `other-host:${1000 + winners[0]}:r${100 + round}`);
  }
}

test("SQLite: three instances racing for the lease, free or expired, give one holder and no errors", async () => {
  const t: TestDb = await freshDb();
  const dbs = [t.db, ...Array.from({ length: INSTANCES - 1 }, () => createDb(t.url))];
  try {
    await exerciseLease(dbs);
  } finally {
    for (const db of dbs.slice(1)) await db.destroy();
    await t.close();
  }
});

let pg: Awaited<ReturnType<typeof startPostgres>>;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(() => pg?.stop());

test("PostgreSQL: three instances racing for the lease, free or expired, give one holder and no errors", async () => {
  const dbs = Array.from({ length: INSTANCES }, () => createDb(pg.url));
  try {
    await migrateToLatest(dbs[0]);
    await exerciseLease(dbs);
  } finally {
    for (const db of dbs) await db.destroy();
  }
});
