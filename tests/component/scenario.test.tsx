// @vitest-environment jsdom
import { afterEach, expect, test } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createRemixStub } from "@remix-run/testing";
import { useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { BetterMove, Choice, Scenario, ScenarioContext, Step, type ScenarioProgress } from "../../app/components/Scenario";
import { courseComponents } from "../../app/components/course-components";
import { Callout } from "../../app/components/Callout";

afterEach(cleanup);

// The future flags of remix.config.js, so the stub behaves like the app.
const FUTURE = { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_lazyRouteDiscovery: true, v3_singleFetch: true };

/** The story, built the way compiled MDX builds it: Steps directly inside the Scenario. With
 * `teaching`, its poor ending names the better move and leads back to the first step. */
function story({ teaching = false } = {}) {
  return (
    <Scenario id="s" title="The USB stick">
      <Step id="start">
        <p>You find a USB stick in the car park.</p>
        <Choice to="a">Do A</Choice>
        <Choice to="b">Do B</Choice>
      </Step>
      <Step id="a" ending="best">
        <p>A went well.</p>
      </Step>
      <Step id="b" ending="poor" retry={teaching ? "start" : undefined}>
        <p>B went badly.</p>
        {teaching ? (
          <BetterMove>
            <p>Hand it to IT.</p>
          </BetterMove>
        ) : null}
      </Step>
    </Scenario>
  );
}

interface Setup {
  path?: string[];
  runs?: number;
  interactive?: boolean;
}

function inScenario(node: ReactNode, { path, runs = 1, interactive = true }: Setup = {}) {
  const progress: Record<string, ScenarioProgress> = path ? { s: { path, completed: path.length > 1, runs } } : {};
  return <ScenarioContext.Provider value={{ progress, module: "handling", interactive }}>{node}</ScenarioContext.Provider>;
}

/** Renders `content` on a Remix route whose action records every form posted to it. */
function renderOnRoute(content: () => ReactNode) {
  const posted: Array<Record<string, string>> = [];
  const Stub = createRemixStub([
    {
      path: "/",
      Component: () => <>{content()}</>,
      async action({ request }) {
        const form = await request.formData();
        posted.push(Object.fromEntries([...form].map(([k, v]) => [k, String(v)])));
        return null;
      },
    },
  ]);
  render(<Stub initialEntries={["/"]} future={FUTURE} />);
  return { posted };
}

const region = () => screen.findByRole("region", { name: "Scenario The USB stick" });

test("at the start only the first step and its choices are shown", async () => {
  renderOnRoute(() => inScenario(story()));
  const scenario = await region();
  expect(within(scenario).getByRole("heading", { level: 2 }).textContent).toBe("Scenario The USB stick");
  expect(within(scenario).getByText("You find a USB stick in the car park.")).toBeTruthy();
  expect(within(scenario).queryByText("A went well.")).toBeNull();
  expect(within(scenario).queryByText("B went badly.")).toBeNull();
  expect(within(scenario).getAllByRole("button").map((b) => b.textContent)).toEqual(["Do A", "Do B"]);
  expect(within(scenario).getByRole("button", { name: "Do A" })).toHaveProperty("disabled", false);
  expect(within(scenario).getByRole("button", { name: "Do B" })).toHaveProperty("disabled", false);
  expect(screen.queryByText("Scenario complete.")).toBeNull();
  expect(screen.queryByRole("status")).toBeNull();
});

test("choosing with the keyboard posts the choice: intent, module, scenario, from and to", async () => {
  const user = userEvent.setup();
  const { posted } = renderOnRoute(() => inScenario(story()));
  await region();
  await user.tab();
  expect(document.activeElement).toBe(screen.getByRole("button", { name: "Do A" }));
  await user.keyboard("{Enter}");
  await waitFor(() => expect(posted).toHaveLength(1));
  expect(posted[0]).toEqual({ intent: "choose", module: "handling", scenario: "s", from: "start", to: "a" });
});

test("each choice posts where it leads", async () => {
  const user = userEvent.setup();
  const { posted } = renderOnRoute(() => inScenario(story()));
  await region();
  await user.click(screen.getByRole("button", { name: "Do B" }));
  await waitFor(() => expect(posted).toHaveLength(1));
  expect(posted[0]).toMatchObject({ from: "start", to: "b" });
});

test("after a choice the saved path shows what was chosen, the ending and that the scenario is complete", async () => {
  renderOnRoute(() => inScenario(story(), { path: ["start", "a"] }));
  const scenario = await region();
  expect(within(scenario).getByText("You find a USB stick in the car park.")).toBeTruthy();
  const chosen = within(scenario).getByText("You chose:").parentElement!;
  expect(chosen.textContent).toBe("You chose: Do A");
  const notChosen = within(scenario).getByText("Not chosen:").parentElement!;
  expect(notChosen.textContent).toBe("Not chosen: Do B");
  expect(within(scenario).getByText("A went well.")).toBeTruthy();
  expect(within(scenario).getByText("Best outcome")).toBeTruthy();
  expect(within(scenario).queryByText("B went badly.")).toBeNull();
  expect(within(scenario).queryByText("Poor outcome")).toBeNull();
  expect(within(scenario).getByRole("status").textContent).toBe("Scenario complete.");
  // Past choices are no longer buttons; the only button left restarts the story.
  expect(within(scenario).getAllByRole("button").map((b) => b.textContent)).toEqual(["Try another path"]);
});

test("a poor ending is labelled as such", async () => {
  renderOnRoute(() => inScenario(story(), { path: ["start", "b"] }));
  const scenario = await region();
  expect(within(scenario).getByText("Poor outcome")).toBeTruthy();
  expect(within(scenario).getByText("You chose:").parentElement!.textContent).toBe("You chose: Do B");
});

test("'Try another path' goes back to the first step with its choices", async () => {
  const user = userEvent.setup();
  renderOnRoute(() => inScenario(story(), { path: ["start", "a"], runs: 1 }));
  const scenario = await region();
  await user.click(within(scenario).getByRole("button", { name: "Try another path" }));
  expect(within(scenario).getAllByRole("button").map((b) => b.textContent)).toEqual(["Do A", "Do B"]);
  expect(within(scenario).queryByText("A went well.")).toBeNull();
  expect(within(scenario).queryByText("Scenario complete.")).toBeNull();
});

test("when the server records a choice, the story moves on and focus follows to what it revealed", async () => {
  const user = userEvent.setup();
  let savedPath: string[] = [];
  const posted: string[] = [];
  function Page() {
    const { path } = useLoaderData<{ path: string[] }>();
    return inScenario(story(), path.length ? { path } : {});
  }
  const Stub = createRemixStub([
    {
      path: "/",
      Component: Page,
      loader: () => ({ path: savedPath }),
      async action({ request }) {
        const form = await request.formData();
        posted.push(String(form.get("to")));
        savedPath = [String(form.get("from")), String(form.get("to"))];
        return null;
      },
    },
  ]);
  render(<Stub initialEntries={["/"]} future={FUTURE} />);
  await user.click(await screen.findByRole("button", { name: "Do A" }));
  await screen.findByText("A went well.");
  expect(posted).toEqual(["a"]);
  const ending = screen.getByText("A went well.").closest("[data-step]")!;
  expect(ending.getAttribute("data-step")).toBe("a");
  await waitFor(() => expect(document.activeElement).toBe(ending));
});

test("while a choice is being recorded, the choices cannot be pressed again", async () => {
  const user = userEvent.setup();
  let release!: () => void;
  const recorded = new Promise<void>((resolve) => (release = resolve));
  const posted: string[] = [];
  const Stub = createRemixStub([
    {
      path: "/",
      Component: () => <>{inScenario(story())}</>,
      async action({ request }) {
        posted.push(String((await request.formData()).get("to")));
        await recorded;
        return null;
      },
    },
  ]);
  render(<Stub initialEntries={["/"]} future={FUTURE} />);
  await user.click(await screen.findByRole("button", { name: "Do A" }));
  await waitFor(() => expect(screen.getByRole("button", { name: "Do A" })).toHaveProperty("disabled", true));
  expect(screen.getByRole("button", { name: "Do B" })).toHaveProperty("disabled", true);
  await user.click(screen.getByRole("button", { name: "Do B" }));
  release();
  await waitFor(() => expect(screen.getByRole("button", { name: "Do A" })).toHaveProperty("disabled", false));
  expect(posted).toEqual(["a"]);
});

test("in a preview that records nothing, the choices are shown but disabled", async () => {
  renderOnRoute(() => inScenario(story(), { interactive: false }));
  const scenario = await region();
  const buttons = within(scenario).getAllByRole("button");
  expect(buttons.map((b) => b.textContent)).toEqual(["Do A", "Do B"]);
  for (const b of buttons) expect(b).toHaveProperty("disabled", true);
});

test("a paragraph holding only choices becomes a group, so no form ends up inside a <p>", async () => {
  const P = courseComponents.p;
  const { posted } = renderOnRoute(() =>
    inScenario(
      <Scenario id="s" title="The USB stick">
        <Step id="start">
          <P>You find a USB stick.</P>
          <P>
            <Choice to="a">Do A</Choice>
            {"\n"}
            <Choice to="b">Do B</Choice>
          </P>
        </Step>
        <Step id="a" ending="best">
          <P>Fine.</P>
        </Step>
        <Step id="b" ending="poor">
          <P>Not fine.</P>
        </Step>
      </Scenario>,
    ),
  );
  const scenario = await region();
  expect(scenario.querySelector("p form")).toBeNull();
  const group = scenario.querySelector("div.choices")!;
  expect(group).not.toBeNull();
  expect(group.querySelectorAll("form button").length).toBe(2);
  // Ordinary paragraphs stay paragraphs.
  expect(within(scenario).getByText("You find a USB stick.").tagName).toBe("P");
  // And the choices in the group still work.
  await userEvent.setup().click(within(scenario).getByRole("button", { name: "Do B" }));
  await waitFor(() => expect(posted).toEqual([{ intent: "choose", module: "handling", scenario: "s", from: "start", to: "b" }]));
});

test("a paragraph with text and no choices is an ordinary paragraph", () => {
  const P = courseComponents.p;
  const { container } = render(<P>Just text, with <strong>emphasis</strong>.</P>);
  expect(container.innerHTML).toBe("<p>Just text, with <strong>emphasis</strong>.</p>");
});

test("a callout is a note named by its kind and title", () => {
  render(
    <Callout kind="warning" title="Personal accounts">
      Never forward work documents to a personal address.
    </Callout>,
  );
  const note = screen.getByRole("note", { name: "Warning: Personal accounts" });
  expect(within(note).getByText("Never forward work documents to a personal address.")).toBeTruthy();
});

test("a callout without a title or kind is a note named 'Note'", () => {
  render(<Callout>Plain note.</Callout>);
  expect(screen.getByRole("note", { name: "Note" }).textContent).toContain("Plain note.");
});

test("a callout of the 'law' kind is named 'The law'", () => {
  render(<Callout kind="law">Trade secrets are protected.</Callout>);
  expect(screen.getByRole("note", { name: "The law" })).toBeTruthy();
});

test("a callout with a kind that does not exist falls back to a note", () => {
  render(<Callout kind={"danger" as "note"} title="Heads up">Text.</Callout>);
  const note = screen.getByRole("note", { name: "Note: Heads up" });
  expect(note.className).toBe("callout callout-note");
});

// --- Ending outcomes, the better move and each learner's own choice order ---------------------

test("a poor ending says it is not complete, hides the better move until asked, and offers it with try again", async () => {
  const user = userEvent.setup();
  const { posted } = renderOnRoute(() => inScenario(story({ teaching: true }), { path: ["start", "b"] }));
  const scenario = await region();
  expect(within(scenario).getByText("Poor outcome")).toBeTruthy();
  expect(within(scenario).queryByText("Scenario complete.")).toBeNull();
  expect(within(scenario).queryByText("Hand it to IT.")).toBeNull();
  const button = within(scenario).getByRole("button", { name: "See the better move and try again" });
  await user.click(button);
  await waitFor(() => expect(posted).toHaveLength(1));
  expect(posted[0]).toEqual({ intent: "choose", module: "handling", scenario: "s", from: "b", to: "start" });
});

test("after try again the better move is shown and the choices of the retry step are open again", async () => {
  renderOnRoute(() => inScenario(story({ teaching: true }), { path: ["start", "b", "start"] }));
  const scenario = await region();
  expect(within(scenario).getByText("The better move")).toBeTruthy();
  expect(within(scenario).getByText("Hand it to IT.")).toBeTruthy();
  expect(within(scenario).getAllByRole("button").map((b) => b.textContent)).toEqual(["Do A", "Do B"]);
  expect(within(scenario).queryByText("Scenario complete.")).toBeNull();
  expect(within(scenario).getByRole("status").textContent).toBe("You have seen the better move. Choose again, or continue when you are ready.");
});

/** Six choices, so that two seeds almost surely order them differently. */
function manyChoices() {
  return (
    <Scenario id="s" title="The USB stick">
      <Step id="start">
        <p>What now?</p>
        {["a", "b", "c", "d", "e", "f"].map((x) => (
          <Choice key={x} to={x}>{`Do ${x.toUpperCase()}`}</Choice>
        ))}
      </Step>
      {["a", "b", "c", "d", "e", "f"].map((x) => (
        <Step key={x} id={x} ending="best">
          <p>{x}</p>
        </Step>
      ))}
    </Scenario>
  );
}

async function orderFor(seed: string | undefined) {
  const Stub = createRemixStub([
    { path: "/", Component: () => <ScenarioContext.Provider value={{ progress: {}, module: "m", interactive: true, seed }}>{manyChoices()}</ScenarioContext.Provider> },
  ]);
  const { unmount } = render(<Stub initialEntries={["/"]} future={FUTURE} />);
  const scenario = await region();
  const order = within(scenario).getAllByRole("button").map((b) => b.textContent);
  unmount();
  return order;
}

test("each learner sees the choices in an order of their own, the same on every visit", async () => {
  const written = ["Do A", "Do B", "Do C", "Do D", "Do E", "Do F"];
  expect(await orderFor(undefined)).toEqual(written);
  const alice = await orderFor("usr_alice");
  expect([...alice].sort()).toEqual(written);
  expect(await orderFor("usr_alice")).toEqual(alice);
  const others: string[] = [];
  for (const seed of ["usr_bob", "usr_carol", "usr_dan"]) others.push((await orderFor(seed)).join());
  expect(new Set([alice.join(), ...others]).size).toBeGreaterThan(1);
  expect([alice.join(), ...others].some((o) => o !== written.join())).toBe(true);
});
