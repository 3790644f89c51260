// What HR sees of the audit log's anchoring: the newest checkpoint, its timestamp, and the
// checkpoints still waiting for the TSA (with the last reason it failed). HR only.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import { checkpointFor } from "./anchors.server";

export interface AnchoringStatus {
  entries: number;
  latest: { treeSize: number; createdAt: string; timestamp: "none" | "pending" | "stamped"; genTime: string | null } | null;
  pending: { count: number; oldestSince: string | null; attempts: number; lastError: string | null };
  tsaConfigured: boolean;
  origin: string;
}

export async function anchoringStatus(
  db: Kysely<DB>,
  { viewer, tsaUrl, origin }: { viewer: { is_hr: number }; tsaUrl: string | null; origin: string },
): Promise<AnchoringStatus | null> {
  if (viewer.is_hr !== 1) return null;
  const [latest, pending, last, entries] = await Promise.all([
    checkpointFor(db),
    db
      .selectFrom("audit_checkpoints")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.min("created_at").as("oldest")])
      .where("tsa_status", "=", "pending")
      .executeTakeFirstOrThrow(),
    db.selectFrom("audit_checkpoints").select(["tsa_attempts", "tsa_last_error"]).where("tsa_status", "=", "pending").orderBy("tree_size", "desc").limit(1).executeTakeFirst(),
    db.selectFrom("audit_log").select((eb) => eb.fn.max("seq").as("n")).executeTakeFirstOrThrow(),
  ]);
  return {
    entries: Number(entries.n ?? 0),
    latest: latest ? { treeSize: latest.treeSize, createdAt: latest.createdAt, timestamp: latest.timestamp.status, genTime: latest.timestamp.genTime } : null,
    pending: { count: Number(pending.n), oldestSince: pending.oldest ?? null, attempts: last?.tsa_attempts ?? 0, lastError: last?.tsa_last_error ?? null },
    tsaConfigured: Boolean(tsaUrl),
    origin,
  };
}
