// @vitest-environment jsdom
// Every shipped course, compiled and rendered the way a learner's page renders it.
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import { createRemixStub } from "@remix-run/testing";
import type { ReactNode } from "react";
import { getMdx } from "../../app/components/mdx-registry";
import { courseComponents } from "../../app/components/course-components";
import { ScenarioContext } from "../../app/components/Scenario";
import { QuizForm } from "../../app/components/Quiz";
import { questionsForBrowser } from "../../app/learning/quiz.server";

afterEach(cleanup);

const FUTURE = { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_lazyRouteDiscovery: true, v3_singleFetch: true };

// esbuild (inside mdx-bundler) checks at load, and relies while compiling, on TextEncoder output
// being `instanceof Uint8Array`; the jsdom environment replaces the global Uint8Array with
// jsdom's, from another realm. Node's own Uint8Array is put back while esbuild is loaded and while
// it compiles, and jsdom's restored before anything renders.
const nodeUint8Array = Object.getPrototypeOf(Buffer.prototype).constructor as Uint8ArrayConstructor;
async function withNodeUint8Array<T>(run: () => Promise<T>): Promise<T> {
  const jsdomUint8Array = globalThis.Uint8Array;
  globalThis.Uint8Array = nodeUint8Array;
  try {
    return await run();
  } finally {
    globalThis.Uint8Array = jsdomUint8Array;
  }
}
const { loadCatalog } = await withNodeUint8Array(() => import("../../app/courses/catalog.server"));
const { compileMdx } = await import("../../app/courses/mdx.server");

const catalog = loadCatalog(path.resolve("courses"));
const courses = [...catalog.courses.values()];

function renderOnRoute(node: ReactNode) {
  const Stub = createRemixStub([{ path: "/", Component: () => <>{node}</>, action: () => null }]);
  render(<Stub initialEntries={["/"]} future={FUTURE} />);
}

test("the shipped catalog loads without problems", () => {
  expect(catalog.problems).toEqual([]);
  expect(courses.length).toBeGreaterThanOrEqual(4);
});

test.each(courses.map((c) => [c.id, c] as const))(
  "every module of %s renders each of its scenarios with the first step's choices as buttons",
  async (_id, course) => {
    expect(course.modules.length).toBeGreaterThan(0);
    for (const m of course.modules) {
      const { hash } = await withNodeUint8Array(() => compileMdx(m.source));
      const registered = getMdx(hash);
      expect(registered, `${course.id}/${m.file} is registered after compiling`).toBeDefined();
      const Content = registered!;
      renderOnRoute(
        <ScenarioContext.Provider value={{ progress: {}, module: m.slug, interactive: true }}>
          <Content components={courseComponents} />
        </ScenarioContext.Provider>,
      );
      const regions = await screen.findAllByRole("region");
      expect(regions, `${course.id}/${m.file}`).toHaveLength(m.scenarios.length);
      expect(m.scenarios.length, `${course.id}/${m.file} has a scenario`).toBeGreaterThan(0);
      for (const sc of m.scenarios) {
        const region = screen.getByRole("region", { name: `Scenario ${sc.title}` });
        const labels = sc.steps[0].choices.map((c) => c.label.replace(/\s+/g, " "));
        expect(labels.length, `${course.id}/${m.file} scenario ${sc.id}`).toBeGreaterThan(0);
        const buttons = within(region).getAllByRole("button");
        expect(buttons.map((b) => b.textContent!.replace(/\s+/g, " ").trim()), `${course.id}/${m.file} scenario ${sc.id}`).toEqual(labels);
        for (const b of buttons) expect(b).toHaveProperty("disabled", false);
        // No later step is shown before the learner chooses.
        expect(region.querySelectorAll("[data-step]").length).toBe(1);
        expect(region.querySelector("[data-step]")!.getAttribute("data-step")).toBe(sc.steps[0].id);
      }
      // Choices never end up as forms inside paragraphs.
      expect(document.querySelector("p form"), `${course.id}/${m.file}`).toBeNull();
      cleanup();
    }
  },
  120_000,
);

test.each(courses.filter((c) => c.quiz).map((c) => [c.id, c] as const))("the quiz of %s shows every question prompt and option", async (_id, course) => {
  const questions = questionsForBrowser(course);
  expect(questions.length).toBeGreaterThan(0);
  renderOnRoute(<QuizForm questions={questions} />);
  await screen.findByRole("button", { name: "Submit answers" });
  const groups = screen.getAllByRole("group");
  expect(groups).toHaveLength(questions.length);
  questions.forEach((q, i) => {
    expect(groups[i].querySelector("legend")!.textContent).toBe(`Question ${i + 1}: ${q.prompt}`);
    for (const o of q.options) {
      const input = within(groups[i]).getByLabelText(o.text) as HTMLInputElement;
      expect(input.type).toBe(q.select === "many" ? "checkbox" : "radio");
    }
  });
});

test("the quiz sent to the browser carries no answer key", () => {
  for (const course of courses) {
    const json = JSON.stringify(questionsForBrowser(course));
    expect(json).not.toMatch(/"correct"|"why"|"explanation"/);
  }
});
