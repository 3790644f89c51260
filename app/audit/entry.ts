// One audit entry's canonical bytes: the JSON array its chain hash has always covered. The same
// bytes are the entry's leaf in the Merkle tree (leaf hash = SHA-256(0x00 ‖ bytes)), so anyone
// holding an entry's fields can recompute both. Pure.
import type { AuditLogTable } from "../../db/schema";
import { leafHash, type Bytes } from "./merkle";

/** An entry's stored fields but its own hash (a type only: this file imports no database code). */
export type EntryFields = Omit<AuditLogTable, "hash">;

export function entryCanonical(e: EntryFields): string {
  return JSON.stringify([e.seq, e.at, e.actor_id, e.action, e.subject_type, e.subject_id, e.data_json, e.prev_hash]);
}

/** The Merkle leaf hash of an entry; its leaf index is seq − 1. */
export function entryLeafHash(e: EntryFields): Bytes {
  return leafHash(entryCanonical(e));
}
