// @vitest-environment jsdom
// The top-compliers board as people read it: ranks (ties marked), names linking to the person,
// the score and how it adds up, badges, a kudos link per person; and the formula in plain words.
import { afterEach, expect, test } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createRemixStub } from "@remix-run/testing";
import type { ReactNode } from "react";
import { BoardTable, ScoreExplainer, type BoardRowView } from "../../app/recognition/Board";
import { Pager } from "../../app/components/Pager";
import { MAX_STREAK_BONUS, POINTS } from "../../app/recognition/score";

afterEach(cleanup);

const FUTURE = { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_lazyRouteDiscovery: true, v3_singleFetch: true };

function row(over: Partial<BoardRowView> & Pick<BoardRowView, "id" | "name" | "rank" | "score">): BoardRowView {
  return { title: null, managerName: null, average: over.score, streak: 0, streakBonus: 0, counted: 1, onTime: 1, firstTry: 1, badges: [], ...over };
}

const rows: BoardRowView[] = [
  row({
    id: "usr_priya",
    name: "Priya Shah",
    title: "Team Lead",
    rank: 1,
    score: 22,
    average: 20,
    streak: 2,
    streakBonus: 2,
    counted: 2,
    onTime: 2,
    badges: [
      { key: "on-time-streak", label: "On-time streak: 2", reason: "The last 2 courses were all completed on time." },
      { key: "early-bird", label: "Early bird", reason: "Completed a course at least 7 days before the due date." },
    ],
  }),
  row({ id: "usr_li", name: "Li Wei", rank: 2, score: 19.5, average: 18.5, streak: 1, streakBonus: 1 }),
  row({ id: "usr_ravi", name: "Ravi Patel", rank: 2, score: 19.5, average: 18.5, streak: 1, streakBonus: 1, managerName: "Sofia Alvarez" }),
  row({ id: "usr_olivia", name: "Olivia Brown", rank: 4, score: 0, average: 0, onTime: 0 }),
];

function renderAt(node: () => ReactNode) {
  const Stub = createRemixStub([
    { path: "/", Component: () => <>{node()}</> },
    { path: "/team/people/:id", Component: () => <h1>Person page</h1> },
    { path: "/team/kudos", Component: () => <h1>Kudos form</h1> },
  ]);
  render(<Stub initialEntries={["/"]} future={FUTURE} />);
}

function board(extra: Partial<Parameters<typeof BoardTable>[0]> = {}) {
  return (
    <>
      <h2 id="b">Your team's board</h2>
      <BoardTable rows={rows} labelledBy="b" personHref={(id) => `/team/people/${id}`} kudosHref={(id) => `/team/kudos?to=${id}`} {...extra} />
    </>
  );
}

test("the board is a table named by its heading, one row per person in rank order", async () => {
  renderAt(() => board());
  const table = await screen.findByRole("table", { name: "Your team's board" });
  const headers = within(table)
    .getAllByRole("columnheader")
    .map((h) => h.textContent);
  expect(headers).toEqual(["Rank", "Person", "Score", "How it adds up", "On time", "Badges", "Recognise"]);
  const people = within(table)
    .getAllByRole("rowheader")
    .map((h) => within(h).getByRole("link").textContent);
  expect(people).toEqual(["Priya Shah", "Li Wei", "Ravi Patel", "Olivia Brown"]);
});

test("tied people share a rank, marked as tied, and the next rank skips", async () => {
  renderAt(() => board());
  const table = await screen.findByRole("table");
  const ranks = within(table)
    .getAllByRole("row")
    .slice(1)
    .map((r) => r.querySelector("td.rank")!.textContent);
  expect(ranks).toEqual(["1", "2tied", "2tied", "4"]);
});

test("each row shows the score and how it adds up, in the page's words", async () => {
  renderAt(() => board());
  const priya = (await screen.findByRole("rowheader", { name: /Priya Shah/ })).closest("tr")!;
  expect(within(priya).getByText("22")).toBeTruthy();
  expect(priya.textContent).toContain("20 per course + 2 streak");
  expect(priya.textContent).toContain("2 of 2");
  expect(priya.textContent).toContain("2 in a row");
  const li = screen.getByRole("rowheader", { name: /Li Wei/ }).closest("tr")!;
  expect(within(li).getByText("19.5")).toBeTruthy();
});

test("badges are a labelled list whose reasons are read out", async () => {
  renderAt(() => board());
  const list = await screen.findByRole("list", { name: "Badges of Priya Shah" });
  const items = within(list).getAllByRole("listitem");
  expect(items.map((i) => i.textContent)).toEqual([
    "On-time streak: 2: The last 2 courses were all completed on time.",
    "Early bird: Completed a course at least 7 days before the due date.",
  ]);
  expect(items[1].getAttribute("title")).toBe("Completed a course at least 7 days before the due date.");
  // Nobody without badges gets an empty list.
  expect(screen.queryByRole("list", { name: "Badges of Olivia Brown" })).toBeNull();
});

test("each person has a 'Send kudos' link named for them, which opens the kudos form", async () => {
  renderAt(() => board());
  const link = await screen.findByRole("link", { name: "Send kudos to Priya Shah" });
  expect(link.getAttribute("href")).toBe("/team/kudos?to=usr_priya");
  expect(screen.getAllByRole("link", { name: /^Send kudos to / })).toHaveLength(4);
  await userEvent.click(link);
  expect(await screen.findByRole("heading", { name: "Kudos form" })).toBeTruthy();
});

test("names open the person page; without links or kudos, the board is read-only", async () => {
  renderAt(() => board());
  await userEvent.click(await screen.findByRole("link", { name: "Li Wei" }));
  expect(await screen.findByRole("heading", { name: "Person page" })).toBeTruthy();
  cleanup();
  renderAt(() => board({ personHref: undefined, kudosHref: undefined, showManager: true }));
  const table = await screen.findByRole("table");
  expect(within(table).queryAllByRole("link")).toEqual([]);
  expect(within(table).getAllByRole("columnheader")).toHaveLength(6);
  expect(screen.getByRole("rowheader", { name: /Ravi Patel/ }).textContent).toContain("reports to Sofia Alvarez");
});

test("the explanation states the formula with the numbers the score uses", async () => {
  renderAt(() => <ScoreExplainer open />);
  const summary = await screen.findByText("How the score works");
  const details = summary.closest("details")!;
  expect(details.open).toBe(true);
  const text = details.textContent!.replace(/\s+/g, " ");
  expect(text).toContain(`${POINTS.onTime} points for completing it on or before the due date`);
  expect(text).toContain(`up to ${POINTS.maxEarly}`);
  expect(text).toContain(`${POINTS.firstTry} points for passing the quiz at the first attempt`);
  expect(text).toContain(`up to ${MAX_STREAK_BONUS}`);
  expect(text).toContain("Equal scores share a rank (1, 2, 2, 4)");
  expect(text).toContain("they still count in HR's overall figures");
});

test("the pager is a named navigation: which rows are shown, and links to the pages either side", async () => {
  renderAt(() => <Pager page={2} pageCount={3} pageSize={50} total={120} param="page" label="Pages of your team's board" />);
  const nav = await screen.findByRole("navigation", { name: "Pages of your team's board" });
  expect(nav.textContent).toContain("Rows 51–100 of 120 · page 2 of 3");
  const previous = within(nav).getByRole("link", { name: "Previous 50" });
  expect(previous.getAttribute("href")).toBe("/");
  expect(previous.getAttribute("rel")).toBe("prev");
  const next = within(nav).getByRole("link", { name: "Next 20" });
  expect(next.getAttribute("href")).toBe("/?page=3");
  expect(next.getAttribute("rel")).toBe("next");
  cleanup();
  // One page: nothing to page through, so no navigation at all.
  renderAt(() => (
    <>
      <p>Three people</p>
      <Pager page={1} pageCount={1} pageSize={50} total={3} param="page" label="Pages of the board" />
    </>
  ));
  await screen.findByText("Three people");
  expect(screen.queryByRole("navigation", { name: "Pages of the board" })).toBeNull();
});
