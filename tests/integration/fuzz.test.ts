// Fuzzing the real app on loopback with fast-check: every route of the build, with generated
// path parameters (valid ids, random text, broken percent-encoding), query parameters and form
// fields, as a stranger, an employee, a manager and HR, by GET and POST. Bad input must get a
// 4xx (or a page), never a 500. A failure prints the request that caused it.
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createSession } from "../../app/auth/session.server";
import { assignCourse, makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let routePaths: string[];
const ids: Record<string, string[]> = {};

beforeAll(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  routePaths = [...new Set(Object.values(build.routes).map((r) => r.path ?? ""))];
  const a = await assignCourse(w, w.alice);
  ids.id = [w.alice.id, w.hr.id, "imp_nothing"];
  ids.person = [w.alice.id, w.bob.id];
  ids.assignment = [a.id];
  ids.course = [w.course.id];
  ids.module = [w.course.modules[0]?.slug ?? "intro"];
  ids.attempt = ["qat_nothing"];
  ids.code = ["AAAA-BBBB-CCCC-DDDD"];
  ids.file = ["x.js"];
  ids.token = ["abcdefghijklmnopqrstuvwxyz234567"];
}, 120_000);

afterAll(async () => {
  await server?.close();
  await w?.close();
});

const nasty = fc.constantFrom("%FF", "%", "%E0%A4%A", "%00", "%0d%0a", "..", "%2e%2e%2f", "\u3002", "\u202e", "a%2Fb", "%C0%AF", "9".repeat(300), "'; drop table users; --", "<script>", "-1", "0", "1e9");
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 }), nasty);
const segment = (name: string) => fc.oneof(fc.constantFrom(...(ids[name] ?? ["x"])), text.map((t) => encodeURIComponent(t)), nasty);

const QUERY_KEYS = ["page", "q", "status", "department", "manager", "course", "cycle", "type", "kind", "redirectTo", "email", "passwordSet", "deactivateMissing", "intent", "passwordChanged", "index"];
const FORM_KEYS = ["intent", "email", "password", "confirm", "current", "name", "reason", "redirectTo", "digest", "invite", "show", "people", "courseId", "target", "days", "message", "badge", "choice", "answer", "presented", "agree", "deactivateMissing", "ids"];
const INTENTS = ["details", "leave", "return", "deactivate", "reactivate", "send_invitation", "send_reset", "password", "board-visibility", "confirm", "remind", "extend", "exempt", "assign", "preview", "kudos", "nudge", "choose", "submit", "attest"];

const fieldValue = fc.oneof(text, fc.constantFrom(...INTENTS), fc.constantFrom("on", "now", "start_date", "2027-03-01", "alice@test.example", "correct horse battery"));
const pairs = (keys: string[]) => fc.array(fc.tuple(fc.constantFrom(...keys), fieldValue), { maxLength: 6 });

const request = fc.record({
  route: fc.integer({ min: 0, max: 1000 }),
  params: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 4, maxLength: 4 }),
  segments: fc.array(fc.oneof(text.map((t) => encodeURIComponent(t)), nasty), { minLength: 4, maxLength: 4 }),
  query: pairs(QUERY_KEYS),
  form: pairs(FORM_KEYS),
  intent: fc.constantFrom(...INTENTS),
  method: fc.constantFrom("GET", "GET", "POST"),
  data: fc.boolean(),
  who: fc.constantFrom("nobody", "alice", "manager", "hr"),
});

async function cookieFor(who: string): Promise<string | undefined> {
  const user = { alice: w.alice, manager: w.manager, hr: w.hr }[who];
  if (!user) return undefined;
  const { token } = await createSession(w.db, { userId: user.id, ip: null, userAgent: null }, w.clock);
  return `confidant_session=${token}`;
}

test("a few thousand generated requests to every route: no answer is a 500", async () => {
  const seen = new Map<number, number>();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const template = routePaths[r.route % routePaths.length];
      let i = 0;
      const filled = template.replace(/:(\w+)\??/g, (_, name: string) => {
        const k = i++;
        return r.params[k % 4] % 3 === 0 ? r.segments[k % 4] : fc.sample(segment(name), { numRuns: 1, seed: r.params[k % 4] })[0];
      });
      const pathname = `/${filled}${r.data ? ".data" : ""}`.replace(/\/+\.data$/, "/_root.data");
      // Now and then the legacy data parameter, which this app never uses: a 400.
      const query = new URLSearchParams([...r.query, ...(r.params[0] % 50 === 0 ? [["_data", "root"] as [string, string]] : [])]).toString();
      const url = `${pathname}${query ? `?${query}` : ""}`;
      const cookie = await cookieFor(r.who);
      const res =
        r.method === "GET"
          ? await server.get(url, cookie)
          : await server.post(url, [["intent", r.intent], ...r.form], cookie);
      await res.arrayBuffer();
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      if (res.status >= 500) throw new Error(`${r.method} ${url} as ${r.who} answered ${res.status}`);
    }),
    { numRuns: 2000, seed: 20261204, endOnFailure: true },
  );
  const total = [...seen.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`fuzz: ${total} requests in ${Math.round((Date.now() - started) / 1000)} s, statuses ${JSON.stringify(Object.fromEntries(seen))}\n`);
  expect(total).toBe(2000);
  expect(seen.get(500) ?? 0).toBe(0);
  // The fuzz reached real pages, not only refusals.
  expect(seen.get(200) ?? 0).toBeGreaterThan(100);
}, 180_000);
