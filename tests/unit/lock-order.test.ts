// The one lock order (docs/decisions/017-lock-order-and-lease.md) as a rule on the source: a
// write transaction that appends to the audit log is opened with auditedTransaction, which takes
// the audit lock first. Only these transactions, which never append, open one directly.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { root, sourceFiles } from "../support/source-files";

const NEVER_APPEND = [
  "app/audit/anchors.server.ts", // checkpoints, under their own lock
  "app/audit/audit.server.ts", // auditedTransaction itself
  "app/audit/tree.server.ts", // the Merkle tree over entries already appended
  "app/auth/throttle.server.ts", // failed-password counters
  "app/evidence/pack.server.ts", // a read-only snapshot (storing the produced pack is audited, through auditedTransaction)
  "app/jobs/generations.server.ts", // derived tables, rebuilt in batches
  "app/recognition/scores-refresh.server.ts", // derived scores
];

test("every transaction that may append to the audit log takes the audit lock first", () => {
  const direct = sourceFiles("app").filter((f) => /\.transaction\(\)/.test(fs.readFileSync(path.join(root, f), "utf8")));
  expect(direct.sort()).toEqual([...NEVER_APPEND].sort());
  for (const f of NEVER_APPEND.filter((f) => f !== "app/audit/audit.server.ts")) {
    expect(fs.readFileSync(path.join(root, f), "utf8"), f).not.toMatch(/appendAudit\(/);
  }
});
