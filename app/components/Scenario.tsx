// A branching scenario. The learner's path comes from the server (progress); each choice is a
// real form post, so it works with the keyboard, with assistive technology, and without
// JavaScript. The page decides where a choice is sent through ScenarioContext.
import { Children, createContext, isValidElement, useContext, useEffect, useRef, useState, type ReactElement, type ReactNode } from "react";
import { Form, useNavigation } from "@remix-run/react";
import type { ScenarioProgress } from "./learner-views";
import { seededShuffle } from "./shuffle";

export type { ScenarioProgress };

export interface ScenarioContextValue {
  progress: Record<string, ScenarioProgress>;
  /** Module the scenario belongs to; posted with each choice. */
  module: string;
  /** When false (e.g. an HR preview), choices are shown but not recorded. */
  interactive: boolean;
  /** The learner's own seed: each of their steps shows its choices in an order of its own. */
  seed?: string;
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

type StepProps = { id: string; ending?: string; retry?: string; children?: ReactNode };

/** Puts the <Choice> elements among `children` in the learner's order for this step (each
 * choice takes the place of another; everything else stays where it is). */
export function useChoiceOrder(children: ReactNode): ReactNode {
  const step = useContext(StepContext);
  const { seed } = useContext(ScenarioContext);
  const parts = Children.toArray(children);
  const slots = parts.flatMap((p, i) => (isValidElement(p) && p.type === Choice ? [i] : []));
  if (!step || !seed || slots.length < 2) return children;
  const order = seededShuffle(slots, `${seed}:${step.scenarioId}:${step.stepId}`);
  const out = [...parts];
  slots.forEach((slot, k) => (out[slot] = parts[order[k]]));
  return out;
}

export function Step({ children }: StepProps) {
  return <>{useChoiceOrder(children)}</>;
}

/** A poor ending's better move: shown once the learner asks for it ("See the better move"). */
export function BetterMove({ children }: { children?: ReactNode }) {
  const step = useContext(StepContext);
  if (!step || step.active) return null;
  return (
    <div className="better-move">
      <p className="better-move-label">The better move</p>
      {children}
    </div>
  );
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
  const outcome = current?.props.ending;
  const ended = Boolean(outcome);
  const retryTo = outcome === "poor" ? retryStepOf(steps, current!.props) : null;
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
      {ended && outcome === "poor" && retryTo ? (
        <div className="scenario-footer">
          <p className="scenario-poor" role="status">
            Not the best way this could have gone. See the better move, then try again from where it was.
          </p>
          {preview ? (
            // A preview moves in the browser: the better move, or back to the start for another branch.
            <>
              <button type="button" className="button" onClick={() => follow!(retryTo)}>
                See the better move and try again
              </button>{" "}
              <button type="button" className="button secondary" onClick={() => setPreviewPath(null)}>
                Try another path
              </button>
            </>
          ) : (
            <ScenarioMove scenarioId={id} from={current!.props.id} to={retryTo} label="See the better move and try again" />
          )}
        </div>
      ) : ended ? (
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
      ) : path.slice(0, -1).some((stepId) => byId.get(stepId)?.props.ending === "poor") ? (
        <p className="scenario-seen" role="status">
          You have seen the better move. Choose again, or continue when you are ready.
        </p>
      ) : null}
    </section>
  );
}

/** Where a poor ending's "try again" leads: its retry step, else the step that led to it. */
function retryStepOf(steps: Array<ReactElement<StepProps>>, ending: StepProps): string {
  if (ending.retry && steps.some((s) => s.props.id === ending.retry)) return ending.retry;
  const parent = steps.find((s) => stepChoices(s.props.children).includes(ending.id));
  return parent?.props.id ?? steps[0].props.id;
}

function stepChoices(children: ReactNode): string[] {
  return Children.toArray(children).flatMap((c) => {
    if (!isValidElement<{ to?: string; children?: ReactNode }>(c)) return [];
    if (c.type === Choice && c.props.to) return [c.props.to];
    return stepChoices(c.props.children);
  });
}

/** A recorded move in a scenario that is not one of a step's choices (a poor ending's retry). */
function ScenarioMove({ scenarioId, from, to, label }: { scenarioId: string; from: string; to: string; label: string }) {
  const { module, interactive } = useContext(ScenarioContext);
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "choose";
  return (
    <Form method="post" className="choice-form" preventScrollReset>
      <input type="hidden" name="intent" value="choose" />
      <input type="hidden" name="module" value={module} />
      <input type="hidden" name="scenario" value={scenarioId} />
      <input type="hidden" name="from" value={from} />
      <input type="hidden" name="to" value={to} />
      <button type="submit" className="button" disabled={!interactive || busy}>
        {label}
      </button>
    </Form>
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
