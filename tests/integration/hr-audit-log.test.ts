// HR's audit-log page through the real app: a TSA that is down shows as checkpoints waiting for
// a timestamp, with the reason; anyone else is told the page does not exist.
import { afterAll, beforeAll, expect, test } from "vitest";
import { recordAudit } from "../../app/audit/audit.server";
import { stampPending, takeCheckpoint } from "../../app/audit/anchors.server";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { testAnchors } from "../support/anchors";

let w: World;
let server: TestServer;
let a: ReturnType<typeof testAnchors>;

beforeAll(async () => {
  w = await makeWorld();
  a = testAnchors();
  server = await startTestServer(w);
});
afterAll(async () => {
  await server?.close();
  await w?.close();
  a?.cleanup();
});

async function page(cookie: string) {
  const res = await server.get("/hr/audit-log", cookie);
  return { status: res.status, html: (await res.text()).replaceAll("<!-- -->", "") };
}

test("HR sees the last checkpoint and a timestamp pending after the TSA was down, with the reason", async () => {
  const hr = await server.login("hr@test.example");
  expect((await page(hr)).html).toContain("No checkpoint has been taken yet");
  await recordAudit(w.db, { actorId: w.hr.id, action: "test.event", data: {} }, w.clock());
  const anchors = { ...a.anchors, tsaUrl: "http://127.0.0.1:1/tsa" };
  const cp = await takeCheckpoint(w.db, { key: a.key, anchors, now: w.clock() });
  await stampPending(w.db, { anchors, now: w.clock() });
  const { status, html } = await page(hr);
  expect(status).toBe(200);
  expect(html).toContain("<h1>Audit log</h1>");
  expect(html).toContain(`Last signed checkpoint: ${cp!.checkpoint.treeSize} entries`);
  expect(html).toMatch(/1 checkpoint is waiting for a timestamp since .*\(1 attempt so far; last error: the TSA could not be reached/);
});

test("the page answers 404 to a manager and an employee", async () => {
  for (const email of ["manager@test.example", "alice@test.example"]) {
    const cookie = await server.login(email);
    const res = await server.get("/hr/audit-log", cookie);
    expect(res.status, email).toBe(404);
    expect(await res.text()).not.toContain("checkpoint");
  }
});
