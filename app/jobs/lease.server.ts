// One run at a time across processes and instances: a lease row per kind of work (the scheduler,
// the reporting rollup, the stored scores). A holder that died on this machine (killed mid-run)
// is recognised and replaced at once; elsewhere its lease simply expires.
import os from "node:os";
import { randomUUID } from "node:crypto";
import type { Db } from "../../db/connection";

export const LEASE_MS = 10 * 60_000;

export function leaseHolder(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

function deadHereAlready(holder: string): boolean {
  const [host, pid] = holder.split(":");
  if (host !== os.hostname()) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Takes the lease `name` for `holder` in one atomic statement, on SQLite and PostgreSQL alike:
 * insert it, or take it over when it expired, already is ours, or belongs to a holder that died on
 * this machine — the row we read is the row we replace, so two instances racing for a free or
 * expired lease cannot both win, and neither meets a duplicate-key error.
 * Lease times use the real clock even when a run pretends another "now" (--now). */
export async function acquireLease(db: Db, name: string, holder: string, wallClock = new Date()): Promise<boolean> {
  await settleOwedReleases(db, name);
  const now = wallClock.toISOString();
  const expires = new Date(wallClock.getTime() + LEASE_MS).toISOString();
  const current = await db.selectFrom("scheduler_lease").select("holder").where("name", "=", name).executeTakeFirst();
  const deadHolder = current && current.holder !== holder && deadHereAlready(current.holder) ? current.holder : null;
  const taken = await db
    .insertInto("scheduler_lease")
    .values({ name, holder, expires_at: expires })
    .onConflict((oc) =>
      oc.column("name").doUpdateSet({ holder, expires_at: expires }).where((eb) =>
        eb.or([
          eb("scheduler_lease.expires_at", "<=", now),
          eb("scheduler_lease.holder", "=", holder),
          ...(deadHolder ? [eb("scheduler_lease.holder", "=", deadHolder)] : []),
        ]),
      ),
    )
    .returning("holder")
    .executeTakeFirst();
  return taken?.holder === holder;
}

/** Releases whose statement failed — the database was away (a PostgreSQL restart) as the work
 * ended — by database and lease name. Left alone, such a row would keep every instance, this one
 * included, from the work until it expired (LEASE_MS); the next acquire in this process deletes it. */
const owedReleases = new WeakMap<Db, Map<string, Set<string>>>();

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  try {
    await db.deleteFrom("scheduler_lease").where("name", "=", name).where("holder", "=", holder).execute();
  } catch (err) {
    let byName = owedReleases.get(db);
    if (!byName) owedReleases.set(db, (byName = new Map()));
    byName.set(name, (byName.get(name) ?? new Set()).add(holder));
    throw err;
  }
}

async function settleOwedReleases(db: Db, name: string): Promise<void> {
  const owed = owedReleases.get(db)?.get(name);
  if (!owed?.size) return;
  await db.deleteFrom("scheduler_lease").where("name", "=", name).where("holder", "in", [...owed]).execute();
  owed.clear();
}

const inFlight = new Map<string, WeakMap<object, Promise<unknown>>>();

export type Skipped = { skipped: true; reason: string };

/** Is work under the lease `name` running in this process for this database? */
export function leaseWorkRunning(db: Db, name: string): boolean {
  return inFlight.get(name)?.has(db) ?? false;
}

/** Starts `work` under the lease `name` without waiting for it, unless it is already running in
 * this process. A failure is the work's to record (a refresh records it in its runs table); here
 * it is ignored, and what was there before stays in use. */
export function startUnderLease(db: Db, name: string, work: () => Promise<unknown>): void {
  if (leaseWorkRunning(db, name)) return;
  underLease(db, name, work).catch(() => undefined);
}

/** Runs `work` once at a time: in this process by a shared promise (a call while it runs waits for
 * it, then answers `skipped`), across processes and instances by the lease row `name`. For
 * background work that several places may ask for at once, such as refreshing derived tables. */
export function underLease<T>(db: Db, name: string, work: () => Promise<T>): Promise<T | Skipped> {
  let here = inFlight.get(name);
  if (!here) inFlight.set(name, (here = new WeakMap()));
  const map = here;
  const running = map.get(db);
  if (running) return running.then(
    () => ({ skipped: true as const, reason: "it was already running" }),
    () => ({ skipped: true as const, reason: "it was already running" }),
  );
  const p = (async (): Promise<T | Skipped> => {
    const holder = leaseHolder();
    if (!(await acquireLease(db, name, holder))) return { skipped: true, reason: "another instance is running it" };
    try {
      return await work();
    } finally {
      await releaseLease(db, name, holder);
    }
  })();
  map.set(db, p);
  const clear = () => {
    if (map.get(db) === p) map.delete(db);
  };
  p.then(clear, clear);
  return p;
}
