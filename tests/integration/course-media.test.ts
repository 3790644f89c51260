// Figures and videos are served from the course folder only to people who may open the course,
// with their real type, nosniff, and a content hash in the URL so they can be cached for good.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { mediaUrls } from "../../app/courses/media.server";
import { loadCatalog, type Catalog } from "../../app/courses/catalog.server";
import { assignCourse, makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let url: string;
let alice: string;
// A course with a video, its captions and its transcript (its other problems are for courses:check).
const withVideo = loadCatalog(path.resolve("tests/fixtures/media-problems")).courses.get("handling-information")!;

beforeAll(async () => {
  w = await makeWorld();
  await assignCourse(w, w.alice);
  await assignCourse(w, w.alice, withVideo);
  const catalog: Catalog = { ...w.catalog, courses: new Map([...w.catalog.courses, [withVideo.id, withVideo]]) };
  server = await startTestServer({ ...w, catalog });
  url = mediaUrls(w.course)["need-to-know.svg"];
  alice = await server.login(w.alice.email);
});
afterAll(async () => {
  await server?.close();
  await w?.close();
});

test("the module page shows the figure with its alt text and caption, at a URL with the file's hash", async () => {
  expect(url).toMatch(/^\/media\/protecting-trade-secrets\/[0-9a-f]{16}\/need-to-know\.svg$/);
  const res = await server.get(`/courses/${w.course.id}/handling-and-access`, await server.login(w.hr.email));
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toMatch(new RegExp(`<img src="${url}" alt="Three roles and three folders\\. Sales reaches only the pricing model`));
  expect(html).toContain("<figcaption>Least privilege: each role reaches the folders its work needs, and nothing else.</figcaption>");
});

test("a learner on the course gets the file with its type, nosniff and an immutable cache", async () => {
  const res = await server.get(url, alice);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("image/svg+xml");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
  expect(res.headers.get("content-security-policy")).toContain("sandbox");
  expect(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(w.course.dir, "need-to-know.svg")))).toBe(true);
});

test("someone the course is not assigned to gets 404, and a stranger is sent to sign in", async () => {
  expect((await server.get(url, await server.login(w.bob.email))).status).toBe(404);
  const stranger = await server.get(url);
  expect([302, 303]).toContain(stranger.status);
  expect(stranger.headers.get("location")).toMatch(/^\/login/);
});

test("only media files of the course, at their current hash: not course.yaml, not outside the folder, not an old hash", async () => {
  const hash = url.split("/")[3];
  for (const p of [
    `/media/${w.course.id}/${hash}/course.yaml`,
    `/media/${w.course.id}/${hash}/quiz.yaml`,
    `/media/${w.course.id}/${hash}/01-what-is-a-trade-secret.mdx`,
    `/media/${w.course.id}/${hash}/%2e%2e%2fpolicies%2fconfidentiality-agreement%2fpolicy.yaml`,
    `/media/${w.course.id}/${hash}/..%2f..%2fpackage.json`,
    `/media/${w.course.id}/0000000000000000/need-to-know.svg`,
    `/media/annual-refresher/${hash}/need-to-know.svg`,
  ]) {
    const res = await server.get(p, alice);
    expect([400, 404], p).toContain(res.status);
  }
});

test("a video, its captions and its transcript are served with their own types", async () => {
  const urls = mediaUrls(withVideo);
  for (const [file, type] of [
    ["media/call.mp4", "video/mp4"],
    ["media/bad.vtt", "text/vtt; charset=utf-8"],
    ["media/call.txt", "text/plain; charset=utf-8"],
  ]) {
    const res = await server.get(urls[file], alice);
    expect(res.status, file).toBe(200);
    expect(res.headers.get("content-type"), file).toBe(type);
    expect(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(withVideo.dir, file))), file).toBe(true);
  }
  expect((await server.get(urls["media/call.mp4"], await server.login(w.bob.email))).status).toBe(404);
});

test("a video player's byte ranges get 206 with the part asked for; a range past the end gets 416", async () => {
  const url = mediaUrls(withVideo)["media/call.mp4"];
  const whole = fs.readFileSync(path.join(withVideo.dir, "media/call.mp4"));
  const part = await fetch(server.url + url, { headers: { Cookie: alice, Range: "bytes=4-7" } });
  expect(part.status).toBe(206);
  expect(part.headers.get("content-range")).toBe(`bytes 4-7/${whole.length}`);
  expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(4, 8))).toBe(true);
  const past = await fetch(server.url + url, { headers: { Cookie: alice, Range: `bytes=${whole.length}-` } });
  expect(past.status).toBe(416);
  expect(past.headers.get("content-range")).toBe(`bytes */${whole.length}`);
});
