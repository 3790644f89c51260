// The quiz's answer keys never reach the browser before a pass: not in the quiz page's HTML, not
// in its single-fetch data, not in any JavaScript the page loads. A failed attempt's result page
// marks no question and shows no option's key: it names the modules to revisit and gives the
// explanations of their questions; a passed attempt's shows everything.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decode } from "turbo-stream";
import { correctAnswers, workThroughCourse, wrongAnswers } from "../../app/demo/factories.server";
import { presentationFor } from "../../app/learning/quiz.server";
import type { Assignment } from "../../db/schema";
import { assignCourse, COURSE_ID, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

const QUIZ = `/courses/${COURSE_ID}/quiz`;
const MAX_ASSETS = 200;

let w: World;
let server: TestServer;
let cookie: string;
let assignment: Assignment;

beforeAll(async () => {
  w = await makeWorld();
  assignment = await assignCourse(w, w.alice);
  await workThroughCourse(
    w.db,
    { user: w.alice, assignment, course: w.course, catalog: w.catalog, upTo: "modules", password: PASSWORD, secret: SECRET },
    w.clock,
  );
  server = await startTestServer(w);
  cookie = await server.login(w.alice.email);
});

afterAll(async () => {
  await server?.close();
  await w?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

const squash = (s: string) => s.replace(/\s+/g, " ").trim();
/** Server-rendered HTML without React's text separators (`<!-- -->`), for reading sentences. */
const readable = (html: string) => html.replaceAll("<!-- -->", "");

/** Characters that come through HTML, JSON and JS string escaping unchanged. */
const SAFE = /^[A-Za-z0-9 ,.;:()\-]+$/;

/** A 40-character slice of `text` that escaping cannot disguise and that the page may legitimately
 * show elsewhere (prompts, option texts) does not contain. Falls back to the longest safe run of
 * at least 20 characters for short texts. */
function distinctiveSlice(text: string, allowed: string[]): string {
  const t = squash(text);
  const ok = (s: string) => SAFE.test(s) && s.trim().length === s.length && !allowed.some((a) => a.includes(s));
  for (let len = Math.min(40, t.length); len >= 20; len--) {
    for (let i = 0; i + len <= t.length; i++) {
      const s = t.slice(i, i + len);
      if (ok(s)) return s;
    }
  }
  throw new Error(`No distinctive slice in ${JSON.stringify(t)}: the test needs a different way to look for it.`);
}

/** The ways a string may be written in a page: as is, JSON-escaped (data), JSON-in-JSON (data
 * streamed inside an HTML script) and HTML-escaped (rendered text). */
function encodings(s: string): string[] {
  const json = JSON.stringify(s).slice(1, -1);
  const html = s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  return [...new Set([s, json, JSON.stringify(json).slice(1, -1), html])];
}

function findIn(haystacks: Map<string, string>, needle: string): string[] {
  const hits: string[] = [];
  for (const [where, text] of haystacks) if (encodings(needle).some((e) => text.includes(e))) hits.push(where);
  return hits;
}

/** Answer keys as object properties: `"correct":`, `correct:`, `\"correct\":`, and the bare
 * `"correct"` key string of turbo-stream's flat encoding. */
const CORRECT_KEY = /\\*["']?\bcorrect\\*["']?\s*:|\\*"correct\\*"/;
/** An option object ({id: "b", ..., correct: …} in either order), however quoted. */
const OPTION_WITH_CORRECT = [
  /\bid\\*["']?\s*:\s*\\*["'][a-z0-9-]{1,40}\\*["'][^{}]{0,600}?\bcorrect\\*["']?\s*:/,
  /\bcorrect\\*["']?\s*:[^{}]{0,600}?\bid\\*["']?\s*:\s*\\*["'][a-z0-9-]{1,40}\\*["']/,
];

interface AnswerKeyNeedle {
  question: string;
  kind: "explanation" | `why of option ${string}`;
  optionCorrect?: boolean;
  slice: string;
}

function answerKeyNeedles(): AnswerKeyNeedle[] {
  const quiz = w.course.quiz!;
  // Text the quiz page shows on purpose; a slice must not be part of it.
  const allowed = quiz.questions.flatMap((q) => [squash(q.prompt), ...q.options.map((o) => squash(o.text))]);
  const needles: AnswerKeyNeedle[] = [];
  for (const q of quiz.questions) {
    needles.push({ question: q.id, kind: "explanation", slice: distinctiveSlice(q.explanation, allowed) });
    for (const o of q.options) {
      if (o.why) needles.push({ question: q.id, kind: `why of option ${o.id}`, optionCorrect: o.correct, slice: distinctiveSlice(o.why, allowed) });
    }
  }
  return needles;
}

/** Every same-origin module a page can load: <script src>, <link rel=modulepreload>, the imports
 * of inline module scripts, and recursively the static and dynamic imports of those files. */
async function fetchScripts(html: string): Promise<Map<string, string>> {
  const queue: string[] = [];
  const seen = new Set<string>();
  const enqueue = (spec: string, base: string) => {
    const url = new URL(spec, base);
    if (url.origin !== server.url || !url.pathname.startsWith("/build/") || !url.pathname.endsWith(".js")) return;
    if (seen.has(url.pathname)) return;
    seen.add(url.pathname);
    queue.push(url.pathname);
  };
  const page = `${server.url}${QUIZ}`;
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) enqueue(m[1], page);
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href && /\brel="modulepreload"/.test(tag)) enqueue(href, page);
  }
  const importsIn = (code: string, base: string) => {
    for (const m of code.matchAll(/\b(?:import|export)\s*(?:[\w*{}\s,$]*?\bfrom\s*)?["']([^"']+)["']/g)) enqueue(m[1], base);
    for (const m of code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)) enqueue(m[1], base);
  };
  for (const m of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) importsIn(m[1], page);

  const files = new Map<string, string>();
  while (queue.length > 0) {
    if (files.size >= MAX_ASSETS) throw new Error(`More than ${MAX_ASSETS} scripts: raise the cap if this is expected.`);
    const pathname = queue.shift()!;
    const res = await server.get(pathname, cookie);
    expect(res.status, pathname).toBe(200);
    expect(res.headers.get("content-type") ?? "", pathname).toMatch(/javascript/);
    const code = await res.text();
    files.set(pathname, code);
    importsIn(code, server.url + pathname);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------

describe("the quiz page before a pass", () => {
  let html: string;
  let data: string;
  let scripts: Map<string, string>;
  let everything: Map<string, string>;

  beforeAll(async () => {
    const page = await server.get(QUIZ, cookie);
    expect(page.status).toBe(200);
    html = await page.text();
    const single = await server.get(`${QUIZ}.data`, cookie);
    expect(single.status).toBe(200);
    data = await single.text();
    scripts = await fetchScripts(html);
    everything = new Map([[`${QUIZ} (HTML)`, html], [`${QUIZ}.data`, data], ...scripts]);
  });

  test("is the real quiz: every drawn prompt and option is there, in the order drawn (so the absence checks mean something)", async () => {
    const quiz = w.course.quiz!;
    const drawn = presentationFor(w.course, assignment.id, 1);
    // Two questions from each module's pool of three.
    expect(drawn.questions).toHaveLength(2 * w.course.modules.length);
    for (const q of quiz.questions) {
      const shown = drawn.questions.some((d) => d.id === q.id) ? ["html"] : [];
      expect(findIn(new Map([["html", html]]), squash(q.prompt)), q.id).toEqual(shown);
      expect(findIn(new Map([["data", data]]), squash(q.prompt)), q.id).toEqual(shown.length ? ["data"] : []);
      if (shown.length) for (const o of q.options) expect(findIn(new Map([["html", html]]), squash(o.text)), `${q.id}/${o.id}`).toEqual(["html"]);
    }
    // The loader data decodes to prompts and options, and nothing else per option.
    const decoded = (await decode(new Response(data).body!)).value as Record<string, { data?: { questions?: unknown } }>;
    const questions = decoded["routes/courses.$course.quiz._index"]?.data?.questions as Array<{ id: string; options: Array<Record<string, unknown>> }>;
    expect(questions.map((q) => ({ id: q.id, options: q.options.map((o) => o.id) }))).toEqual(drawn.questions);
    for (const q of questions) {
      expect(Object.keys(q).sort()).toEqual(["id", "options", "prompt", "select"]);
      for (const o of q.options) expect(Object.keys(o).sort()).toEqual(["id", "text"]);
    }
  });

  test("loads the app's scripts, and we fetched them all", () => {
    const names = [...scripts.keys()];
    expect(names.some((n) => /^\/build\/entry\.client-/.test(n))).toBe(true);
    expect(names.some((n) => n.startsWith("/build/routes/courses.$course.quiz._index-"))).toBe(true);
    expect(names.some((n) => n.startsWith("/build/_shared/"))).toBe(true);
    expect(scripts.size).toBeGreaterThanOrEqual(5);
    expect(scripts.size).toBeLessThanOrEqual(MAX_ASSETS);
  });

  test("contains no explanation and no 'why' of any option, in HTML, data or scripts", () => {
    const leaks = answerKeyNeedles()
      .map((n) => ({ ...n, in: findIn(everything, n.slice) }))
      .filter((n) => n.in.length > 0);
    expect(leaks).toEqual([]);
  });

  test("the patterns below do find answer keys written the usual ways", () => {
    const key = w.course.quiz!.questions[0];
    const asJson = JSON.stringify(key);
    const asJsLiteral = asJson.replace(/"(\w+)":/g, "$1:").replace(/:true\b/g, ":!0");
    for (const text of [asJson, asJsLiteral, JSON.stringify(asJson)]) {
      expect(text).toMatch(CORRECT_KEY);
      expect(OPTION_WITH_CORRECT.some((re) => re.test(text))).toBe(true);
    }
  });

  test("marks no option as correct, in HTML, data or scripts", () => {
    expect(html).not.toMatch(CORRECT_KEY);
    expect(data).not.toMatch(CORRECT_KEY);
    for (const [name, code] of everything) {
      for (const re of OPTION_WITH_CORRECT) expect(re.exec(code)?.[0] ?? null, name).toBeNull();
      expect(/\bcorrect\\*["']?\s*:\s*(?:!0|true)\b/.exec(code)?.[0] ?? null, name).toBeNull();
    }
    // Nor through the names the result view would use.
    expect(html).not.toContain("Correct answer");
    expect(html).not.toContain("is-correct");
  });
});

describe("quiz results", () => {
  type ResultOption = { id: string; text: string; chosen: boolean; correct: boolean; why: string | null };
  type ResultQuestion = { id: string; right: boolean | null; explanation: string | null; options: ResultOption[] };

  async function submit(entries: Array<[string, string]>) {
    const res = await server.post(QUIZ, entries, cookie);
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^${QUIZ}/att_`));
    const page = await server.get(location, cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    const single = await server.get(`${location}.data`, cookie);
    expect(single.status).toBe(200);
    const data = await single.text();
    const decoded = (await decode(new Response(data).body!)).value as Record<string, { data?: { attempt?: { id: string; passed: boolean; questions: ResultQuestion[]; revisit: Array<{ slug: string; ideas: string[] }> } } }>;
    const attempt = decoded["routes/courses.$course.quiz.$attempt"]!.data!.attempt!;
    return { html, data, attempt, pages: new Map([["HTML", html], ["data", data]]) };
  }

  /** Right on every drawn question except those of `wrongModules`. */
  function rightExceptIn(wrongModules: string[]): Array<[string, string]> {
    const quiz = w.course.quiz!;
    const right = correctAnswers(w.course);
    const wrong = wrongAnswers(w.course);
    return quiz.questions.flatMap((q) => (wrongModules.includes(q.module!) ? wrong : right).filter(([k]) => k === `q.${q.id}`));
  }

  function expectNothingRevealed(r: Awaited<ReturnType<typeof submit>>, label: string) {
    expect(r.attempt.passed, label).toBe(false);
    expect(r.html, label).toContain("Not passed yet");
    // Rendered: no question is marked, no option is tagged or styled as the correct one.
    expect(r.html, label).not.toContain("Correct answer");
    expect(r.html, label).not.toContain("Not quite");
    expect(r.html, label).not.toMatch(/class="[^"]*\bis-correct\b/);
    // Data: no question says whether it was right, no option says it is correct, no 'why' at all.
    for (const q of r.attempt.questions) {
      expect(q.right, `${label} ${q.id}`).toBeNull();
      expect(q.explanation, `${label} ${q.id}`).toBeNull();
      for (const o of q.options) {
        expect(o.correct, `${label} ${q.id}/${o.id}`).toBe(false);
        expect(o.why, `${label} ${q.id}/${o.id}`).toBeNull();
      }
    }
    // No option's 'why', chosen or not, is anywhere in the page or its data.
    const whys = answerKeyNeedles().filter((n) => n.kind !== "explanation");
    expect(whys.length, label).toBeGreaterThan(0);
    expect(whys.map((n) => ({ ...n, in: findIn(r.pages, n.slice) })).filter((n) => n.in.length > 0), label).toEqual([]);
  }

  test("a failed attempt marks no question and names the modules to revisit with their ideas; a passed one shows everything", async () => {
    const modules = w.course.modules.map((m) => m.slug);
    const drawnCount = 2 * modules.length;
    const allWrong = await submit(wrongAnswers(w.course));
    expect(readable(allWrong.html)).toContain(`0% · 0 of ${drawnCount} right (pass mark 80%)`);
    expectNothingRevealed(allWrong, "all wrong");
    expect(allWrong.attempt.revisit.map((m) => m.slug)).toEqual(modules);
    // The ideas of every drawn question are given, under its module.
    const first = presentationFor(w.course, assignment.id, 1).questions.map((q) => q.id);
    for (const n of answerKeyNeedles().filter((x) => x.kind === "explanation")) {
      expect(findIn(allWrong.pages, n.slice), n.question).toEqual(first.includes(n.question) ? ["HTML", "data"] : []);
    }

    // Wrong only in two modules: 10 of 14, and only those two are named, in course order.
    const weak = [modules[4], modules[1]];
    const partly = await submit(rightExceptIn(weak));
    expect(readable(partly.html)).toContain(`71% · ${drawnCount - 4} of ${drawnCount} right (pass mark 80%)`);
    expectNothingRevealed(partly, "10 of 14");
    expect(partly.attempt.revisit.map((m) => m.slug)).toEqual([modules[1], modules[4]]);
    for (const slug of [modules[1], modules[4]]) expect(readable(partly.html)).toContain(w.course.modules.find((m) => m.slug === slug)!.title);
    const second = presentationFor(w.course, assignment.id, 2).questions.map((q) => q.id);
    for (const n of answerKeyNeedles().filter((x) => x.kind === "explanation")) {
      const q = w.course.quiz!.questions.find((x) => x.id === n.question)!;
      const given = second.includes(q.id) && weak.includes(q.module!);
      expect(findIn(partly.pages, n.slice), n.question).toEqual(given ? ["HTML", "data"] : []);
    }

    const passed = await submit(correctAnswers(w.course));
    expect(passed.attempt.passed).toBe(true);
    expect(passed.html).toContain("You passed");
    const quiz = w.course.quiz!;
    const third = presentationFor(w.course, assignment.id, 3).questions.map((q) => q.id);
    const correctCount = quiz.questions.filter((q) => third.includes(q.id)).flatMap((q) => q.options.filter((o) => o.correct)).length;
    expect(passed.html.match(/<span class="tag tag-correct">Correct answer<\/span>/g) ?? []).toHaveLength(correctCount);
    expect(passed.attempt.questions.map((q) => q.id)).toEqual(third);
    for (const q of passed.attempt.questions) {
      const key = quiz.questions.find((x) => x.id === q.id)!;
      expect(q.right, q.id).toBe(true);
      // In the order the attempt showed them, each with its key.
      const order = presentationFor(w.course, assignment.id, 3).questions.find((x) => x.id === q.id)!.options;
      expect(q.options.map((o) => [o.id, o.correct]), q.id).toEqual(order.map((id) => [id, key.options.find((o) => o.id === id)!.correct]));
    }
    // The passed result carries `correct` per option, and the pattern used above sees it.
    expect(passed.data).toMatch(CORRECT_KEY);
    expect(passed.html).toMatch(CORRECT_KEY);
    // After a pass every explanation and every 'why' of the drawn questions is on the page: which
    // also shows that the slices used above are found when they are there.
    const missing = answerKeyNeedles().filter((n) => third.includes(n.question) && findIn(new Map([["HTML", passed.html]]), n.slice).length === 0);
    expect(missing).toEqual([]);

    // Once passed, the quiz page itself sends the person to the passed attempt.
    const again = await server.get(QUIZ, cookie);
    expect(again.status).toBe(302);
    expect(again.headers.get("location")).toBe(`${QUIZ}/${passed.attempt.id}`);
  });

  test("another person cannot open someone's attempt", async () => {
    const row = await w.db.selectFrom("quiz_attempts").select("id").where("assignment_id", "=", assignment.id).executeTakeFirstOrThrow();
    await assignCourse(w, w.bob);
    const bob = await server.login(w.bob.email);
    const res = await server.get(`${QUIZ}/${row.id}`, bob);
    expect(res.status).toBe(404);
    const body = await res.text();
    for (const n of answerKeyNeedles()) expect(findIn(new Map([["HTML", body]]), n.slice), n.kind).toEqual([]);
  });
});
