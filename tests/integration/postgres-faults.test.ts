// PostgreSQL as an operator meets it: a server restart terminates the pool's idle connections,
// and the app must drop them and carry on rather than die of an unhandled 'error' event.
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { storageFaultCode } from "../../db/storage";
import { acquireLease, leaseHolder, releaseLease } from "../../app/jobs/lease.server";
import { startPostgres } from "../support/postgres";

let server: Awaited<ReturnType<typeof startPostgres>>;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

test("connections terminated by the server (as on a restart) are dropped and replaced; the process carries on", async () => {
  const errors: Error[] = [];
  const db = createDb(server.url, { poolMax: 3, onPoolError: (err) => errors.push(err) });
  try {
    await migrateToLatest(db);
    // Three idle connections in the pool.
    await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(db)));
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const killed = await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'");
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => storageFaultCode(e))).toContain("57P01");
    // The next queries get fresh connections.
    const rows = await db.selectFrom("users").select(db.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(rows.n).toBe(0);
  } finally {
    await db.destroy();
  }
});

test("a connection terminated while a transaction holds it (between its queries) fails that transaction, not the process", async () => {
  const errors: Error[] = [];
  const db = createDb(server.url, { poolMax: 2, onPoolError: (err) => errors.push(err) });
  try {
    await migrateToLatest(db);
    const outcome = await db
      .transaction()
      .execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        const admin = new pg.Client({ connectionString: server.url });
        await admin.connect();
        await admin.query("select pg_terminate_backend($1)", [rows[0].pid]);
        await admin.end();
        // The checked-out client hears of it while the transaction waits here in JavaScript:
        // without a listener on the client itself that 'error' event would end the process.
        await new Promise((r) => setTimeout(r, 300));
        await sql`select 1`.execute(trx);
        return "committed";
      })
      .catch(() => "failed");
    expect(outcome).toBe("failed");
    expect(errors.map((e) => e.message).join(" ")).toMatch(/terminat/i);
    // The broken client was discarded: the next query gets a working connection.
    const rows = await db.selectFrom("users").select(db.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(0);
  } finally {
    await db.destroy();
  }
});

test("a statement waiting on a lock longer than the lock timeout fails with a storage fault instead of hanging the page", async () => {
  const db = createDb(server.url, { lockTimeoutMs: 300 });
  const holder = new pg.Client({ connectionString: server.url });
  await holder.connect();
  try {
    await migrateToLatest(db);
    await holder.query("begin");
    await holder.query("lock table users in access exclusive mode");
    const started = Date.now();
    const err = await db.selectFrom("users").selectAll().execute().catch((e: unknown) => e);
    expect(storageFaultCode(err)).toBe("55P03");
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    await holder.query("rollback").catch(() => {});
    await holder.end();
    await db.destroy();
  }
});

test("a lease whose release failed while PostgreSQL was down is let go by this process's next acquire: the scheduler resumes at once, not when the lease expires", async () => {
  const db = createDb(server.url, { connectTimeoutMs: 1_000 });
  const other = createDb(server.url);
  try {
    await migrateToLatest(db);
    const first = leaseHolder();
    expect(await acquireLease(db, "scheduler", first)).toBe(true);
    server.pause();
    try {
      expect(storageFaultCode(await releaseLease(db, "scheduler", first).catch((e: unknown) => e))).not.toBeNull();
    } finally {
      server.start();
    }
    // The row outlived the failed release: another instance still finds the lease held…
    expect(await acquireLease(other, "scheduler", "other-host:1:after-restart")).toBe(false);
    // …until this process's next run, which deletes what it owed and takes the lease.
    expect(await acquireLease(db, "scheduler", leaseHolder())).toBe(true);
  } finally {
    await other.destroy();
    await db.destroy();
  }
});
