// The quiz form and its result. Both take questions without answer keys: the form gets only
// prompts and options; the result gets, per question, what the server decided after grading.
import { Form, Link } from "@remix-run/react";
import type { QuizQuestionView, QuizResultQuestion, QuizRevisitModule } from "./learner-views";

export type { QuizQuestionView, QuizResultQuestion, QuizRevisitModule };

export function QuizForm({
  questions,
  errors,
  formError,
  busy = false,
  attemptNumber,
}: {
  questions: QuizQuestionView[];
  errors?: Record<string, string>;
  formError?: string;
  busy?: boolean;
  /** Which attempt this form is (its questions were drawn for it). */
  attemptNumber?: number;
}) {
  return (
    <Form method="post" className="quiz" noValidate aria-describedby={formError ? "quiz-error" : undefined}>
      {attemptNumber ? <input type="hidden" name="attempt" value={attemptNumber} /> : null}
      {formError ? (
        <p id="quiz-error" className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      <ol className="quiz-questions">
        {questions.map((q, qi) => {
          const error = errors?.[q.id];
          const hint = q.select === "many" ? "Select all that apply." : "Select one.";
          return (
            <li key={q.id}>
              <fieldset className={`question${error ? " has-error" : ""}`} aria-describedby={`${q.id}-hint${error ? ` ${q.id}-error` : ""}`}>
                <legend>
                  <span className="visually-hidden">Question {qi + 1}: </span>
                  {q.prompt}
                </legend>
                <p id={`${q.id}-hint`} className="hint">
                  {hint}
                </p>
                {q.options.map((o) => {
                  const inputId = `${q.id}--${o.id}`;
                  return (
                    <div className="option" key={o.id}>
                      <input
                        id={inputId}
                        type={q.select === "many" ? "checkbox" : "radio"}
                        name={`q.${q.id}`}
                        value={o.id}
                      />
                      <label htmlFor={inputId}>{o.text}</label>
                    </div>
                  );
                })}
                {error ? (
                  <p id={`${q.id}-error`} className="field-error">
                    {error}
                  </p>
                ) : null}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <button type="submit" className="button" disabled={busy}>
        {busy ? "Submitting…" : "Submit answers"}
      </button>
    </Form>
  );
}

export function QuizResult({ questions }: { questions: QuizResultQuestion[] }) {
  return (
    <ol className="quiz-result">
      {questions.map((q) => (
        <li key={q.id} className={`result-question${q.right === null ? "" : q.right ? " right" : " wrong"}`}>
          <p className="result-prompt">
            {q.right === null ? null : <span className="result-mark">{q.right ? "Correct" : "Not quite"}</span>} {q.prompt}
          </p>
          <ul className="result-options">
            {q.options.map((o) => (
              <li key={o.id} className={[o.correct ? "is-correct" : "", o.chosen ? "is-chosen" : ""].join(" ").trim()}>
                <span className="option-text">{o.text}</span>
                <span className="option-tags">
                  {o.chosen ? <span className="tag">Your answer</span> : null}
                  {o.correct ? <span className="tag tag-correct">Correct answer</span> : null}
                </span>
                {o.why ? <span className="option-why">{o.why}</span> : null}
              </li>
            ))}
          </ul>
          {q.explanation ? <p className="explanation">{q.explanation}</p> : null}
        </li>
      ))}
    </ol>
  );
}

/** After a failed attempt: what to look at again, module by module, without marking questions. */
export function RevisitModules({ courseId, modules }: { courseId: string; modules: QuizRevisitModule[] }) {
  if (modules.length === 0) return null;
  return (
    <section className="revisit" aria-labelledby="revisit-title">
      <h2 id="revisit-title">Modules to revisit</h2>
      <ul className="revisit-modules">
        {modules.map((m) => (
          <li key={m.slug}>
            <Link to={`/courses/${courseId}/${m.slug}`}>{m.title}</Link>
            {m.ideas.length ? (
              <ul className="revisit-ideas">
                {m.ideas.map((idea, i) => (
                  <li key={i}>{idea}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
