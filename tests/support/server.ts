// The real app (built Remix server + our Express middleware) on a loopback port, backed by a
// test's own database and clock. Needs `npm run build` first (npm test does it).
import path from "node:path";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import pino from "pino";
import type { ServerBuild } from "@remix-run/node";
import { createApp } from "../../app/http/app.server";
import { readConfig } from "../../app/config.server";
import type { World } from "./world";
import { PASSWORD, SECRET } from "./world";
import { passkeyOf, usePasskey } from "./authenticator";

let buildPromise: Promise<ServerBuild> | null = null;
export function serverBuild() {
  buildPromise ??= import(pathToFileURL(path.resolve("build/index.js")).href) as Promise<ServerBuild>;
  return buildPromise;
}

export interface TestServer {
  url: string;
  close: () => Promise<void>;
  /** Signs in and returns the session cookie ("name=value"). */
  login: (email: string, password?: string) => Promise<string>;
  post: (pathname: string, form: Record<string, string> | Array<[string, string]>, cookie?: string, headers?: Record<string, string>) => Promise<Response>;
  get: (pathname: string, cookie?: string) => Promise<Response>;
}

/** `env` adds settings (e.g. DATA_DIR, TSA_URL) to the test's configuration; `hostname:
 * "localhost"` is for browser suites that use passkeys (WebAuthn refuses an IP address as the
 * relying party's id). */
export async function startTestServer(
  world: Pick<World, "db" | "catalog" | "clock"> & { drafts?: World["catalog"] },
  { hostname = "127.0.0.1", ...env }: { hostname?: string } & Record<string, string> = {},
): Promise<TestServer> {
  const build = await serverBuild();
  const config = { ...readConfig({ NODE_ENV: "test", APP_SECRET: SECRET, PORT: "0", LOG_LEVEL: "silent", ...env }) };
  const app = createApp({ config, db: world.db, catalog: world.catalog, drafts: world.drafts, build, clock: world.clock, logger: pino({ level: "silent" }) });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://${hostname}:${(server.address() as AddressInfo).port}`;
  config.origin = url;
  const post: TestServer["post"] = (pathname, form, cookie, headers) =>
    fetch(url + pathname, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url, ...(cookie ? { Cookie: cookie } : {}), ...headers },
      body: new URLSearchParams(form).toString(),
    });
  const get: TestServer["get"] = (pathname, cookie) => fetch(url + pathname, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });
  return {
    url,
    post,
    get,
    async login(email, password = PASSWORD) {
      const res = await post("/login", { email, password });
      let set = res.headers.get("set-cookie");
      if (res.status !== 302 || !set) throw new Error(`Sign-in as ${email} failed with ${res.status}`);
      if (res.headers.get("location") === "/login/verify") {
        // The second step, with the person's test passkey.
        const passkey = passkeyOf(email);
        if (!passkey) throw new Error(`${email} has a second factor but no test passkey`);
        const pending = set.split(";")[0];
        const options = await (await post("/passkeys/options", { purpose: "second-factor" }, pending)).json();
        const done = await post("/login/verify", { method: "passkey", passkey: usePasskey(passkey, options, url) }, pending);
        set = done.headers.getSetCookie().find((c) => /session=[^;]/.test(c)) ?? null;
        if (done.status !== 302 || !set) throw new Error(`The second step for ${email} failed with ${done.status}`);
      }
      return set.split(";")[0];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
