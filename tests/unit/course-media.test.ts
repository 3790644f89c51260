// <Figure> and <Video>: what the check refuses in a module, in the files it names, and in
// captions and SVGs.
import path from "node:path";
import { expect, test } from "vitest";
import { analyzeMdx } from "../../app/courses/mdx.server";
import { checkCourses } from "../../app/courses/check.server";
import { isCourseFilePath, svgProblems, webVttProblems } from "../../app/courses/media.server";

const withLine = (line: string) => ["---", "title: Media", "---", "", line, ""].join("\n");
const problemsOf = (line: string) => analyzeMdx(withLine(line)).problems.map((p) => `${p.line}: ${p.message}`);

test("a figure needs a file in the course folder and alt text", () => {
  expect(problemsOf('<Figure src="map.svg" alt="The floor plan" caption="Where to take a call" />')).toEqual([]);
  expect(problemsOf('<Figure src="map.svg" />')).toEqual([expect.stringMatching(/^5: <Figure> needs alt text that says what the image shows/)]);
  expect(problemsOf('<Figure src="map.svg" alt="  " />')).toEqual([expect.stringMatching(/^5: <Figure> needs alt text/)]);
  expect(problemsOf('<Figure alt="A map" />')).toEqual([expect.stringMatching(/^5: <Figure> needs src: a file in the course folder, e.g. src="file.svg"/)]);
  for (const src of ["https://example.com/map.svg", "/etc/passwd", "../other-course/map.svg", "media/../../x.svg", "C:\\map.svg", "//evil/map.svg", "map.svg?x=1"])
    expect(problemsOf(`<Figure src="${src}" alt="A map" />`), src).toEqual([expect.stringMatching(/name a file in the course folder.*no web addresses, no leading \/, no \.\./)]);
  expect(problemsOf('<Figure src="notes.txt" alt="A map" />')).toEqual([expect.stringMatching(/src must be a \.svg, \.png, \.jpg, \.jpeg, \.gif, \.webp file/)]);
});

test("a video needs its file, a WebVTT captions track and a transcript", () => {
  expect(problemsOf('<Video src="call.mp4" captions="call.vtt" transcript="call.txt" />')).toEqual([]);
  expect(problemsOf('<Video src="call.mp4" />')).toEqual([
    expect.stringMatching(/^5: <Video> needs captions: a file in the course folder, e.g. captions="captions\.vtt"/),
    expect.stringMatching(/^5: <Video> needs transcript: a file in the course folder, e.g. transcript="transcript\.txt"/),
  ]);
  expect(problemsOf('<Video src="call.mp4" captions="call.srt" transcript="call.txt" />')).toEqual([expect.stringMatching(/captions must be a \.vtt file/)]);
  expect(problemsOf('<Video src="https://youtube.com/x" captions="call.vtt" transcript="call.txt" />')).toEqual([expect.stringMatching(/name a file in the course folder/)]);
});

test("paths inside the course folder", () => {
  for (const ok of ["map.svg", "media/map.svg", "a_b-c.1.png"]) expect(isCourseFilePath(ok), ok).toBe(true);
  for (const bad of ["", "/map.svg", "../map.svg", "a/../b.svg", "./map.svg", "a//b.svg", "a\\b.svg", "http://x/y.svg", "data:image/svg+xml,<svg>", ".hidden.svg"]) expect(isCourseFilePath(bad), bad).toBe(false);
});

test("WebVTT captions are checked, problems at their line of the .vtt", () => {
  expect(webVttProblems("WEBVTT\n\n00:01.000 --> 00:04.000\nHello.\n\nNOTE a note\n\ncue-2\n01:00:05.000 --> 01:00:07.500 align:start\nAgain.\n")).toEqual([]);
  expect(webVttProblems("00:01.000 --> 00:04.000\nHello.\n")).toEqual([{ line: 1, message: "a captions file starts with a line reading WEBVTT" }]);
  expect(webVttProblems("WEBVTT\n")).toEqual([{ line: 1, message: "the captions file has no cues" }]);
  expect(webVttProblems("WEBVTT\n\n00:01.000 -> 00:04.000\nHello.\n")).toEqual([{ line: 3, message: expect.stringMatching(/needs a timing line/) }]);
  expect(webVttProblems("WEBVTT\n\n0:1 --> 00:04.000\nHello.\n")).toEqual([{ line: 3, message: expect.stringMatching(/is not a timing/) }]);
  expect(webVttProblems("WEBVTT\n\n00:05.000 --> 00:04.000\nHello.\n")).toEqual([{ line: 3, message: "the cue ends before it starts" }]);
  expect(webVttProblems("WEBVTT\n\n00:01.000 --> 00:04.000\n")).toEqual([{ line: 3, message: "the cue has no text" }]);
});

test("an SVG that could run something is refused", () => {
  expect(svgProblems('<svg viewBox="0 0 1 1"><rect width="1" height="1"/></svg>')).toEqual([]);
  expect(svgProblems('<svg>\n<script>alert(1)</script>\n</svg>')).toEqual([{ line: 2, message: "an SVG may not contain <script>" }]);
  expect(svgProblems('<svg onload="x()"></svg>')).toEqual([{ line: 1, message: expect.stringMatching(/event attributes/) }]);
  expect(svgProblems('<svg><a href="javascript:alert(1)">x</a></svg>')).toEqual([{ line: 1, message: expect.stringMatching(/javascript:/) }]);
  expect(svgProblems("<svg><foreignObject><div/></foreignObject></svg>")).toEqual([{ line: 1, message: expect.stringMatching(/foreignObject/) }]);
  expect(svgProblems("<html></html>")).toEqual([{ line: 1, message: expect.stringMatching(/not an SVG/) }]);
});

test("courses:check looks at the files: a missing file, a script in an SVG and broken captions, each at its file and line", async () => {
  const { problems } = await checkCourses(path.resolve("tests/fixtures/media-problems"));
  const dir = "media-problems/handling-information";
  expect(problems).toEqual([
    { file: `${dir}/01-the-basics.mdx`, line: 11, message: '<Figure src="media/missing.svg">: there is no file media/missing.svg in the course folder' },
    { file: `${dir}/media/unsafe.svg`, line: 2, message: expect.stringMatching(/event attributes/) },
    { file: `${dir}/media/unsafe.svg`, line: 3, message: "an SVG may not contain <script>" },
    { file: `${dir}/media/bad.vtt`, line: 6, message: expect.stringMatching(/needs a timing line/) },
    { file: `${dir}/media/bad.vtt`, line: 9, message: "the cue ends before it starts" },
  ]);
});
