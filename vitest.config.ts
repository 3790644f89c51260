import path from "node:path";
import { defineConfig } from "vitest/config";

/** With CONFIDANT_TEST_DB=postgres (`npm run test:postgres`) the database-backed suites run again on
 * PostgreSQL. These files stay SQLite-only, each for its reason: */
const SQLITE_ONLY = [
  // Faults of SQLite's own file: a full tmpfs, a read-only folder, a damaged page.
  "tests/integration/storage-faults.test.ts",
  // Tampering through SQLite: dropping its triggers and editing rows in the file (the anchored
  // log's PostgreSQL tampering is audit-anchors-postgres).
  "tests/integration/audit-chain.test.ts",
  "tests/integration/audit-anchors.test.ts",
  // SQLite's storage-order (rowid) paths; their PostgreSQL paths have their own tests
  // (export-postgres, team-postgres, hr-dashboard-postgres).
  "tests/integration/export-assignments.test.ts",
  "tests/integration/team-scale.test.ts",
  "tests/integration/recognition-board-scale.test.ts",
  // SQLite's single-writer behaviour: threads on one file, a busy timeout, a forced failure in
  // SQLite's dialect; the lease race runs on both databases in lease.test.ts.
  "tests/integration/scheduler-concurrency.test.ts",
  "tests/integration/scheduler-assigned-elsewhere.test.ts",
  "tests/integration/roster-import.test.ts",
  // They start their own SQLite databases (the demo start, the scheduler command's signals).
  "tests/integration/demo-start.test.ts",
  "tests/integration/scheduler-cli-signals.test.ts",
  // Already PostgreSQL tests, with a server of their own.
  "tests/integration/*postgres*.test.ts",
  "tests/integration/lease.test.ts",
  "tests/e2e/multi-instance.test.ts",
];

export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  esbuild: { jsx: "automatic" },
  test: {
    include: process.env.CONFIDANT_TEST_DB === "postgres" ? ["tests/integration/**/*.test.ts", "tests/e2e/**/*.test.ts"] : ["tests/**/*.test.{ts,tsx}"],
    exclude: process.env.CONFIDANT_TEST_DB === "postgres" ? ["**/node_modules/**", ...SQLITE_ONLY] : ["**/node_modules/**"],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e files drive one browser each; keep the machine's two cores from thrashing.
    maxWorkers: 2,
  },
});
