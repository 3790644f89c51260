// Produced evidence packs, kept as handed over (the writer of evidence_packs): the JSON file and
// the signed PDF of one snapshot, so that counsel gets both from one production and can match
// them (same packSha256; the PDF states the JSON's SHA-256). Rows are never changed.
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../../db/schema";
import type { EvidencePack } from "./pack.server";
import { appendAudit, auditedTransaction, type AuditEntry } from "../audit/audit.server";
import type { Db } from "../../db/connection";

export async function storeEvidencePack(
  trx: Transaction<DB>,
  p: { id: string; pack: EvidencePack; json: string; jsonSha256: string; pdf: Uint8Array | null; pdfSha256: string | null; producedBy: string | null; now: Date },
): Promise<void> {
  await trx
    .insertInto("evidence_packs")
    .values({
      id: p.id,
      user_id: p.pack.person.id,
      produced_at: p.now.toISOString(),
      produced_by: p.producedBy,
      via: p.pack.generatedBy.via,
      pack_sha256: p.pack.packSha256,
      json_sha256: p.jsonSha256,
      pdf_sha256: p.pdfSha256,
      json: p.json,
      pdf_base64: p.pdf ? Buffer.from(p.pdf).toString("base64") : null,
    })
    .execute();
}

export interface StoredPackSummary {
  id: string;
  produced_at: string;
  via: string;
  produced_by_name: string | null;
  pack_sha256: string;
  json_sha256: string;
  pdf_sha256: string | null;
}

/** The packs produced for one person, newest first (at most `limit`). */
export async function listEvidencePacks(db: Kysely<DB>, { personId, limit = 20 }: { personId: string; limit?: number }): Promise<StoredPackSummary[]> {
  return db
    .selectFrom("evidence_packs as p")
    .leftJoin("users as u", "u.id", "p.produced_by")
    .select(["p.id", "p.produced_at", "p.via", "u.name as produced_by_name", "p.pack_sha256", "p.json_sha256", "p.pdf_sha256"])
    .where("p.user_id", "=", personId)
    .orderBy("p.produced_at", "desc")
    .orderBy("p.id", "desc")
    .limit(limit)
    .execute();
}

/** One stored pack of that person (null if the id is not one of theirs). */
export async function getEvidencePack(db: Kysely<DB>, { personId, packId }: { personId: string; packId: string }): Promise<(StoredPackSummary & { email: string }) | null> {
  const row = await db
    .selectFrom("evidence_packs as p")
    .innerJoin("users as s", "s.id", "p.user_id")
    .leftJoin("users as u", "u.id", "p.produced_by")
    .select(["p.id", "p.produced_at", "p.via", "u.name as produced_by_name", "p.pack_sha256", "p.json_sha256", "p.pdf_sha256", "s.email"])
    .where("p.user_id", "=", personId)
    .where("p.id", "=", packId)
    .executeTakeFirst();
  return row ?? null;
}

/** The stored file of one of that person's packs, byte for byte as first handed over. */
export async function evidencePackFile(
  db: Kysely<DB>,
  { personId, packId, format }: { personId: string; packId: string; format: "json" | "pdf" },
): Promise<Uint8Array | string | null> {
  const row = await db
    .selectFrom("evidence_packs")
    .select(format === "json" ? ["json as body"] : ["pdf_base64 as body"])
    .where("user_id", "=", personId)
    .where("id", "=", packId)
    .executeTakeFirst();
  if (!row || row.body === null) return null;
  return format === "json" ? row.body : new Uint8Array(Buffer.from(row.body, "base64"));
}

/** A produced pack stored and its production recorded in the audit log, in one transaction that
 * takes the audit lock first (decision 017). */
export async function storeProducedPack(db: Db, { stored, audit }: { stored: Parameters<typeof storeEvidencePack>[1]; audit: AuditEntry }): Promise<void> {
  await auditedTransaction(db, async (trx) => {
    await storeEvidencePack(trx, stored);
    await appendAudit(trx, audit, stored.now);
  });
}
