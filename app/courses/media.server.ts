// Figures and videos in course folders: which files a module may name, checking them for
// `courses:check` (the file exists inside the folder, captions are WebVTT, an SVG runs nothing),
// and the index the media route serves from, with a content hash in every URL.
import fs from "node:fs";
import path from "node:path";
import { sha256Hex } from "../hash.server";
import type { Course } from "./catalog.server";

export const MEDIA_TYPES: Record<string, string> = {
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".vtt": "text/vtt; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** What each media attribute may name, by extension. */
export const MEDIA_ATTRIBUTES: Record<string, Record<string, { required: boolean; extensions: string[] }>> = {
  Figure: { src: { required: true, extensions: [".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"] } },
  Video: {
    src: { required: true, extensions: [".mp4", ".webm"] },
    captions: { required: true, extensions: [".vtt"] },
    transcript: { required: true, extensions: [".txt"] },
  },
};

export interface MediaReference {
  line: number;
  component: string;
  attribute: string;
  file: string;
}

/** A path inside the course folder: no URL, no leading slash, no `..`, no backslashes. */
export function isCourseFilePath(p: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/.test(p) && !p.split("/").some((s) => s === ".." || s === ".");
}

// ---- checking files (courses:check) ---------------------------------------------------

export interface FileProblem {
  /** The file the problem is in: the module (a missing file) or the media file itself. */
  file: string;
  line: number;
  message: string;
}

/** `moduleFile` is where the references are; problems in a captions file name that file. */
export function mediaFileProblems(courseDir: string, moduleFile: string, refs: MediaReference[]): FileProblem[] {
  const problems: FileProblem[] = [];
  const root = fs.realpathSync(courseDir);
  for (const ref of refs) {
    const abs = path.join(courseDir, ref.file);
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch {
      problems.push({ file: moduleFile, line: ref.line, message: `<${ref.component} ${ref.attribute}="${ref.file}">: there is no file ${ref.file} in the course folder` });
      continue;
    }
    if (!real.startsWith(root + path.sep) || !fs.statSync(real).isFile()) {
      problems.push({ file: moduleFile, line: ref.line, message: `<${ref.component} ${ref.attribute}="${ref.file}">: the file must be inside the course folder (not a link to elsewhere)` });
      continue;
    }
    const ext = path.extname(ref.file).toLowerCase();
    if (ext === ".vtt") for (const p of webVttProblems(fs.readFileSync(real, "utf8"))) problems.push({ file: abs, ...p });
    if (ext === ".svg") for (const p of svgProblems(fs.readFileSync(real, "utf8"))) problems.push({ file: abs, ...p });
  }
  return problems;
}

const TIMESTAMP = /^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;

function seconds(stamp: string): number | null {
  const m = TIMESTAMP.exec(stamp);
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

/** The WebVTT rules a captions track must follow to be shown: the WEBVTT header, and cues
 * whose timing line reads `00:01.000 --> 00:04.000` with the end after the start. */
export function webVttProblems(text: string): Array<{ line: number; message: string }> {
  const lines = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n").split("\n");
  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0])) return [{ line: 1, message: "a captions file starts with a line reading WEBVTT" }];
  const problems: Array<{ line: number; message: string }> = [];
  let cues = 0;
  let i = 1;
  while (i < lines.length) {
    while (i < lines.length && lines[i].trim() === "") i++;
    if (i >= lines.length) break;
    const start = i;
    while (i < lines.length && lines[i].trim() !== "") i++;
    const block = lines.slice(start, i);
    if (/^(NOTE|STYLE|REGION)(\s|$)/.test(block[0])) continue;
    const t = block[0].includes("-->") ? 0 : 1;
    const timing = block[t];
    const m = timing ? /^(\S+)[ \t]+-->[ \t]+(\S+)/.exec(timing) : null;
    if (!m) {
      // Without a "-->" anywhere, the first line was meant as the timing.
      problems.push({ line: start + 1 + (timing?.includes("-->") ? t : 0), message: "a cue needs a timing line such as 00:01.000 --> 00:04.000" });
      continue;
    }
    const [from, to] = [seconds(m[1]), seconds(m[2])];
    if (from === null || to === null) problems.push({ line: start + 1 + t, message: `'${timing}' is not a timing; write 00:01.000 --> 00:04.000 (minutes:seconds.milliseconds)` });
    else if (to <= from) problems.push({ line: start + 1 + t, message: "the cue ends before it starts" });
    else if (block.length <= t + 1) problems.push({ line: start + 1 + t, message: "the cue has no text" });
    cues++;
  }
  if (cues === 0 && problems.length === 0) problems.push({ line: 1, message: "the captions file has no cues" });
  return problems;
}

/** An SVG is drawn by the browser from our origin: it must not carry scripts, event handlers,
 * links to code or embedded HTML. */
export function svgProblems(text: string): Array<{ line: number; message: string }> {
  const problems: Array<{ line: number; message: string }> = [];
  const rules: Array<[RegExp, string]> = [
    [/<script\b/i, "an SVG may not contain <script>"],
    [/\son[a-z]+\s*=/i, "an SVG may not contain event attributes (onload=…, onclick=…)"],
    [/javascript:|data:text\/html/i, "an SVG may not contain javascript: or data:text/html links"],
    [/<foreignObject\b/i, "an SVG may not embed HTML (<foreignObject>)"],
  ];
  text.split(/\r?\n/).forEach((l, i) => {
    for (const [re, message] of rules) if (re.test(l)) problems.push({ line: i + 1, message });
  });
  if (!/<svg\b/i.test(text)) problems.push({ line: 1, message: "this is not an SVG image (no <svg> element)" });
  return problems;
}

// ---- serving (the media route) ---------------------------------------------------------

export interface MediaFile {
  path: string;
  hash: string;
  type: string;
}

const indexes = new WeakMap<Course, Map<string, MediaFile>>();

/** Every media file in a course's folder (and its sub-folders), by path inside the folder. */
export function courseMedia(course: Pick<Course, "dir">): Map<string, MediaFile> {
  const known = indexes.get(course as Course);
  if (known) return known;
  const index = new Map<string, MediaFile>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const rel = prefix + entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${rel}/`);
      const type = MEDIA_TYPES[path.extname(entry.name).toLowerCase()];
      if (entry.isFile() && type && isCourseFilePath(rel)) {
        const file = path.join(dir, entry.name);
        index.set(rel, { path: file, hash: sha256Hex(fs.readFileSync(file)).slice(0, 16), type });
      }
    }
  };
  if (fs.existsSync(course.dir)) walk(course.dir, "");
  indexes.set(course as Course, index);
  return index;
}

/** The URL of each media file, for the page's figures and videos. */
export function mediaUrls(course: Pick<Course, "id" | "dir">): Record<string, string> {
  return Object.fromEntries([...courseMedia(course)].map(([rel, f]) => [rel, `/media/${course.id}/${f.hash}/${rel}`]));
}

/** The file for a media URL, or null: only a file of this course, at its current content. */
export function readMedia(course: Pick<Course, "dir">, hash: string, rel: string): { body: Buffer; type: string } | null {
  const file = courseMedia(course).get(rel);
  if (!file || file.hash !== hash) return null;
  return { body: fs.readFileSync(file.path), type: file.type };
}
