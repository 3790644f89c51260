// A learner's way through one scenario, rebuilt from the recorded choices, and the rule for when
// a scenario counts as done: a run reached an acceptable or best ending, or reached a poor ending
// and the learner then asked for the better move (recorded as the poor ending's "try again",
// a row from the ending to its retry step). Pure: used by the pages and where progress is recorded.
import type { ScenarioShape } from "../courses/mdx.server";
import type { ScenarioProgress } from "../components/learner-views";

export interface RecordedChoice {
  scenario_id: string;
  from_step: string;
  to_step: string;
  ending: string | null;
}

/** Endings that complete a scenario on their own. */
export const COMPLETING_OUTCOMES = new Set(["best", "acceptable"]);

export function scenarioProgressOf(choices: RecordedChoice[], scenarios: ScenarioShape[]): Record<string, ScenarioProgress> {
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  const out: Record<string, ScenarioProgress> = {};
  for (const c of choices) {
    const scenario = byId.get(c.scenario_id);
    if (!scenario) continue;
    const first = scenario.steps[0].id;
    const p = (out[c.scenario_id] ??= { path: [], completed: false, runs: 0 });
    if (c.from_step === first) {
      p.path = [first];
      p.runs++;
    }
    if (p.path[p.path.length - 1] !== c.from_step) continue;
    p.path.push(c.to_step);
    const from = scenario.steps.find((s) => s.id === c.from_step);
    // Leaving a poor ending by its "try again" means the better move was shown.
    if (from?.ending === "poor") p.completed = true;
    // Rows written before endings had outcomes that complete only when acceptable or better.
    if (c.ending && COMPLETING_OUTCOMES.has(c.ending)) p.completed = true;
  }
  return out;
}

/** The step a poor ending's "try again" leads to: its `retry`, else the step whose choice led to it. */
export function retryStepOf(scenario: ScenarioShape, endingId: string): string | null {
  const ending = scenario.steps.find((s) => s.id === endingId);
  if (!ending || ending.ending !== "poor") return null;
  if (ending.retry && scenario.steps.some((s) => s.id === ending.retry)) return ending.retry;
  return scenario.steps.find((s) => s.choices.some((c) => c.to === endingId))?.id ?? scenario.steps[0].id;
}
