// A checkpoint never holds the writers' lock for longer than a constant: whatever the number of
// new entries, its write transactions only check the stored tree size (or the newest checkpoint)
// and insert at most one chunk's nodes (or one checkpoint row). Entries are read, hashed and
// roots computed outside them; with nothing new, no write transaction is opened at all. Holds
// what each write transaction executes, statement by statement, on SQLite and PostgreSQL.
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { KyselyPlugin, OperationNode, Transaction } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import type { DB } from "../../db/schema";
import { entryHash, GENESIS_HASH, verifyAuditChain } from "../../app/audit/audit.server";
import { takeCheckpoint } from "../../app/audit/anchors.server";
import { verifyInclusion } from "../../app/audit/merkle";
import { entryLeafHash } from "../../app/audit/entry";
import { inclusionProofs } from "../../app/audit/tree.server";
import { fromPrivateKey } from "../../app/keys/instance-key.server";
import type { AuditAnchorConfig } from "../../app/config.server";
import { freshDb, type TestDb } from "../support/db";
import { startPostgres } from "../support/postgres";

const key = fromPrivateKey(generateKeyPairSync("ed25519").privateKey);
let tmp: string;
let anchors: AuditAnchorConfig;
let sqlite: TestDb;
let pg: Awaited<ReturnType<typeof startPostgres>>;
let pgDb: Db;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-cp-tx-"));
  anchors = { origin: "confidant.test/audit-log", anchorFile: path.join(tmp, "anchors.jsonl"), tsaUrl: null, tsaCaFile: null };
  sqlite = await freshDb();
  pg = await startPostgres();
  pgDb = createDb(pg.url);
  await migrateToLatest(pgDb);
}, 120_000);
afterAll(async () => {
  await sqlite?.close();
  await pgDb?.destroy();
  pg?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Appends `n` chained entries after the last one (in batches, as fast as the database allows). */
async function appendEntries(db: Db, n: number) {
  const last = await db.selectFrom("audit_log").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst();
  let prev = last?.hash ?? GENESIS_HASH;
  const from = Number(last?.seq ?? 0) + 1;
  const rows = [];
  for (let seq = from; seq < from + n; seq++) {
    const e = { seq, at: new Date(Date.UTC(2027, 2, 1) + seq * 1000).toISOString(), actor_id: "usr_x", action: "test.entry", subject_type: "user", subject_id: "usr_x", data_json: `{"n":${seq}}`, prev_hash: prev };
    prev = entryHash(e);
    rows.push({ ...e, hash: prev });
  }
  for (let i = 0; i < rows.length; i += 500) await db.insertInto("audit_log").values(rows.slice(i, i + 500)).execute();
}

function describe(node: OperationNode): string {
  const n = node as unknown as Record<string, any>;
  const table = (t: any) => t?.table?.identifier?.name ?? t?.node?.table?.identifier?.name ?? "?";
  if (node.kind === "SelectQueryNode") return `select ${table(n.from?.froms?.[0])}`;
  if (node.kind === "InsertQueryNode") return `insert ${table(n.into)} ${n.values?.values?.length ?? 0}`;
  if (node.kind === "RawNode") return `raw ${(n.sqlFragments as string[]).join("?").trim()} ${(n.parameters as Array<{ value?: unknown }>).map((p) => String(p.value)).join(",")}`.trim();
  return node.kind;
}

/** The database, with every statement of every transaction opened through it recorded. */
function watched(db: Db): { db: Db; transactions: string[][] } {
  const transactions: string[][] = [];
  const recorder = (log: string[]): KyselyPlugin => ({
    transformQuery: ({ node }) => {
      log.push(describe(node));
      return node;
    },
    transformResult: async ({ result }) => result,
  });
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === "transaction") {
        return () => ({
          execute: <T,>(fn: (trx: Transaction<DB>) => Promise<T>) =>
            target.transaction().execute((trx) => {
              const log: string[] = [];
              transactions.push(log);
              return fn(trx.withPlugin(recorder(log)));
            }),
        });
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: proxy, transactions };
}

// The tree's and the checkpoints' own advisory locks (727275, 727276); never the audit log's (727274).
const ALLOWED = /^(select audit_tree_nodes|select audit_checkpoints|insert audit_tree_nodes \d+|insert audit_checkpoints 1|raw select pg_advisory_xact_lock\(\?\) 72727[56])$/;

async function checkpointTransactions(db: Db) {
  const w = watched(db);
  const taken = await takeCheckpoint(w.db, { key, anchors, now: new Date("2027-04-01T09:00:00.000Z") });
  return { taken, transactions: w.transactions };
}

for (const which of ["SQLite", "PostgreSQL"] as const) {
  const dbOf = () => (which === "SQLite" ? sqlite.db : pgDb);

  test(`${which}: a checkpoint over 2,600 new entries writes in short transactions that read no entry and insert at most 2,000 nodes each`, async () => {
    const db = dbOf();
    await appendEntries(db, 2600);
    const { taken, transactions } = await checkpointTransactions(db);
    expect(taken?.checkpoint.treeSize).toBe(2600);
    // Three chunks of the tree (1,000 + 1,000 + 600 leaves) and the checkpoint row.
    expect(transactions).toHaveLength(4);
    for (const statements of transactions) {
      for (const s of statements) expect(s).toMatch(ALLOWED);
      expect(statements.filter((s) => s.startsWith("select")).length).toBeLessThanOrEqual(1);
      const inserted = statements.filter((s) => s.startsWith("insert audit_tree_nodes")).reduce((sum, s) => sum + Number(s.split(" ")[2]), 0);
      expect(inserted).toBeLessThanOrEqual(2000);
    }
    expect(transactions[3].filter((s) => !s.startsWith("raw"))).toEqual(["select audit_checkpoints", "insert audit_checkpoints 1"]);
    // The tree the short transactions built proves entries against the signed root.
    const seqs = [1, 1000, 1001, 2600];
    const entries = await db.selectFrom("audit_log").selectAll().where("seq", "in", seqs).orderBy("seq").execute();
    const proofs = await inclusionProofs(db, seqs, taken!.checkpoint);
    proofs.forEach((p, i) => expect(verifyInclusion({ ...p, leafHash: entryLeafHash(entries[i]), rootHash: taken!.checkpoint.rootHash })).toBe(true));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: 2600 });
  }, 120_000);

  test(`${which}: with nothing new a checkpoint opens no write transaction; ten new entries take two one-chunk transactions`, async () => {
    const db = dbOf();
    const idle = await checkpointTransactions(db);
    expect(idle.taken?.created).toBe(false);
    expect(idle.transactions).toEqual([]);
    await appendEntries(db, 10);
    const { taken, transactions } = await checkpointTransactions(db);
    expect(taken).toMatchObject({ created: true, checkpoint: { treeSize: 2610 } });
    expect(transactions).toHaveLength(2);
    expect(transactions[0].filter((s) => !s.startsWith("raw"))).toEqual(["select audit_tree_nodes", expect.stringMatching(/^insert audit_tree_nodes \d+$/)]);
  }, 120_000);
}
