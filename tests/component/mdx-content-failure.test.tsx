// @vitest-environment jsdom
// Course content that fails never fails the page: a component that throws while rendering, on the
// server or in the browser, leaves an error box for HR and "temporarily unavailable" for learners.
import { afterEach, beforeAll, expect, test } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { createRemixStub } from "@remix-run/testing";
import { renderToString } from "react-dom/server";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import type { ComponentType } from "react";
import { MdxContent } from "../../app/components/MdxContent";
import { registerMdx } from "../../app/components/mdx-registry";

afterEach(cleanup);

const FUTURE = { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_lazyRouteDiscovery: true, v3_singleFetch: true };

function Boom(): never {
  throw new Error("Scenario 'x' has no steps to show");
}
const components: Record<string, ComponentType<any>> = { Boom };
const HASH = "0123456789abcdef0123456789abcdef";

beforeAll(() => {
  registerMdx(HASH, ({ components: c }) => {
    const B = c!.Boom;
    return (
      <p>
        Before the failure. <B />
      </p>
    );
  });
  // React reports every error an error boundary catches on console.error.
  (globalThis as { allowConsoleError?: boolean }).allowConsoleError = true;
});

async function renderInBrowser(isHr: boolean, failure: string | null = null) {
  const Stub = createRemixStub([
    { id: "root", path: "/", loader: () => ({ viewer: { isHr } }), Component: () => <MdxContent hash={HASH} components={components} failure={failure} /> },
  ]);
  render(<Stub initialEntries={["/"]} future={FUTURE} />);
}

test("in the browser a learner sees 'temporarily unavailable' and nothing of the error", async () => {
  await renderInBrowser(false);
  expect(await screen.findByText(/This module is temporarily unavailable\./)).toBeTruthy();
  expect(screen.queryByText(/has no steps/)).toBeNull();
  expect(screen.queryByText(/Before the failure/)).toBeNull();
});

test("in the browser HR sees an error box with what went wrong", async () => {
  await renderInBrowser(true);
  const box = await screen.findByRole("alert");
  expect(box.textContent).toContain("This content cannot be shown.");
  expect(box.textContent).toContain("Scenario 'x' has no steps to show");
});

test("content that did not compile shows the same, and HR sees the compiler's reason", async () => {
  await renderInBrowser(true, "{…} is a JavaScript expression");
  expect((await screen.findByRole("alert")).textContent).toContain("{…} is a JavaScript expression");
  cleanup();
  await renderInBrowser(false, "{…} is a JavaScript expression");
  expect(await screen.findByText(/temporarily unavailable/)).toBeTruthy();
  expect(screen.queryByText(/JavaScript expression/)).toBeNull();
});

test("on the server the page still renders, with 'temporarily unavailable' in place of the content", async () => {
  const routes = [{ id: "root", path: "/", loader: () => ({ viewer: { isHr: false } }), element: <MdxContent hash={HASH} components={components} /> }];
  const handler = createStaticHandler(routes);
  const context = await handler.query(new Request("http://localhost/"));
  if (context instanceof Response) throw new Error("unexpected redirect");
  const router = createStaticRouter(handler.dataRoutes, context);
  const html = renderToString(<StaticRouterProvider router={router} context={context} hydrate={false} />);
  expect(html).toContain("This module is temporarily unavailable.");
  // React's development build describes the error in a <template> for the browser's console; the
  // page itself shows none of it (and the production build sends only a digest).
  expect(html.replace(/<template[^>]*>.*?<\/template>/gs, "")).not.toContain("has no steps");
});
