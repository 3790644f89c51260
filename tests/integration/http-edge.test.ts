// The edge of the app: redirects that stay on this site, 400 (never 500) for malformed input,
// the same-origin check against APP_ORIGIN, no caching of signed-in pages, HSTS for https,
// and audited downloads only by POST.
import { afterEach, beforeEach, expect, test } from "vitest";
import { request as httpRequest } from "node:http";
import pino from "pino";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { safeRedirect } from "../../app/http/guards.server";
import { createApp } from "../../app/http/app.server";
import { readConfig } from "../../app/config.server";
import { makeWorld, SECRET, type World } from "../support/world";
import { onPostgres } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
beforeEach(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
});
afterEach(async () => {
  await server.close();
  await w.close();
});

const form = { email: "alice@test.example", password: "correct horse battery" };

test("safeRedirect keeps same-origin paths and refuses everything a browser would take elsewhere", () => {
  const refused = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: a=b",
    "/\u0000/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    " /x",
    "/\u0085/evil.example",
    "//\u3002evil.example",
    "/..//evil.example",
    "",
  ];
  for (const to of refused) expect(safeRedirect(to), JSON.stringify(to)).toBe("/");
  // Encoded forms stay encoded: a browser reads them as one path on this site.
  expect(safeRedirect("/%09/evil.example")).toBe("/%09/evil.example");
  expect(safeRedirect("/%2F%2Fevil.example")).toBe("/%2F%2Fevil.example");
  expect(safeRedirect("/%5Cevil.example")).toBe("/%5Cevil.example");
  // Non-ASCII is percent-encoded, so the Location header can always carry it.
  expect(safeRedirect("/\u3002/evil.example")).toBe("/%E3%80%82/evil.example");
  expect(safeRedirect("/courses/x?y=1#z")).toBe("/courses/x?y=1#z");
  for (const to of ["/courses/x?y=1#z", "/%09/evil.example", "/\u3002/x", "/a/../b"]) {
    const resolved = new URL(safeRedirect(to), "https://confidant.example");
    expect(resolved.origin).toBe("https://confidant.example");
  }
});

test("signing in with a hostile redirectTo lands on this site, and never answers 500", async () => {
  const cases = ["/%09/evil.example", "/\t/evil.example", "/\\evil.example", "//evil.example", "/\r\n/x", "/\u0000", "/\u3002evil.example", "/%0d%0aSet-Cookie:x=y"];
  for (const redirectTo of cases) {
    const res = await server.post("/login", { ...form, redirectTo });
    expect(res.status, JSON.stringify(redirectTo)).toBe(302);
    const location = res.headers.get("location")!;
    expect(new URL(location, server.url).origin, JSON.stringify(redirectTo)).toBe(server.url);
    expect(location).not.toMatch(/[\s\\]/);
  }
  // The sign-in page itself, already signed in, with the same values in its address.
  const cookie = await server.login("alice@test.example");
  for (const redirectTo of cases) {
    const res = await server.get(`/login?redirectTo=${encodeURIComponent(redirectTo)}`, cookie);
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location")!, server.url).origin).toBe(server.url);
  }
});

/** A raw request, for what fetch will not send. */
function raw(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: pathname, method: "GET", headers, setHost: !("Host" in headers) }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("malformed addresses and Host headers answer 400, not 500", async () => {
  const cookie = await server.login("alice@test.example");
  for (const p of ["/receipts/%FF", "/receipts/%FF/pdf", "/courses/%E0%A4%A", "/hr/people/%C0%AF", "/%", "/hr/import/%00", "/hr/people/usr%00x"]) {
    const res = await server.get(p, cookie);
    expect(res.status, p).toBe(400);
    expect(await res.text()).toContain("That address is not valid");
  }
  for (const host of ["bad host", "[::1", "a@b"]) {
    const res = await raw("/login", { Host: host });
    expect(res.status, host).toBe(400);
  }
});

test("a NUL in a search answers 400 on PostgreSQL, which cannot compare such text, and the page on SQLite; never 500", async () => {
  const cookie = await server.login(w.hr.email);
  for (const p of ["/hr/people?q=a%00b", "/hr/people?department=a%00b", "/hr/outbox?q=a%00b", "/hr?department=%00"]) {
    const res = await server.get(p, cookie);
    expect(res.status, p).toBe(onPostgres() ? 400 : 200);
    if (onPostgres()) expect(await res.text(), p).toContain("contains a character that cannot be stored");
  }
});

test("the same-origin check compares Origin with APP_ORIGIN, not with the Host the client sent", async () => {
  // An attacker who controls DNS points evil.example at the server and sends its own Host.
  const res = await fetch(`${server.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://evil.example", Host: "evil.example" },
    body: new URLSearchParams(form).toString(),
  });
  expect(res.status).toBe(403);
  expect(await w.db.selectFrom("sessions").select("id").execute()).toHaveLength(0);
});

test("signed-in pages and their data are never cached; the sign-in page may be", async () => {
  const cookie = await server.login("alice@test.example");
  for (const p of ["/", "/account", "/_root.data", "/account.data"]) {
    const res = await server.get(p, cookie);
    expect(res.status, p).toBe(200);
    expect(res.headers.get("cache-control"), p).toBe("no-store");
  }
  const hr = await server.login("hr@test.example");
  for (const p of ["/hr", "/hr/people", "/hr.data", "/hr/people.data"]) {
    const res = await server.get(p, hr);
    expect(res.status, p).toBe(200);
    expect(res.headers.get("cache-control"), p).toBe("no-store");
  }
  expect((await server.get("/login")).headers.get("cache-control")).toBeNull();
});

test("HSTS is sent when APP_ORIGIN is https, and not otherwise", async () => {
  expect((await server.get("/login")).headers.get("strict-transport-security")).toBeNull();
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  const config = readConfig({ NODE_ENV: "test", APP_SECRET: SECRET, PORT: "0", LOG_LEVEL: "silent", APP_ORIGIN: "https://confidant.example" });
  const app = createApp({ config, db: w.db, catalog: w.catalog, build, clock: w.clock, logger: pino({ level: "silent" }) });
  const s = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => s.once("listening", () => resolve()));
  try {
    const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/login`);
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  } finally {
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

test("evidence packs and the CSV export need a POST: a cross-site GET gets nothing and records nothing", async () => {
  const hr = await server.login("hr@test.example");
  const count = async () => (await w.db.selectFrom("audit_log").select("seq").where("action", "in", ["evidence.produced", "export.assignments"]).execute()).length;
  const before = await count();
  for (const p of [`/hr/people/${w.alice.id}/evidence.json`, `/hr/people/${w.alice.id}/evidence.pdf`, "/hr/export/assignments.csv", "/hr/export/assignments.csv?status=overdue"]) {
    const res = await fetch(server.url + p, { redirect: "manual", headers: { Cookie: hr, "Sec-Fetch-Site": "cross-site" } });
    expect(res.status, p).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(res.headers.get("content-disposition")).toBeNull();
  }
  expect(await count()).toBe(before);
  // A cross-site POST is refused by the origin check.
  const forged = await server.post("/hr/export/assignments.csv", {}, hr, { Origin: "https://evil.example" });
  expect(forged.status).toBe(403);
  expect(await count()).toBe(before);
  // The page's own button posts, and that is recorded.
  const real = await server.post("/hr/export/assignments.csv", {}, hr);
  expect(real.status).toBe(200);
  await real.text();
  expect(await count()).toBe(before + 1);
  const page = await (await server.get(`/hr/people/${w.alice.id}/evidence`, hr)).text();
  // Producing a pack is the page's own POST button (both files then come from that one production).
  expect(page).toMatch(/<form method="post"[^>]*>[\s\S]*?Produce evidence pack/);
});
