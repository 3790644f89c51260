// @vitest-environment jsdom
// The preview mode of a scenario (HR's preview of a draft): choices move between steps in the
// browser, every branch can be followed, and nothing is posted. And the scenario map.
import { afterEach, expect, test } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createRemixStub } from "@remix-run/testing";
import { Choice, Scenario, ScenarioContext, Step } from "../../app/components/Scenario";
import { ScenarioMap } from "../../app/components/ScenarioMap";
import { layoutScenario, scenarioPaths } from "../../app/components/scenario-map";

afterEach(cleanup);
const FUTURE = { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_lazyRouteDiscovery: true, v3_singleFetch: true };

function renderPreview() {
  const posted: unknown[] = [];
  const Stub = createRemixStub([
    {
      path: "/",
      Component: () => (
        <ScenarioContext.Provider value={{ progress: {}, module: "m", interactive: false, preview: true }}>
          <Scenario id="s" title="The USB stick">
            <Step id="start">
              <p>You find a USB stick.</p>
              <Choice to="ask">Ask IT</Choice>
              <Choice to="plug">Plug it in</Choice>
            </Step>
            <Step id="plug">
              <p>A window opens.</p>
              <Choice to="bad">Click it</Choice>
            </Step>
            <Step id="bad" ending="poor">
              <p>Malware.</p>
            </Step>
            <Step id="ask" ending="best">
              <p>IT thanks you.</p>
            </Step>
          </Scenario>
        </ScenarioContext.Provider>
      ),
      async action() {
        posted.push(1);
        return null;
      },
    },
  ]);
  render(<Stub initialEntries={["/"]} future={FUTURE} />);
  return { posted };
}

test("in a preview, choices follow every branch in the browser and post nothing", async () => {
  const { posted } = renderPreview();
  const user = userEvent.setup();
  const scenario = await screen.findByRole("region", { name: "Scenario The USB stick" });
  await user.click(within(scenario).getByRole("button", { name: "Plug it in" }));
  await user.click(within(scenario).getByRole("button", { name: "Click it" }));
  expect(within(scenario).getByText("Malware.")).toBeTruthy();
  expect(within(scenario).getByText("Poor outcome")).toBeTruthy();
  await user.click(within(scenario).getByRole("button", { name: "Try another path" }));
  expect(within(scenario).queryByText("Malware.")).toBeNull();
  await user.click(within(scenario).getByRole("button", { name: "Ask IT" }));
  expect(within(scenario).getByText("IT thanks you.")).toBeTruthy();
  expect(within(scenario).getByText("Best outcome")).toBeTruthy();
  expect(posted).toEqual([]);
});

const shape = {
  id: "usb",
  title: "The USB stick",
  steps: [
    { id: "start", ending: null, choices: [{ to: "ask", label: "Ask IT" }, { to: "plug", label: "Plug it in" }] },
    { id: "plug", ending: null, choices: [{ to: "bad", label: "Click it" }, { to: "ask", label: "Stop and ask IT" }] },
    { id: "bad", ending: "poor", choices: [] },
    { id: "ask", ending: "acceptable", outcome: "best", choices: [] },
  ],
};

test("the map puts each step after every step that leads to it, and lists every path with its outcome", () => {
  const { nodes, edges } = layoutScenario(shape);
  const x = (id: string) => nodes.find((n) => n.id === id)!.x;
  expect(x("start")).toBeLessThan(x("plug"));
  expect(x("plug")).toBeLessThan(x("ask")); // reached from start and from plug: drawn after plug
  expect(x("plug")).toBeLessThan(x("bad"));
  expect(edges).toHaveLength(4);
  expect(nodes.find((n) => n.id === "ask")!.ending).toBe("best"); // an outcome, when given, wins
  expect(scenarioPaths(shape).map((p) => [p.steps.map((s) => s.id).join(">"), p.ending])).toEqual([
    ["start>ask", "best"],
    ["start>plug>bad", "poor"],
    ["start>plug>ask", "best"],
  ]);
});

test("the map is an image named by its title and description, with the paths as text", () => {
  render(<ScenarioMap scenario={shape} />);
  const img = screen.getByRole("img", { name: /Map of the scenario “The USB stick” 4 steps, 4 choices and 2 endings/ });
  expect(img.querySelectorAll("[data-step]")).toHaveLength(4);
  expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual([
    "start — “Ask IT” → ask (best outcome)",
    "start — “Plug it in” → plug — “Click it” → bad (poor outcome)",
    "start — “Plug it in” → plug — “Stop and ask IT” → ask (best outcome)",
  ]);
});
