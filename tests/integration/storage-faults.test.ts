// Storage faults told truthfully: a full disk is SQLITE_FULL to the operator and "nothing was
// recorded, try again" (503) to the person; a damaged, read-only or newer database is refused
// at start with what to do about it. The disk is a real tmpfs mounted by the test (CI runs as root).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { sql } from "kysely";
import { afterEach, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { checkStorageAtStart } from "../../db/storage";
import { boot, waitForDatabase } from "../../app/boot.server";
import { runOnce } from "../../app/scheduler/run.server";
import { createApp } from "../../app/http/app.server";
import { readConfig } from "../../app/config.server";
import { fixedClock } from "../../app/clock";
import { makePerson } from "../../app/demo/factories.server";
import { passwordHash, PASSWORD, realCatalog, SECRET } from "../support/world";
import { serverBuild } from "../support/server";

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function mountTmpfs(sizeKb: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-disk-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k`, "tmpfs", dir]);
  cleanups.push(() => {
    execFileSync("umount", ["-l", dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function dbOn(dir: string): Promise<{ db: Db; file: string }> {
  const file = path.join(dir, "confidant.sqlite");
  fs.copyFileSync(process.env.CONFIDANT_TEST_TEMPLATE!, file);
  const db = createDb(`file:${file}`);
  cleanups.push(() => db.destroy());
  return { db, file };
}

/** Writes a filler file until the disk has not one byte left. */
function fillDisk(dir: string) {
  const fd = fs.openSync(path.join(dir, "filler"), "w");
  for (const size of [1 << 20, 1 << 12, 1]) {
    const chunk = Buffer.alloc(size, 1);
    for (;;) {
      try {
        fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOSPC") break;
        throw err;
      }
    }
  }
  fs.closeSync(fd);
}

test("a transaction that meets a full disk fails with SQLITE_FULL, not with the rollback that followed it", async () => {
  const dir = mountTmpfs(4096);
  const { db } = await dbOn(dir);
  await sql`create table filler (x blob)`.execute(db);
  fillDisk(dir);
  const write = db.transaction().execute(async (trx) => {
    for (let i = 0; i < 50; i++) await sql`insert into filler values (randomblob(65536))`.execute(trx);
  });
  await expect(write).rejects.toMatchObject({ code: "SQLITE_FULL" });
  // The database is still readable and consistent afterwards.
  expect((await sql<{ n: number }>`select count(*) as n from filler`.execute(db)).rows[0].n).toBe(0);
});

test("on a full disk a sign-in answers 503 with Retry-After and a plain message, the log names SQLITE_FULL, and nothing is recorded", async () => {
  const dir = mountTmpfs(4096);
  const { db } = await dbOn(dir);
  const clock = fixedClock("2027-03-01T09:00:00.000Z");
  await makePerson(db, { email: "erin@test.example", name: "Erin Walsh", startDate: "2025-01-01", passwordHash: await passwordHash() }, clock);
  // Start from an empty write-ahead log so that the next write needs new disk space.
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  const lines: string[] = [];
  const logger = pino({ level: "info" }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  const config = readConfig({ NODE_ENV: "test", APP_SECRET: SECRET, PORT: "0", LOG_LEVEL: "silent" });
  const app = createApp({ config, db, catalog: realCatalog(), build: await serverBuild(), clock, logger });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  config.origin = url;
  const sessionsBefore = (await db.selectFrom("sessions").select(db.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;

  fillDisk(dir);
  const res = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
    body: new URLSearchParams({ email: "erin@test.example", password: PASSWORD }).toString(),
  });
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBe("30");
  expect(res.headers.get("set-cookie")).toBeNull();
  const body = await res.text();
  expect(body).toContain("nothing was recorded");
  expect(body).not.toMatch(/SQLITE|at .*\.ts|stack/i);
  expect(lines.join("")).toContain('"code":"SQLITE_FULL"');

  fs.rmSync(path.join(dir, "filler"));
  expect((await db.selectFrom("sessions").select(db.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n).toBe(sessionsBefore);
  // With space again, the same sign-in works.
  const again = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
    body: new URLSearchParams({ email: "erin@test.example", password: PASSWORD }).toString(),
  });
  expect(again.status).toBe(302);
});

test("/healthz reports whether the database takes writes and when the scheduler last ran", async () => {
  const dir = mountTmpfs(8192);
  const { db } = await dbOn(dir);
  const config = readConfig({ NODE_ENV: "test", APP_SECRET: SECRET, PORT: "0", LOG_LEVEL: "silent" });
  const app = createApp({ config, db, catalog: realCatalog(), build: await serverBuild(), clock: fixedClock("2027-03-01T09:00:00.000Z"), logger: pino({ level: "silent" }) });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/healthz`;

  const ok = await fetch(url);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ status: "ok", database: { writable: true }, scheduler: { lastRunAt: null } });

  await runOnce(db, { catalog: realCatalog(), config, now: new Date("2027-03-01T09:00:00.000Z"), deliver: false });
  expect(((await (await fetch(url)).json()) as { scheduler: { lastRunAt: string } }).scheduler.lastRunAt).toMatch(/^\d{4}-\d\d-\d\dT/);

  fillDisk(dir);
  const down = await fetch(url);
  expect(down.status).toBe(503);
  const body = (await down.json()) as { status: string; database: { writable: boolean; problem: string } };
  expect(body.status).toBe("unavailable");
  expect(body.database).toEqual({ writable: false, problem: expect.stringMatching(/^SQLITE_FULL: the disk holding .* has \d+ bytes free$/) });
});

test("start-up refuses a folder it cannot write, naming the folder and why, before SQLite says something misleading", async () => {
  const dir = mountTmpfs(8192);
  const { db, file } = await dbOn(dir);
  await checkStorageAtStart(db, `file:${file}`);
  await db.destroy();
  execFileSync("mount", ["-o", "remount,ro", dir]);
  cleanups.push(() => {
    execFileSync("mount", ["-o", "remount,rw", dir]);
  });
  const env = { NODE_ENV: "test", APP_SECRET: SECRET, DATABASE_URL: `file:${file}`, COURSES_DIR: "courses", LOG_LEVEL: "silent" } as NodeJS.ProcessEnv;
  await expect(boot(env)).rejects.toThrow(new RegExp(`The folder ${dir} is not writable \\(EROFS\\)`));
});

test("start-up retries an unreachable database and then names the driver's reason", async () => {
  const url = "postgres://nobody@127.0.0.1:9/none";
  const db = createDb(url, { connectTimeoutMs: 500 });
  cleanups.push(() => db.destroy());
  const started = Date.now();
  await expect(waitForDatabase(db, { timeoutMs: 1500, logger: pino({ level: "silent" }) })).rejects.toThrow(
    /Cannot reach the database \(ECONNREFUSED .*\) after [2-9] attempts over 2 s\. Is it running, and is DATABASE_URL right\?/,
  );
  expect(Date.now() - started).toBeGreaterThanOrEqual(500);
});

test("start-up refuses a damaged database with what to do, and a database written by a newer Confidant", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-damaged-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "confidant.sqlite");
  const db = createDb(`file:${file}`);
  await migrateToLatest(db);
  const clock = fixedClock("2027-03-01T09:00:00.000Z");
  for (let i = 0; i < 40; i++) await makePerson(db, { email: `p${i}@test.example`, name: `Person ${i}`, startDate: "2025-01-01" }, clock);
  await checkStorageAtStart(db, `file:${file}`);

  await sql`insert into kysely_migration (name, timestamp) values ('0099_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(db);
  await expect(migrateToLatest(db)).rejects.toThrow(/written by a newer Confidant \(migration 0099_from_the_future\); upgrade Confidant/);
  await sql`delete from kysely_migration where name = '0099_from_the_future'`.execute(db);

  // Overwrite one page of the audit log's table in the file itself.
  const root = (await sql<{ p: number }>`select rootpage as p from sqlite_master where name = 'audit_log'`.execute(db)).rows[0].p;
  const pageSize = Number((await sql<{ page_size: number }>`pragma page_size`.execute(db)).rows[0].page_size);
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  await db.destroy();
  const fd = fs.openSync(file, "r+");
  fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (root - 1) * pageSize);
  fs.closeSync(fd);

  const env = { NODE_ENV: "test", APP_SECRET: SECRET, DATABASE_URL: `file:${file}`, COURSES_DIR: "courses", LOG_LEVEL: "silent" } as NodeJS.ProcessEnv;
  await expect(boot(env)).rejects.toThrow(/is damaged \(.+\)\. Confidant will not write to it\. .*restore the latest backup/);
});
