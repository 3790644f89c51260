// npm run audit:verify, the checks: the hash chain entry by entry; the Merkle root recomputed
// from the entries at every checkpoint's size (database and anchor file); every checkpoint's
// signature; every timestamp token (signature, imprint, TSA chain to the trust anchor); the log
// not shorter than its last checkpoint or its last anchor; entries past the last checkpoint not
// dated before it; and every evidence row against the entry that recorded it.
// Status 0: intact · 1: tampered (or behind its anchor), first problem first · 2: could not check.
import type { Kysely } from "kysely";
import type { KeyObject } from "node:crypto";
import type { DB } from "../../db/schema";
import { GENESIS_HASH, auditPages, chainProblem } from "./audit.server";
import { listCheckpoints, readAnchorFile, type AnchorLine, type CheckpointRecord } from "./anchors.server";
import { verifyCheckpointSignature } from "./checkpoint";
import { entryLeafHash } from "./entry";
import { CompactRange, toBase64 } from "./merkle";
import { RecordedRows, crossCheckRows } from "./rows.server";
import { verifyTimestampToken } from "./timestamp";

/** How much earlier than a checkpoint an entry it does not include may be dated (a transaction in flight). */
const IN_FLIGHT_MS = 60_000;

export interface AuditVerifyOptions {
  /** The instance's public key; null when there is none (no key was ever made here). */
  publicKey: KeyObject | string | null;
  /** The anchor file to check against (the one under DATA_DIR, or a copy shipped elsewhere). */
  anchorFile: string | null;
  trustAnchorsPem: string | null;
}

export interface AuditReport {
  status: 0 | 1 | 2;
  entries: number;
  head: string;
  problems: string[];
  unchecked: string[];
  notes: string[];
}

interface Claim {
  treeSize: number;
  rootHash: string;
  createdAt: string;
  source: "database" | "anchor file";
}

export async function verifyAuditLog(db: Kysely<DB>, opts: AuditVerifyOptions): Promise<AuditReport> {
  const report: AuditReport = { status: 0, entries: 0, head: GENESIS_HASH, problems: [], unchecked: [], notes: [] };
  const checkpoints = await listCheckpoints(db);
  const anchored = readAnchors(opts.anchorFile, checkpoints, report);
  const claims = [...checkSignatures(checkpoints, "database", opts.publicKey, report), ...checkSignatures(anchored.checkpoints, "anchor file", opts.publicKey, report)];
  compareAnchorsWithDatabase(anchored.checkpoints, checkpoints, report);
  const recorded = new RecordedRows();
  const walk = await walkLog(db, claims, recorded, report);
  checkLength(walk, claims, report);
  await checkTimestamps(checkpoints, anchored.timestamps, opts.trustAnchorsPem, report);
  const rows = await crossCheckRows(db, recorded);
  report.problems.push(...rows.problems);
  const c = rows.checked;
  report.notes.push(`rows cross-checked: ${c.attestation} attestations, ${c["quiz attempt"]} quiz attempts, ${c.exemption} exemptions, ${c.extension} extensions`);
  if (rows.legacy) report.notes.push(`${rows.legacy} evidence rows were recorded before entries carried row hashes: their presence is checked, their content is not`);
  report.status = report.problems.length ? 1 : report.unchecked.length ? 2 : 0;
  return report;
}

function readAnchors(file: string | null, checkpoints: CheckpointRecord[], report: AuditReport) {
  const out = { checkpoints: [] as Array<Extract<AnchorLine, { kind: "checkpoint" }>>, timestamps: [] as Array<Extract<AnchorLine, { kind: "timestamp" }>> };
  if (!file) return out;
  const read = readAnchorFile(file);
  if (!read.ok) {
    if (!read.missing) report.unchecked.push(read.problem);
    else if (checkpoints.length) report.unchecked.push(`${read.problem}, though the database holds ${checkpoints.length} checkpoints: truncation of the database together with its checkpoints cannot be seen without it (pass --anchors with the copy shipped elsewhere)`);
    return out;
  }
  for (const line of read.lines) (line.kind === "checkpoint" ? out.checkpoints : out.timestamps).push(line as never);
  return out;
}

function checkSignatures(list: Array<{ treeSize: number; rootHash: string; createdAt: string; note: string }>, source: Claim["source"], publicKey: KeyObject | string | null, report: AuditReport): Claim[] {
  const claims: Claim[] = [];
  if (!publicKey) {
    if (list.length) report.unchecked.push(`the ${source} holds ${list.length} checkpoints but there is no instance public key to check them with (pass --public-key)`);
    return claims;
  }
  for (const c of list) {
    const check = verifyCheckpointSignature(c.note, publicKey);
    if (!check.ok) {
      report.problems.push(`the checkpoint of ${c.treeSize} entries in the ${source} (taken ${c.createdAt}) is not validly signed: ${check.problem}`);
      continue;
    }
    if (check.checkpoint.treeSize !== c.treeSize || check.checkpoint.rootHash !== c.rootHash) {
      report.problems.push(`the checkpoint of ${c.treeSize} entries in the ${source} does not match its own signed note`);
      continue;
    }
    claims.push({ treeSize: c.treeSize, rootHash: c.rootHash, createdAt: c.createdAt, source });
  }
  return claims;
}

function compareAnchorsWithDatabase(anchored: Array<{ treeSize: number; note: string; createdAt: string }>, checkpoints: CheckpointRecord[], report: AuditReport) {
  const inDb = new Map(checkpoints.map((c) => [c.treeSize, c]));
  const newestDb = checkpoints.at(-1)?.treeSize ?? 0;
  for (const a of anchored) {
    const d = inDb.get(a.treeSize);
    if (d && d.note !== a.note) report.problems.push(`the checkpoint of ${a.treeSize} entries in the database differs from the anchored one (taken ${a.createdAt})`);
    if (!d && a.treeSize > newestDb) report.problems.push(`the anchored head is missing from the database: the anchor file's checkpoint of ${a.treeSize} entries (taken ${a.createdAt}) is not in audit_checkpoints`);
  }
}

interface Walk {
  entries: number;
  lastAt: string | null;
  chainBroken: boolean;
}

/** One pass over the log: the chain, the roots at every claimed size, and what the entries record. */
async function walkLog(db: Kysely<DB>, claims: Claim[], recorded: RecordedRows, report: AuditReport): Promise<Walk> {
  const bySize = new Map<number, Claim[]>();
  for (const c of claims) bySize.set(c.treeSize, [...(bySize.get(c.treeSize) ?? []), c]);
  const sorted = [...claims].sort((a, b) => a.treeSize - b.treeSize);
  const last = sorted.at(-1);
  const range = new CompactRange();
  const walk: Walk = { entries: 0, lastAt: null, chainBroken: false };
  let mismatched: Claim | null = null;
  for await (const row of auditPages(db, 5000)) {
    const seq = Number(row.seq);
    if (!walk.chainBroken) {
      const broken = chainProblem(row, walk.entries + 1, report.head);
      if (broken) {
        report.problems.push(`audit chain BROKEN at entry ${seq === walk.entries + 1 ? seq : walk.entries + 1}: ${broken}`);
        walk.chainBroken = true;
      } else report.head = row.hash;
    }
    walk.entries++;
    walk.lastAt = row.at;
    range.push(entryLeafHash(row));
    recorded.note(row);
    for (const claim of bySize.get(range.size) ?? []) {
      const root = toBase64(range.root());
      if (root !== claim.rootHash && !mismatched) {
        mismatched = claim;
        report.problems.push(`an entry among the first ${claim.treeSize} was changed under the checkpoint of ${claim.treeSize} entries taken ${claim.createdAt} (${claim.source}): the recomputed Merkle root differs`);
      } else if (root === claim.rootHash && mismatched && mismatched.treeSize < claim.treeSize) {
        report.problems.push(`the checkpoint of ${claim.treeSize} entries taken ${claim.createdAt} is not consistent with its predecessor of ${mismatched.treeSize} entries: the log was rewritten between them`);
        mismatched = null;
      }
    }
    if (last && range.size > last.treeSize && Date.parse(row.at) < Date.parse(last.createdAt) - IN_FLIGHT_MS) {
      report.problems.push(`entry ${seq} is dated ${row.at}, before the checkpoint of ${last.treeSize} entries taken ${last.createdAt} that does not include it (appended afterwards, backdated)`);
    }
  }
  report.entries = walk.entries;
  return walk;
}

function checkLength(walk: Walk, claims: Claim[], report: AuditReport) {
  const db = claims.filter((c) => c.source === "database").sort((a, b) => b.treeSize - a.treeSize)[0];
  const anchor = claims.filter((c) => c.source === "anchor file").sort((a, b) => b.treeSize - a.treeSize)[0];
  const ends = walk.lastAt ? `; the log ends at entry ${walk.entries} (${walk.lastAt})` : "";
  if (db && walk.entries < db.treeSize) {
    report.problems.unshift(`the audit log was truncated below its last checkpoint: it holds ${walk.entries} entries, the checkpoint taken ${db.createdAt} covers ${db.treeSize} (${db.treeSize - walk.entries} missing${ends})`);
  } else if (anchor && walk.entries < anchor.treeSize) {
    report.problems.unshift(`the database is behind its last anchor by ${anchor.treeSize - walk.entries} entries: the anchor file's checkpoint taken ${anchor.createdAt} covers ${anchor.treeSize}, the database holds ${walk.entries}${ends} (restored from an older backup, or truncated)`);
  }
  if (!claims.length) report.notes.push("no checkpoint yet: nothing anchors the log outside the database (run npm run audit:checkpoint)");
  const newest = Math.max(0, ...claims.map((c) => c.treeSize));
  if (newest && walk.entries > newest) report.notes.push(`${walk.entries - newest} entries are newer than the last checkpoint (not yet anchored)`);
}

async function checkTimestamps(checkpoints: CheckpointRecord[], anchored: Array<{ treeSize: number; token: string }>, trustAnchorsPem: string | null, report: AuditReport) {
  const notes = new Map(checkpoints.map((c) => [c.treeSize, c.note]));
  const tokens = [
    ...checkpoints.filter((c) => c.timestamp.token).map((c) => ({ treeSize: c.treeSize, token: c.timestamp.token!, note: c.note, source: "database" })),
    ...anchored.filter((t) => notes.has(t.treeSize)).map((t) => ({ treeSize: t.treeSize, token: t.token, note: notes.get(t.treeSize)!, source: "anchor file" })),
  ];
  const valid = { database: 0, "anchor file": 0 };
  for (const t of tokens) {
    const check = await verifyTimestampToken({ token: t.token, data: t.note, trustAnchorsPem });
    if (check.ok) valid[t.source as keyof typeof valid]++;
    else if (check.unchecked) {
      report.unchecked.push(`${tokens.length} timestamp tokens not checked: ${check.problem}`);
      break;
    } else report.problems.push(`the timestamp token of the checkpoint of ${t.treeSize} entries (${t.source}) is not valid: ${check.problem}`);
  }
  const pending = checkpoints.filter((c) => c.timestamp.status === "pending");
  if (tokens.length) report.notes.push(`timestamp tokens valid: ${valid.database} in the database, ${valid["anchor file"]} in the anchor file`);
  if (pending.length) report.notes.push(`${pending.length} checkpoints await their timestamp (last error: ${pending.at(-1)!.timestamp.lastError ?? "not tried yet"})`);
}
