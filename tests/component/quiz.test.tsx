// @vitest-environment jsdom
import { afterEach, expect, test } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createRemixStub } from "@remix-run/testing";
import type { ReactNode } from "react";
import { QuizForm, QuizResult, type QuizQuestionView, type QuizResultQuestion } from "../../app/components/Quiz";

afterEach(cleanup);

const FUTURE = { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_lazyRouteDiscovery: true, v3_singleFetch: true };

const questions: QuizQuestionView[] = [
  {
    id: "spot-the-secret",
    prompt: "Which of these is most likely a trade secret?",
    select: "one",
    options: [
      { id: "a", text: "The customer list on our public website" },
      { id: "b", text: "The pricing model sales uses for discounts" },
    ],
  },
  {
    id: "what-to-return",
    prompt: "What must you return before you leave?",
    select: "many",
    options: [
      { id: "a", text: "Your laptop" },
      { id: "b", text: "Printouts with work information" },
      { id: "c", text: "Documents about your own pay" },
    ],
  },
];

function renderOnRoute(node: () => ReactNode) {
  const posted: Array<Array<[string, string]>> = [];
  const Stub = createRemixStub([
    {
      path: "/",
      Component: () => <>{node()}</>,
      async action({ request }) {
        posted.push([...(await request.formData())].map(([k, v]) => [k, String(v)]));
        return null;
      },
    },
  ]);
  render(<Stub initialEntries={["/"]} future={FUTURE} />);
  return { posted };
}

/** The fieldset (role "group") of a question, found by its legend. */
const group = (prompt: string) => screen.getByRole("group", { name: new RegExp(prompt.replace(/[?]/g, "\\?")) });

test("each question is a fieldset whose legend is its prompt, numbered for screen readers", async () => {
  renderOnRoute(() => <QuizForm questions={questions} />);
  await screen.findByRole("button", { name: "Submit answers" });
  const groups = screen.getAllByRole("group");
  expect(groups.map((g) => g.tagName)).toEqual(["FIELDSET", "FIELDSET"]);
  expect(groups.map((g) => g.querySelector("legend")!.textContent)).toEqual([
    "Question 1: Which of these is most likely a trade secret?",
    "Question 2: What must you return before you leave?",
  ]);
});

test("a select-one question offers radio buttons and a select-many question checkboxes", async () => {
  renderOnRoute(() => <QuizForm questions={questions} />);
  await screen.findByRole("button", { name: "Submit answers" });
  const one = group("Which of these is most likely a trade secret?");
  expect(within(one).getAllByRole("radio")).toHaveLength(2);
  expect(within(one).queryAllByRole("checkbox")).toHaveLength(0);
  const many = group("What must you return before you leave?");
  expect(within(many).getAllByRole("checkbox")).toHaveLength(3);
  expect(within(many).queryAllByRole("radio")).toHaveLength(0);
});

test("every option has a label, so it can be found and chosen by its text", async () => {
  renderOnRoute(() => <QuizForm questions={questions} />);
  await screen.findByRole("button", { name: "Submit answers" });
  for (const q of questions) {
    for (const o of q.options) {
      const input = within(group(q.prompt)).getByLabelText(o.text) as HTMLInputElement;
      expect(input.name).toBe(`q.${q.id}`);
      expect(input.value).toBe(o.id);
    }
  }
});

test("the hint says how many answers to choose, and is linked to the question", async () => {
  renderOnRoute(() => <QuizForm questions={questions} />);
  await screen.findByRole("button", { name: "Submit answers" });
  const one = group("Which of these is most likely a trade secret?");
  const many = group("What must you return before you leave?");
  expect(within(many).getByText("Select all that apply.")).toBeTruthy();
  expect(within(one).getByText("Select one.")).toBeTruthy();
  expect(within(one).queryByText("Select all that apply.")).toBeNull();
  const describedBy = (el: HTMLElement) => el.getAttribute("aria-describedby")!.split(" ").map((id) => document.getElementById(id)!.textContent);
  expect(describedBy(many)).toEqual(["Select all that apply."]);
  expect(describedBy(one)).toEqual(["Select one."]);
});

test("the chosen answers are posted as q.<question> fields", async () => {
  const user = userEvent.setup();
  const { posted } = renderOnRoute(() => <QuizForm questions={questions} />);
  await screen.findByRole("button", { name: "Submit answers" });
  await user.click(screen.getByLabelText("The pricing model sales uses for discounts"));
  await user.click(screen.getByLabelText("Your laptop"));
  await user.click(screen.getByLabelText("Printouts with work information"));
  await user.click(screen.getByRole("button", { name: "Submit answers" }));
  await expect.poll(() => posted).toHaveLength(1);
  expect(posted[0]).toEqual([
    ["q.spot-the-secret", "b"],
    ["q.what-to-return", "a"],
    ["q.what-to-return", "b"],
  ]);
});

test("a field error is shown with its question and announced through aria-describedby", async () => {
  renderOnRoute(() => (
    <QuizForm questions={questions} errors={{ "what-to-return": "Please answer this question." }} formError="Some questions are not answered yet." />
  ));
  await screen.findByRole("button", { name: "Submit answers" });
  const many = group("What must you return before you leave?");
  const error = within(many).getByText("Please answer this question.");
  const ids = many.getAttribute("aria-describedby")!.split(" ");
  expect(ids).toContain(error.id);
  expect(ids.map((id) => document.getElementById(id)!.textContent)).toEqual(["Select all that apply.", "Please answer this question."]);
  // The question without an error carries no error.
  const one = group("Which of these is most likely a trade secret?");
  expect(one.getAttribute("aria-describedby")).toBe("spot-the-secret-hint");
  expect(within(one).queryByText("Please answer this question.")).toBeNull();
  // The form error is an alert that describes the form.
  const alert = screen.getByRole("alert");
  expect(alert.textContent).toBe("Some questions are not answered yet.");
  expect(alert.closest("form")!.getAttribute("aria-describedby")).toBe(alert.id);
});

test("without errors there is no alert and no error text", async () => {
  renderOnRoute(() => <QuizForm questions={questions} />);
  await screen.findByRole("button", { name: "Submit answers" });
  expect(screen.queryByRole("alert")).toBeNull();
  expect(document.querySelector(".field-error")).toBeNull();
  expect(document.querySelector("form")!.hasAttribute("aria-describedby")).toBe(false);
});

test("while submitting, the button says so and cannot be pressed again", async () => {
  renderOnRoute(() => <QuizForm questions={questions} busy />);
  const button = await screen.findByRole("button", { name: "Submitting…" });
  expect(button).toHaveProperty("disabled", true);
});

const result: QuizResultQuestion[] = [
  {
    id: "spot-the-secret",
    prompt: "Which of these is most likely a trade secret?",
    select: "one",
    right: true,
    explanation: "A trade secret gets its value from not being known.",
    options: [
      { id: "a", text: "The public customer list", chosen: false, correct: false, why: null },
      { id: "b", text: "The pricing model", chosen: true, correct: true, why: "Competitors do not know it." },
    ],
  },
  {
    id: "what-to-return",
    prompt: "What must you return before you leave?",
    select: "many",
    right: false,
    explanation: "Return all company property, including paper.",
    options: [
      { id: "a", text: "Your laptop", chosen: true, correct: true, why: null },
      { id: "b", text: "Printouts", chosen: false, correct: true, why: "Paper counts too." },
      { id: "c", text: "Your own pay slips", chosen: true, correct: false, why: "These are yours." },
    ],
  },
];

function resultItem(prompt: string): HTMLElement {
  return screen.getByText(prompt).closest("li.result-question") as HTMLElement;
}

function optionItem(question: HTMLElement, text: string): HTMLElement {
  return within(question).getByText(text).closest("li") as HTMLElement;
}

test("the result marks each question right or wrong", () => {
  render(<QuizResult questions={result} />);
  expect(within(resultItem("Which of these is most likely a trade secret?")).getByText("Correct")).toBeTruthy();
  expect(within(resultItem("What must you return before you leave?")).getByText("Not quite")).toBeTruthy();
  expect(within(resultItem("What must you return before you leave?")).queryByText("Correct")).toBeNull();
});

test("the result tags correct answers only where the data says they are correct, and the learner's own answers", () => {
  render(<QuizResult questions={result} />);
  const q2 = resultItem("What must you return before you leave?");
  const tags = (text: string) => [...optionItem(q2, text).querySelectorAll(".tag")].map((t) => t.textContent);
  expect(tags("Your laptop")).toEqual(["Your answer", "Correct answer"]);
  expect(tags("Printouts")).toEqual(["Correct answer"]);
  expect(tags("Your own pay slips")).toEqual(["Your answer"]);
  expect(screen.getAllByText("Correct answer")).toHaveLength(3);
});

test("after a failed attempt, where the data hides the answer key, no option is tagged correct", () => {
  const hidden = result.map((q) => ({ ...q, options: q.options.map((o) => ({ ...o, correct: false })) }));
  render(<QuizResult questions={hidden} />);
  expect(screen.queryByText("Correct answer")).toBeNull();
  expect(screen.getAllByText("Your answer")).toHaveLength(3);
});

test("the result shows each question's explanation and the reasons given for options", () => {
  render(<QuizResult questions={result} />);
  expect(within(resultItem("Which of these is most likely a trade secret?")).getByText("A trade secret gets its value from not being known.")).toBeTruthy();
  const q2 = resultItem("What must you return before you leave?");
  expect(within(q2).getByText("Return all company property, including paper.")).toBeTruthy();
  expect(within(optionItem(q2, "Printouts")).getByText("Paper counts too.")).toBeTruthy();
  expect(within(optionItem(q2, "Your own pay slips")).getByText("These are yours.")).toBeTruthy();
  expect(optionItem(q2, "Your laptop").querySelector(".option-why")).toBeNull();
});
