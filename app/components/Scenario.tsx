// A branching scenario. The learner's path comes from the server (progress); each choice is a
// real form post, so it works with the keyboard, with assistive technology, and without
// JavaScript. The page decides where a choice is sent through ScenarioContext.
import { Children, createContext, isValidElement, useContext, useEffect, useRef, useState, type ReactElement, type ReactNode } from "react";
import { Form, useNavigation } from "@remix-run/react";
import type { ScenarioProgress } from "./learner-views";

export type { ScenarioProgress };

export interface ScenarioContextValue {
  progress: Record<string, ScenarioProgress>;
  /** Module the scenario belongs to; posted with each choice. */
  module: string;
  /** When false (e.g. an HR preview), choices are shown but not recorded. */
  interactive: boolean;
  /** A preview that clicks through: choices move between steps in the browser, nothing is posted. */
  preview?: boolean;
}

export const ScenarioContext = createContext<ScenarioContextValue>({ progress: {}, module: "", interactive: false });

interface StepContextValue {
  scenarioId: string;
  stepId: string;
  active: boolean;
  chosen: string | null;
  /** Preview only: follow a choice without posting it. */
  follow?: (to: string) => void;
}
const StepContext = createContext<StepContextValue | null>(null);

const ENDING_TEXT: Record<string, string> = {
  best: "Best outcome",
  acceptable: "Acceptable outcome",
  poor: "Poor outcome",
};

type StepProps = { id: string; ending?: string; children?: ReactNode };

export function Step({ children }: StepProps) {
  return <>{children}</>;
}

export function Scenario({ id, title, children }: { id: string; title?: string; children?: ReactNode }) {
  const { progress, preview } = useContext(ScenarioContext);
  const [previewPath, setPreviewPath] = useState<string[] | null>(null);
  const steps = Children.toArray(children).filter(
    (c): c is ReactElement<StepProps> => isValidElement(c) && c.type === Step,
  );
  const first = steps[0]?.props.id;
  const saved = progress[id];
  // "Try another path" restarts locally; the next choice starts a new run on the server.
  const [restartedAtRun, setRestartedAtRun] = useState<number | null>(null);
  const fresh = !saved?.path?.length || restartedAtRun === saved.runs;
  const path = preview ? previewPath ?? [first] : fresh ? [first] : saved.path;
  const follow = preview ? (to: string) => setPreviewPath([...path, to]) : undefined;
  const byId = new Map(steps.map((s) => [s.props.id, s]));
  const current = byId.get(path[path.length - 1]);
  const ended = Boolean(current?.props.ending);
  const lastRef = useRef<HTMLDivElement>(null);
  const previousLength = useRef(path.length);
  useEffect(() => {
    // Move focus to what the choice revealed, so keyboard and screen-reader users follow the story.
    if (path.length > previousLength.current) lastRef.current?.focus();
    previousLength.current = path.length;
  }, [path.length]);

  return (
    <section className="scenario" aria-labelledby={`scenario-${id}-title`}>
      <h2 id={`scenario-${id}-title`} className="scenario-title">
        <span className="scenario-label">Scenario</span> {title}
      </h2>
      {path.map((stepId, i) => {
        const step = byId.get(stepId);
        if (!step) return null;
        const active = i === path.length - 1;
        const ending = step.props.ending;
        return (
          <div
            key={`${stepId}-${i}`}
            className={`scenario-step${ending ? ` ending ending-${ending}` : ""}`}
            ref={active ? lastRef : undefined}
            tabIndex={active ? -1 : undefined}
            data-step={stepId}
          >
            {ending ? <p className="ending-badge">{ENDING_TEXT[ending] ?? ending}</p> : null}
            <StepContext.Provider value={{ scenarioId: id, stepId, active, chosen: path[i + 1] ?? null, follow }}>
              {step}
            </StepContext.Provider>
          </div>
        );
      })}
      {ended ? (
        <div className="scenario-footer">
          <p className="scenario-done" role="status">
            Scenario complete.
          </p>
          {steps.length > 2 ? (
            <button type="button" className="button secondary" onClick={() => (preview ? setPreviewPath(null) : setRestartedAtRun(saved?.runs ?? 0))}>
              Try another path
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

export function Choice({ to, children }: { to: string; children?: ReactNode }) {
  const step = useContext(StepContext);
  const { module, interactive } = useContext(ScenarioContext);
  const navigation = useNavigation();
  if (!step) return null;
  if (!step.active) {
    const picked = step.chosen === to;
    return (
      <p className={`choice-past${picked ? " picked" : ""}`}>
        {picked ? <span className="choice-mark">You chose:</span> : <span className="visually-hidden">Not chosen:</span>} {children}
      </p>
    );
  }
  if (step.follow) {
    const follow = step.follow;
    return (
      <p className="choice-form">
        <button type="button" className="choice" onClick={() => follow(to)}>
          {children}
        </button>
      </p>
    );
  }
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "choose";
  return (
    <Form method="post" className="choice-form" preventScrollReset>
      <input type="hidden" name="intent" value="choose" />
      <input type="hidden" name="module" value={module} />
      <input type="hidden" name="scenario" value={step.scenarioId} />
      <input type="hidden" name="from" value={step.stepId} />
      <input type="hidden" name="to" value={to} />
      <button type="submit" className="choice" disabled={!interactive || busy}>
        {children}
      </button>
    </Form>
  );
}
