// `npm run demo` on a fresh machine: the scheduler's first run comes after the whole seed, so it
// never mails HR about training the seed is about to mark complete.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { startDemo } from "../../scripts/demo-start";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-demo-"));
let app: Awaited<ReturnType<typeof startDemo>> | null = null;
afterAll(async () => {
  await app?.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the demo seeds everything before the scheduler's first run starts", async () => {
  app = await startDemo({
    NODE_ENV: "test",
    DATABASE_URL: `file:${path.join(dir, "demo.sqlite")}`,
    DATA_DIR: dir,
    PORT: "0",
    LOG_LEVEL: "silent",
    SCHEDULER_EVERY_MINUTES: "5",
  });
  const db = app.db;
  let first: { seq: number } | undefined;
  for (let i = 0; i < 300 && !first; i++) {
    first = await db.selectFrom("audit_log").select("seq").where("action", "like", "scheduler.%").orderBy("seq").limit(1).executeTakeFirst();
    if (!first) await new Promise((r) => setTimeout(r, 100));
  }
  expect(first).toBeDefined();
  // Wait for that run to finish before reading what came after it.
  for (let i = 0; i < 300; i++) {
    if (await db.selectFrom("audit_log").select("seq").where("action", "=", "scheduler.run").executeTakeFirst()) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const people = await db.selectFrom("audit_log").select(["seq"]).where("action", "=", "person.created").execute();
  expect(people.length).toBe(21);
  expect(people.filter((p) => p.seq > first!.seq)).toEqual([]);
  const signed = await db.selectFrom("audit_log").select("seq").where("action", "=", "attestation.signed").execute();
  expect(signed.length).toBeGreaterThan(0);
  expect(signed.filter((p) => p.seq > first!.seq)).toEqual([]);
}, 120_000);
