// One scheduler run at a time across processes and instances: a lease row. A holder that died
// on this machine (killed mid-run) is recognised and replaced at once; elsewhere its lease
// simply expires.
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

/** Lease times use the real clock even when a run pretends another "now" (--now). */
export async function acquireLease(db: Db, name: string, holder: string, wallClock = new Date()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom("scheduler_lease").selectAll().where("name", "=", name).executeTakeFirst();
    const expires = new Date(wallClock.getTime() + LEASE_MS).toISOString();
    if (!row) {
      await trx.insertInto("scheduler_lease").values({ name, holder, expires_at: expires }).execute();
      return true;
    }
    if (row.holder !== holder && row.expires_at > wallClock.toISOString() && !deadHereAlready(row.holder)) return false;
    await trx.updateTable("scheduler_lease").set({ holder, expires_at: expires }).where("name", "=", name).execute();
    return true;
  });
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.deleteFrom("scheduler_lease").where("name", "=", name).where("holder", "=", holder).execute();
}
