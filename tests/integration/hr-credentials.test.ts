// HR cannot set or learn another person's password by any route: every HR page is fetched and
// every HR form posted with every password-like field we can think of, and afterwards the
// person's password is unchanged and no answer ever held a set-password link or a hash.
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { afterEach, beforeEach, expect, test } from "vitest";
import { deliverMail } from "../../app/scheduler/run.server";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { startSmtp, type TestSmtp } from "../support/smtp";

let w: World;
let server: TestServer;
let smtp: TestSmtp;
beforeEach(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
  smtp = await startSmtp();
});
afterEach(async () => {
  await server.close();
  await smtp.close();
  await w.close();
});

const CHOSEN = "hr chose this password for alice";
const INTENTS = ["details", "send_invitation", "send_reset", "password_link", "password", "set_password", "reset_password", "confirm", "remind", "extend", "exempt", "assign", "kudos"];

/** Every HR route in the built app, with its parameters filled in for Alice. */
async function hrPaths(ids: Record<string, string>): Promise<string[]> {
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  return Object.values(build.routes)
    .map((r) => r.path ?? "")
    .filter((p) => p === "hr" || p.startsWith("hr/"))
    .map((p) => `/${p.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? ids.id)}`);
}

test("no HR route sets, reveals or leaks a person's password or set-password link", async () => {
  const hr = await server.login("hr@test.example");
  const alice = await server.login("alice@test.example");
  const before = await w.db.selectFrom("users").select(["password_hash", "password_changed_at"]).where("id", "=", w.alice.id).executeTakeFirstOrThrow();
  const paths = await hrPaths({ id: w.alice.id });
  expect(paths.length).toBeGreaterThanOrEqual(15);
  expect(paths).toContain(`/hr/people/${w.alice.id}/edit`);

  const answers: string[] = [];
  const sweep = async () => {
    for (const p of paths) {
      for (const suffix of ["", ".data"]) {
        const res = await server.get(`${p}${suffix}`, hr);
        expect(res.status, `GET ${p}${suffix}`).toBeLessThan(500);
        answers.push(`${res.headers.get("location") ?? ""}${await res.text()}`);
      }
    }
  };
  await sweep();
  for (const p of paths) {
    for (const intent of INTENTS) {
      const res = await server.post(
        p,
        { intent, password: CHOSEN, confirm: CHOSEN, newPassword: CHOSEN, current: CHOSEN, password_hash: "$argon2id$v=19$forged", email: "alice@test.example", userId: w.alice.id, token: "a".repeat(32) },
        hr,
      );
      expect(res.status, `POST ${p} ${intent}`).toBeLessThan(500);
      answers.push(`${res.headers.get("location") ?? ""}${await res.text()}`);
    }
  }
  // The reset mails HR could send did go, to Alice only; then HR looks at every page again.
  await deliverMail(w.db, { smtpUrl: smtp.url, mailFrom: "c@test.example", dataDir: "unused", origin: server.url }, w.clock);
  const tokens = smtp.received.flatMap((m) => [.../\/set-password\/([a-z2-7]{20,64})/.exec(m.text) ?? []].slice(1));
  expect(tokens.length).toBeGreaterThan(0);
  expect(new Set(smtp.received.map((m) => m.to[0]))).toEqual(new Set(["alice@test.example"]));
  await sweep();

  for (const answer of answers) {
    expect(answer).not.toMatch(/set-password\/[a-z2-7]{20}/);
    expect(answer).not.toContain("$argon2");
    for (const token of tokens) expect(answer).not.toContain(token);
  }
  const after = await w.db.selectFrom("users").select(["password_hash", "password_changed_at"]).where("id", "=", w.alice.id).executeTakeFirstOrThrow();
  expect(after).toEqual(before);
  // Alice still signs in with her own password, and HR's choice does not work.
  expect((await server.post("/login", { email: "alice@test.example", password: "correct horse battery" })).status).toBe(302);
  expect((await server.post("/login", { email: "alice@test.example", password: CHOSEN })).status).toBe(400);
  expect((await server.get("/", alice)).status).toBe(200);
}, 300_000);
