// The import as HR uses it in the app, over HTTP against the real server: upload (multipart) →
// preview → confirm → people exist; confirming again does nothing; a bad file shows numbered
// problems and cannot be applied.
import fs from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let hr: string;

beforeAll(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
  hr = await server.login("hr@test.example");
});
afterAll(async () => {
  await server?.close();
  await w?.close();
});

/** A multipart upload as a browser sends it: same origin, the session cookie, the file. */
function upload(content: string | Uint8Array<ArrayBuffer>, fileName = "people.csv", cookie = hr, field = "roster") {
  const form = new FormData();
  form.append(field, new Blob([content], { type: "text/csv" }), fileName);
  return fetch(`${server.url}/hr/import`, { method: "POST", body: form, redirect: "manual", headers: { Origin: server.url, Cookie: cookie } });
}

async function page(path: string, cookie = hr) {
  const res = await server.get(path, cookie);
  return { status: res.status, html: (await res.text()).replaceAll("<!-- -->", "") };
}

function digestIn(html: string): string {
  const m = /name="digest" value="([0-9a-f]{64})"/.exec(html);
  if (!m) throw new Error("No confirm form on the page");
  return m[1];
}

async function counts() {
  const n = async (table: "users" | "audit_log") => Number((await w.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  return { users: await n("users"), audit: await n("audit_log") };
}

/** The flash cookie a redirect set, to send with the next request (as the browser would). */
function withFlash(res: Response, cookie = hr): string {
  const set = res.headers.get("set-cookie");
  return set ? `${cookie}; ${set.split(";")[0]}` : cookie;
}

test("upload, preview, confirm: the people exist; confirming again does nothing", async () => {
  const res = await upload(new Uint8Array(fs.readFileSync("tests/fixtures/rosters/messy.csv")), "messy.csv");
  expect(res.status).toBe(302);
  const location = res.headers.get("location")!;
  expect(location).toMatch(/^\/hr\/import\/imp_[a-z0-9]+$/);

  const preview = await page(location);
  expect(preview.status).toBe(200);
  expect(preview.html).toContain("What this import would do");
  for (const text of ["Lee, Morgan", "morgan.lee@example.com", "VP, Engineering", "Engineering Manager, Platform", "Columns not used (ignored): Phone, Notes."]) {
    expect(preview.html, text).toContain(text);
  }
  expect(preview.html).toContain("In Confidant but not in this file");
  expect(preview.html).toContain("Apply this import");
  expect(await w.db.selectFrom("users").select("id").where("email", "=", "morgan.lee@example.com").executeTakeFirst()).toBeUndefined();

  const confirm = await server.post(location, { intent: "confirm", digest: digestIn(preview.html) }, hr);
  expect(confirm.status).toBe(302);
  expect(confirm.headers.get("location")).toBe(location);
  const emails = (await w.db.selectFrom("users").select("email").orderBy("email").execute()).map((u) => u.email);
  expect(emails).toEqual(expect.arrayContaining(["dana.reyes@example.com", "morgan.lee@example.com", "sam.okafor@example.com", "ana.souza@example.com"]));
  const audit = await w.db.selectFrom("audit_log").select(["actor_id", "data_json"]).where("action", "=", "roster.imported").execute();
  expect(audit).toHaveLength(1);
  expect(audit[0].actor_id).toBe(w.hr.id);
  expect(JSON.parse(audit[0].data_json)).toMatchObject({ fileName: "messy.csv", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

  const done = await page(location, withFlash(confirm));
  expect(done.html).toContain("Import applied: 6 added, 0 changed");
  expect(done.html).toContain("What the import did");
  expect(done.html).not.toContain("Apply this import");

  const before = await counts();
  const again = await server.post(location, { intent: "confirm", digest: digestIn(preview.html) }, hr);
  expect(again.status).toBe(302);
  expect(await counts()).toEqual(before);
  expect((await page(location, withFlash(again))).html).toContain("This import was already applied; nothing was changed again.");

  // Listed among past imports, applied.
  const list = await page("/hr/import");
  expect(list.html).toContain(`href="${location}"`);
  expect(list.html).toContain("messy.csv");
  expect(list.html).toContain("Applied");
});

test("a bad file is stored and shown with every problem and its line; it cannot be applied", async () => {
  const res = await upload(new Uint8Array(fs.readFileSync("tests/fixtures/rosters/bad.csv")), "bad.csv");
  expect(res.status).toBe(302);
  const location = res.headers.get("location")!;
  const { html } = await page(location);
  expect(html).toContain("16 problems in this file: nothing can be applied");
  expect(html).toContain("bad.csv:3</code> email &quot;not-an-email&quot; is not a valid email address");
  expect(html).toContain("bad.csv:19</code> start_date is empty");
  expect(html).not.toContain("Apply this import");
  const before = await counts();
  const confirm = await server.post(location, { intent: "confirm", digest: "" }, hr);
  expect(confirm.status).toBe(409);
  expect(await confirm.text()).toContain("Nothing was applied");
  expect(await counts()).toEqual(before);
  const stored = await w.db.selectFrom("roster_imports").select("applied_at").where("id", "=", location.split("/").pop()!).executeTakeFirstOrThrow();
  expect(stored.applied_at).toBeNull();
});

test("people not in the file are listed, and deactivated only when HR ticks the box", async () => {
  const text = "email,name,start_date\nhr@test.example,Helen Harper,2025-01-01\nmanager@test.example,Mark Mendes,2025-01-01\nalice@test.example,Alice Archer,2027-02-20\n";
  const location = (await upload(text)).headers.get("location")!;
  const plain = await page(location);
  expect(plain.html).toContain("These people will be left unchanged.");
  expect(plain.html).toContain("bob@test.example");
  expect(plain.html).not.toContain('name="deactivateMissing" value="on"/>'); // no hidden field: unticked

  const ticked = await page(`${location}?deactivateMissing=on`);
  expect(ticked.html).toContain("These people will be deactivated");
  // Earlier tests imported other people, also missing from this file: count Bob among them.
  const deactivateSection = ticked.html.slice(ticked.html.indexOf('<h3 id="deact-h">'), ticked.html.indexOf('<h3 id="missing-h">'));
  expect(deactivateSection).toContain("bob@test.example");
  expect(ticked.html).toContain('<input type="hidden" name="deactivateMissing" value="on"/>');

  // Confirming the unticked preview leaves Bob as he is.
  await server.post(location, { intent: "confirm", digest: digestIn(plain.html) }, hr);
  expect((await w.db.selectFrom("users").select("status").where("id", "=", w.bob.id).executeTakeFirstOrThrow()).status).toBe("active");
});

test("a confirmation for a preview that no longer matches the database applies nothing", async () => {
  const location = (await upload("email,name,start_date\nnew.one@test.example,New One,2027-04-01\n")).headers.get("location")!;
  const { html } = await page(location);
  const digest = digestIn(html);
  await w.db.updateTable("users").set({ name: "Alice Archer-Smith" }).where("id", "=", w.alice.id).execute();
  // The file does not mention Alice, so her change does not alter the plan: still applies.
  expect((await server.post(location, { intent: "confirm", digest }, hr)).status).toBe(302);

  const second = (await upload("email,name,start_date\nalice@test.example,Alice Archer,2027-02-20\n")).headers.get("location")!;
  const secondDigest = digestIn((await page(second)).html);
  await w.db.updateTable("users").set({ name: "Alice A." }).where("id", "=", w.alice.id).execute();
  const res = await server.post(second, { intent: "confirm", digest: secondDigest }, hr);
  expect(res.status).toBe(409);
  expect(await res.text()).toContain("people changed since you opened this preview");
  expect((await w.db.selectFrom("users").select("name").where("id", "=", w.alice.id).executeTakeFirstOrThrow()).name).toBe("Alice A.");
});

test("uploads that are empty, too large, not UTF-8 or missing get a 4xx and store nothing", async () => {
  const stored = async () => Number((await w.db.selectFrom("roster_imports").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  const before = await stored();
  const tooBig = await upload("email,name,start_date\n" + "x".repeat(5 * 1024 * 1024 + 10));
  expect(tooBig.status).toBe(413);
  expect(await tooBig.text()).toContain("larger than 5 MB");
  const latin1 = await upload(new Uint8Array([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xe9, 0x0a]));
  expect(latin1.status).toBe(400);
  expect(await latin1.text()).toContain("not UTF-8");
  expect((await upload("", "empty.csv")).status).toBe(400);
  expect((await upload("email\n", "x.csv", hr, "something-else")).status).toBe(400);
  const notMultipart = await server.post("/hr/import", { roster: "email,name" }, hr);
  expect(notMultipart.status).toBe(415);
  expect(await stored()).toBe(before);
});

test("the upload form has a labelled file input", async () => {
  const { html } = await page("/hr/import");
  expect(html).toContain('<label for="roster">Roster file (CSV, UTF-8, at most 5 MB)</label>');
  expect(html).toMatch(/<input id="roster" name="roster" type="file" accept="\.csv,text\/csv" required="" aria-describedby="roster-hint"\/>/);
  expect(html).toMatch(/enctype="multipart\/form-data"/i);
});
