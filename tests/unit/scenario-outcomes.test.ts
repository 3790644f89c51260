// The rule for when a scenario is done, and the shipped courses' endings.
import path from "node:path";
import { expect, test } from "vitest";
import { loadCatalog } from "../../app/courses/catalog.server";
import { analyzeMdx, type ScenarioShape } from "../../app/courses/mdx.server";
import { retryStepOf, scenarioProgressOf } from "../../app/learning/scenario-progress";

const scenario: ScenarioShape = analyzeMdx(`---
title: T
---

<Scenario id="s" title="T">
  <Step id="start">
    What now?

    <Choice to="mid">Think first</Choice>
    <Choice to="bad">Rush</Choice>
  </Step>
  <Step id="mid">
    Then?

    <Choice to="good">Ask</Choice>
    <Choice to="worse">Guess</Choice>
    <Choice to="ok">Wait</Choice>
  </Step>
  <Step id="bad" ending="poor" retry="start">
    Bad.

    <BetterMove>Think first, then ask.</BetterMove>
  </Step>
  <Step id="worse" ending="poor">
    Worse.
  </Step>
  <Step id="good" ending="best">
    Good.
  </Step>
  <Step id="ok" ending="acceptable">
    Fine.
  </Step>
</Scenario>
`).scenarios[0];

const row = (from_step: string, to_step: string, ending: string | null = null) => ({ scenario_id: "s", from_step, to_step, ending });

test("an acceptable or best ending completes the scenario; a poor one only after its try again", () => {
  expect(scenarioProgressOf([row("start", "mid"), row("mid", "ok", "acceptable")], [scenario]).s.completed).toBe(true);
  expect(scenarioProgressOf([row("start", "mid"), row("mid", "good", "best")], [scenario]).s.completed).toBe(true);
  expect(scenarioProgressOf([row("start", "bad", "poor")], [scenario]).s).toEqual({ path: ["start", "bad"], completed: false, runs: 1 });
  expect(scenarioProgressOf([row("start", "bad", "poor"), row("bad", "start")], [scenario]).s).toEqual({ path: ["start", "bad", "start"], completed: true, runs: 1 });
  // A new run after the try again starts from the first step again.
  expect(scenarioProgressOf([row("start", "bad", "poor"), row("bad", "start"), row("start", "mid")], [scenario]).s).toEqual({ path: ["start", "mid"], completed: true, runs: 2 });
});

test("a poor ending's try again leads to its retry step, or else to the step whose choice led to it", () => {
  expect(retryStepOf(scenario, "bad")).toBe("start");
  expect(retryStepOf(scenario, "worse")).toBe("mid");
  expect(retryStepOf(scenario, "good")).toBeNull();
  expect(scenario.steps.find((s) => s.id === "bad")).toMatchObject({ outcome: "poor", retry: "start", betterMove: "Think first, then ask." });
});

test("retry and <BetterMove> belong on poor endings, and retry names a step with choices", () => {
  const problems = (step: string) =>
    analyzeMdx(`<Scenario id="s" title="T">
  <Step id="start">
    <Choice to="end">Go</Choice>
  </Step>
  ${step}
</Scenario>
`).problems.map((p) => p.message);
  expect(problems('<Step id="end" ending="best" retry="start">\n    Done.\n  </Step>')).toEqual([`step 'end' has retry="…", which only a poor ending takes (where "try again" leads)`]);
  expect(problems('<Step id="end" ending="acceptable">\n    Done.\n\n    <BetterMove>x</BetterMove>\n  </Step>')).toEqual(["step 'end' has a <BetterMove>, which only a poor ending takes"]);
  expect(problems('<Step id="end" ending="poor" retry="end">\n    Done.\n  </Step>')).toEqual([`step 'end' has retry="end", which is not a step with choices in scenario 's'`]);
  expect(problems('<Step id="end" ending="poor" retry="start">\n    Done.\n\n    <BetterMove>Go.</BetterMove>\n  </Step>')).toEqual([]);
});

test("every ending in the shipped courses has an outcome, and every poor one a better move and a retry step", () => {
  const catalog = loadCatalog(path.resolve("courses"));
  expect(catalog.problems).toEqual([]);
  let endings = 0;
  let poor = 0;
  for (const course of catalog.courses.values()) {
    for (const m of course.modules) {
      for (const sc of m.scenarios) {
        for (const st of sc.steps.filter((s) => s.choices.length === 0)) {
          endings++;
          expect(["best", "acceptable", "poor"], `${course.id}/${m.slug}/${st.id}`).toContain(st.outcome);
          if (st.outcome !== "poor") continue;
          poor++;
          expect(st.betterMove?.length ?? 0, `${course.id}/${m.slug}/${st.id}`).toBeGreaterThan(40);
          expect(sc.steps.find((s) => s.id === st.retry)?.choices.length ?? 0, `${course.id}/${m.slug}/${st.id}`).toBeGreaterThan(0);
        }
      }
    }
  }
  expect(endings).toBeGreaterThan(60);
  expect(poor).toBe(31);
});
