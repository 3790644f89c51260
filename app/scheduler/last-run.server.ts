// When the scheduler last ran, for /healthz: a scheduler that silently stopped is how reminders
// and renewals stop reaching people.
import type { Db } from "../../db/connection";

export async function lastSchedulerRun(db: Db): Promise<{ at: string } | null> {
  const row = await db.selectFrom("audit_log").select("at").where("action", "=", "scheduler.run").orderBy("seq", "desc").limit(1).executeTakeFirst();
  return row ? { at: row.at } : null;
}
