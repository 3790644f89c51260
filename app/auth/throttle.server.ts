// Password-guessing limits (decision 010). Each key counts failed attempts in a fixed window;
// an attempt is reserved before the password is checked, in one transaction that increments
// every key only if all are under their limit, so parallel requests can never get more checks
// than the limit; a correct password gives its own reservation back (and nothing more: a
// success never clears anyone's failures). Stored in the database so every instance shares
// the counts.
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Clock } from "../clock";

export interface Rule {
  limit: number;
  windowMs: number;
}

const MINUTE = 60_000;

export const RULES = {
  /** One account from one address: the guessing a single attacker can do. */
  accountAndIp: { limit: 10, windowMs: 15 * MINUTE },
  /** One address, all accounts: password spraying from one place, generous for an office NAT. */
  ip: { limit: 100, windowMs: 15 * MINUTE },
  /** One account from everywhere that is not a device it signed in on: the slow global
   * ceiling on distributed guessing. */
  account: { limit: 50, windowMs: 60 * MINUTE },
  /** One account from a browser that signed in to it before (its device cookie). Replaces the
   * global ceiling, so strangers filling it do not lock the owner out. */
  knownDevice: { limit: 10, windowMs: 15 * MINUTE },
  /** Re-entering the password at signing: its own count, never the sign-in's. */
  signing: { limit: 10, windowMs: 15 * MINUTE },
} satisfies Record<string, Rule>;

export interface ThrottleKey {
  key: string;
  rule: Rule;
}

export function signInKeys({ ip, email, deviceId }: { ip: string | null; email: string; deviceId: string | null }): ThrottleKey[] {
  const address = ip ?? "unknown";
  const account = email.trim().toLowerCase();
  return [
    { key: `acct-ip:${account}|${address}`, rule: RULES.accountAndIp },
    { key: `ip:${address}`, rule: RULES.ip },
    deviceId ? { key: `device:${deviceId}|${account}`, rule: RULES.knownDevice } : { key: `acct:${account}`, rule: RULES.account },
  ];
}

export function signingKeys(userId: string): ThrottleKey[] {
  return [{ key: `signing:${userId}`, rule: RULES.signing }];
}

export type Reservation = { ok: true; keys: ThrottleKey[] } | { ok: false; retryAfter: number };

class Blocked extends Error {
  constructor(readonly retryAfter: number) {
    super("blocked");
  }
}

/** Reserves one attempt under every key, or none if any key is at its limit (then says how
 * many seconds until that key's window ends). One transaction; each key is one upsert whose
 * WHERE tests the limit, so the check and the count are a single statement. */
export async function reserveAttempt(db: Kysely<DB>, keys: ThrottleKey[], clock: Clock): Promise<Reservation> {
  const now = clock();
  const at = now.toISOString();
  try {
    await db.transaction().execute(async (trx) => {
      for (const { key, rule } of keys) {
        const windowOver = new Date(now.getTime() - rule.windowMs).toISOString();
        const row = await trx
          .insertInto("auth_throttle")
          .values({ key, failures: 1, window_started_at: at })
          .onConflict((oc) =>
            oc
              .column("key")
              .doUpdateSet({
                failures: sql<number>`case when auth_throttle.window_started_at <= ${windowOver} then 1 else auth_throttle.failures + 1 end`,
                window_started_at: sql<string>`case when auth_throttle.window_started_at <= ${windowOver} then ${at} else auth_throttle.window_started_at end`,
              })
              .where((eb) => eb.or([eb("auth_throttle.window_started_at", "<=", windowOver), eb("auth_throttle.failures", "<", rule.limit)])),
          )
          .returning("failures")
          .executeTakeFirst();
        if (!row) {
          const held = await trx.selectFrom("auth_throttle").select("window_started_at").where("key", "=", key).executeTakeFirstOrThrow();
          throw new Blocked(Math.max(1, Math.ceil((Date.parse(held.window_started_at) + rule.windowMs - now.getTime()) / 1000)));
        }
      }
    });
  } catch (err) {
    if (err instanceof Blocked) return { ok: false, retryAfter: err.retryAfter };
    throw err;
  }
  return { ok: true, keys };
}

/** A correct password: give back the attempt it reserved. */
export async function releaseAttempt(db: Kysely<DB>, keys: ThrottleKey[]): Promise<void> {
  await db
    .updateTable("auth_throttle")
    .set({ failures: sql<number>`failures - 1` })
    .where(
      "key",
      "in",
      keys.map((k) => k.key),
    )
    .where("failures", ">", 0)
    .execute();
}
