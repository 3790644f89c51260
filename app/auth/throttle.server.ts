// Sign-in throttling: an IP is blocked for 10 minutes after 10 consecutive failures; an
// account accepts at most 100 failed attempts an hour, whichever IPs they come from. Stored in
// the database so every app instance sees the same counts.
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";

interface Rule {
  limit: number;
  windowMs: number;
  blockMs: number;
}

export const IP_RULE: Rule = { limit: 10, windowMs: 10 * 60_000, blockMs: 10 * 60_000 };
export const ACCOUNT_RULE: Rule = { limit: 100, windowMs: 60 * 60_000, blockMs: 60 * 60_000 };

export function throttleKeys(ip: string | null, email: string) {
  return [
    { key: `ip:${ip ?? "unknown"}`, rule: IP_RULE },
    { key: `account:${email.trim().toLowerCase()}`, rule: ACCOUNT_RULE },
  ];
}

/** Seconds until the caller may try again, or 0 when not blocked. */
export async function retryAfterSeconds(db: Db, keys: string[], clock: Clock): Promise<number> {
  if (keys.length === 0) return 0;
  const now = clock().getTime();
  const rows = await db
    .selectFrom("auth_throttle")
    .select(["blocked_until"])
    .where("key", "in", keys)
    .execute();
  let wait = 0;
  for (const r of rows) {
    if (r.blocked_until) wait = Math.max(wait, Math.ceil((Date.parse(r.blocked_until) - now) / 1000));
  }
  return Math.max(0, wait);
}

export async function recordFailure(db: Db, entries: Array<{ key: string; rule: Rule }>, clock: Clock) {
  const now = clock();
  await db.transaction().execute(async (trx) => {
    for (const { key, rule } of entries) {
      const row = await trx.selectFrom("auth_throttle").selectAll().where("key", "=", key).executeTakeFirst();
      const windowOpen = row && now.getTime() - Date.parse(row.window_started_at) < rule.windowMs;
      const failures = windowOpen ? row.failures + 1 : 1;
      const values = {
        failures,
        window_started_at: windowOpen ? row.window_started_at : now.toISOString(),
        blocked_until: failures >= rule.limit ? new Date(now.getTime() + rule.blockMs).toISOString() : null,
      };
      if (row) await trx.updateTable("auth_throttle").set(values).where("key", "=", key).execute();
      else await trx.insertInto("auth_throttle").values({ key, ...values }).execute();
    }
  });
}

/** A success clears the IP's run of failures; the account's hourly count stands. */
export async function recordSuccess(db: Db, ip: string | null) {
  await db.deleteFrom("auth_throttle").where("key", "=", `ip:${ip ?? "unknown"}`).execute();
}
