// The bearer tokens an identity provider (Okta, Microsoft Entra ID…) uses to provision people
// over SCIM. HR creates one, sees it once, and can revoke it; only its SHA-256 is stored, and
// creating and revoking are audited. The only module that writes `scim_tokens`.
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/schema";
import type { Clock } from "../clock";
import { randomId } from "../ids.server";
import { sha256Hex } from "../hash.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";

/** Writing `last_used_at` costs a write per call; do it at most this often. */
const TOUCH_INTERVAL_MS = 60_000;

export const tokenNameSchema = z.object({
  name: z
    .string({ required_error: "Name the token after the system that will use it." })
    .transform((v) => v.replace(/\s+/g, " ").trim())
    .pipe(z.string().min(1, "Name the token after the system that will use it.").max(100, "Keep the name under 100 characters.")),
});

export interface ScimTokenRow {
  id: string;
  name: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function listScimTokens(db: Kysely<DB>, { viewer }: { viewer: { is_hr: number } }): Promise<ScimTokenRow[]> {
  if (!viewer.is_hr) return [];
  const rows = await db
    .selectFrom("scim_tokens as t")
    .innerJoin("users as u", "u.id", "t.created_by")
    .select(["t.id", "t.name", "t.created_at", "u.name as created_by", "t.last_used_at", "t.revoked_at"])
    .orderBy("t.created_at", "desc")
    .orderBy("t.id")
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, createdBy: r.created_by, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

export type CreatedToken = { ok: true; id: string; token: string; name: string } | { ok: false; message: string };

/** A new token: returned here once, never stored or shown again. */
export async function createScimToken(db: Kysely<DB>, input: { name: unknown; actorId: string }, clock: Clock): Promise<CreatedToken> {
  const parsed = tokenNameSchema.safeParse({ name: input.name });
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0].message };
  const token = `scim_${randomId(32)}`;
  const id = `sct_${randomId()}`;
  const now = clock();
  await auditedTransaction(db, async (trx) => {
    await trx
      .insertInto("scim_tokens")
      .values({ id, name: parsed.data.name, token_sha256: sha256Hex(token), created_by: input.actorId, created_at: now.toISOString(), last_used_at: null, revoked_at: null, revoked_by: null })
      .execute();
    await appendAudit(trx, { actorId: input.actorId, action: "scim.token_created", subjectType: "scim_token", subjectId: id, data: { name: parsed.data.name } }, now);
  });
  return { ok: true, id, token, name: parsed.data.name };
}

/** Revokes a token at once: the next request that carries it is refused. False when there was
 * no such token, or it was revoked already. */
export async function revokeScimToken(db: Kysely<DB>, input: { id: string; actorId: string }, clock: Clock): Promise<boolean> {
  const now = clock();
  return auditedTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable("scim_tokens")
      .set({ revoked_at: now.toISOString(), revoked_by: input.actorId })
      .where("id", "=", input.id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await appendAudit(trx, { actorId: input.actorId, action: "scim.token_revoked", subjectType: "scim_token", subjectId: input.id }, now);
    return true;
  });
}

/** The token's id when `token` is a live SCIM token, else null. */
export async function authenticateScimToken(db: Kysely<DB>, token: string, clock: Clock): Promise<{ id: string } | null> {
  if (!/^scim_[a-z2-7]{20,80}$/.test(token)) return null;
  const row = await db.selectFrom("scim_tokens").select(["id", "last_used_at", "revoked_at"]).where("token_sha256", "=", sha256Hex(token)).executeTakeFirst();
  if (!row || row.revoked_at) return null;
  const now = clock();
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) {
    await db.updateTable("scim_tokens").set({ last_used_at: now.toISOString() }).where("id", "=", row.id).where("revoked_at", "is", null).execute();
  }
  return { id: row.id };
}
