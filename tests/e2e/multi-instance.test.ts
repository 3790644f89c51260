// Three instances of the built app on one PostgreSQL, behind nginx on loopback, as an operator
// runs them: the same APP_SECRET and instance key everywhere, TRUST_PROXY on, the in-process
// scheduler every few seconds on each. Learners sign through the proxy while one instance is
// killed and PostgreSQL is restarted; afterwards every acknowledged signature is there exactly
// once, the surviving instances still answer, the scheduler ran and `npm run audit:verify` says
// the chain is intact. Needs nginx (Debian's package) on PATH or in /usr/sbin.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { spawnInstance } from "../support/spawn-instance";
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { presentedToken } from "../../app/attestations/attestations.server";
import { assign, workThroughCourse } from "../../app/demo/factories.server";
import type { User } from "../../db/schema";
import { hire } from "../support/org";
import { consent, consentPolicy } from "../support/signature";
import { startPostgres } from "../support/postgres";
import { COURSE_ID, PASSWORD, realCatalog, SECRET } from "../support/world";

const LEARNERS = 24;
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));
const catalog = realCatalog();
const course = catalog.courses.get(COURSE_ID)!;
const policy = catalog.policies.get(course.meta.policy!)!;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

let pgServer: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
let dir: string;
let proxy: string;
let nginx: ChildProcess | null = null;
const instances: { port: number; child: ChildProcess; log: string[] }[] = [];
let learners: { user: User; assignmentId: string }[] = [];
/** The instances' environment (without PORT): what audit:verify is given too. */
let instanceEnv: NodeJS.ProcessEnv;

async function startInstance(env: NodeJS.ProcessEnv, port: number) {
  const { child, log } = await spawnInstance({ ...env, PORT: String(port) });
  instances.push({ port, child, log });
}

beforeAll(async () => {
  if (!NGINX) throw new Error("nginx is not installed (apt-get install -y nginx)");
  pgServer = await startPostgres();
  db = createDb(pgServer.url);
  await migrateToLatest(db);

  const now = new Date().toISOString();
  const clock = fixedClock(now);
  await hire(db, { name: "Helen Harper", startDate: "2025-01-01", hr: true }, now);
  for (let i = 0; i < LEARNERS; i++) {
    const user = await hire(db, { name: `Learner ${i}`, email: `learner${i}@org.test`, startDate: now.slice(0, 10) }, now);
    const a = await assign(db, { userId: user.id, course }, clock);
    await workThroughCourse(db, { user, assignment: a, course, catalog, upTo: "quiz", password: PASSWORD, secret: SECRET }, clock);
    // Consent to electronic records comes before any signature (decision 012).
    const consented = await consent(db, { user, policy: consentPolicy(catalog), shownAt: new Date(Date.parse(now) - 10 * 60_000).toISOString(), at: now });
    if (!consented.ok) throw new Error(`consent for ${user.email} was refused: ${JSON.stringify(consented)}`);
    learners.push({ user, assignmentId: a.id });
  }

  dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-multi-"));
  const proxyPort = await freePort();
  proxy = `http://127.0.0.1:${proxyPort}`;
  const key = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const ports = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = (instanceEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    DATABASE_URL: pgServer.url,
    APP_SECRET: SECRET,
    APP_ORIGIN: proxy,
    TRUST_PROXY: "true",
    INSTANCE_KEY_PEM: key,
    SCHEDULER_EVERY_MINUTES: "0.05",
    LOG_LEVEL: "info",
    DATA_DIR: dir,
    HOST: "127.0.0.1",
  });
  await Promise.all(ports.map((p) => startInstance(env, p)));

  const conf = path.join(dir, "nginx.conf");
  fs.writeFileSync(
    conf,
    `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream confidant { ${ports.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join(" ")} }
  server {
    listen 127.0.0.1:${proxyPort};
    location / {
      proxy_pass http://confidant;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_next_upstream error timeout;
    }
  }
}
`,
  );
  nginx = spawn(NGINX, ["-p", dir, "-c", conf], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${proxy}/healthz`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}, 170_000);

afterAll(async () => {
  nginx?.kill("SIGTERM");
  for (const i of instances) i.child.kill("SIGTERM");
  await db?.destroy();
  pgServer?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function login(email: string): Promise<string | null> {
  const res = await fetch(`${proxy}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: proxy },
    body: new URLSearchParams({ email, password: PASSWORD }).toString(),
    signal: AbortSignal.timeout(10_000),
  }).catch(() => null);
  if (!res) return null;
  const set = res.headers.get("set-cookie");
  return res.status === 302 && set ? set.split(";")[0] : null;
}

/** One signature POST through the proxy; true when acknowledged (302 to the receipt). What each
 * refused attempt got is kept in `refusals`, for the message when a learner is never acknowledged. */
const refusals: string[] = [];
function postSignature(l: { user: User; assignmentId: string }, cookie: string): Promise<Response> {
  const presented = presentedToken(SECRET, { assignmentId: l.assignmentId, policyId: policy.id, version: policy.current.version, at: new Date(Date.now() - 60_000).toISOString() });
  return fetch(`${proxy}/courses/${COURSE_ID}/attest`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: proxy, Cookie: cookie },
    body: new URLSearchParams({ intent: "on", name: l.user.name, password: PASSWORD, presented }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
}

async function sign(l: { user: User; assignmentId: string }, cookie: string): Promise<boolean> {
  try {
    const res = await postSignature(l, cookie);
    const acknowledged = res.status === 302 && (res.headers.get("location") ?? "").startsWith("/receipts/");
    if (!acknowledged) refusals.push(`${l.user.email}: ${res.status} ${res.headers.get("location") ?? (await res.text()).slice(0, 200)}`);
    return acknowledged;
  } catch (err) {
    refusals.push(`${l.user.email}: ${String(err)}`);
    return false;
  }
}

/** PostgreSQL stopped, then started again: while it is down a signature is answered 503 with
 * Retry-After and records nothing; the instances reconnect by themselves once it is back. */
async function restartPostgresWhileSigning(l: { user: User; assignmentId: string }) {
  const cookie = await login(l.user.email);
  expect(cookie).not.toBeNull();
  pgServer.pause();
  try {
    const res = await postSignature(l, cookie!);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  } finally {
    pgServer.start();
  }
}

test("signatures through nginx survive a killed instance and a PostgreSQL restart: none lost, none doubled", async () => {
  const acknowledged = new Set<string>();
  for (let i = 0; i < learners.length; i++) {
    const l = learners[i];
    if (i === Math.floor(learners.length / 3)) instances[1].child.kill("SIGKILL");
    if (i === Math.floor((2 * learners.length) / 3)) await restartPostgresWhileSigning(l);
    // A learner whose request failed tries again, as a person would.
    for (let attempt = 0; attempt < 5; attempt++) {
      const cookie = await login(l.user.email);
      if (cookie && (await sign(l, cookie))) {
        acknowledged.add(l.user.id);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  expect(acknowledged.size, refusals.join("\n")).toBe(learners.length);

  const rows = await db.selectFrom("attestations").select(["user_id", "assignment_id"]).execute();
  const byUser = new Map<string, number>();
  for (const r of rows) byUser.set(r.user_id, (byUser.get(r.user_id) ?? 0) + 1);
  for (const id of acknowledged) expect(byUser.get(id), id).toBe(1);
  expect(rows).toHaveLength(acknowledged.size);

  // The instances that were not killed outlived the PostgreSQL restart and still answer directly.
  for (const i of [instances[0], instances[2]]) {
    expect(i.child.exitCode, i.log.join("").slice(-2000)).toBeNull();
    expect((await fetch(`http://127.0.0.1:${i.port}/healthz`)).status).toBe(200);
  }

  // The scheduler ran on this database, one holder at a time: at most one lease row, and every
  // run recorded in the audit log.
  const runs = await db.selectFrom("audit_log").select("seq").where("action", "=", "scheduler.run").execute();
  expect(runs.length).toBeGreaterThan(0);
  expect((await db.selectFrom("scheduler_lease").selectAll().execute()).length).toBeLessThanOrEqual(1);

  const verify = spawnSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts"], { env: { ...instanceEnv, LOG_LEVEL: "silent" }, encoding: "utf8" });
  expect(verify.status, verify.stderr).toBe(0);
  expect(verify.stdout).toMatch(/^Audit log intact: \d+ entries/);
}, 170_000);
