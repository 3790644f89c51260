import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";
import styles from "./styles/app.css";
import { hasReports } from "./people/org.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Confidant" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const v = context.viewer;
  return {
    nonce: context.nonce,
    requestId: context.requestId,
    viewer: v ? { name: v.name, email: v.email, isHr: v.is_hr === 1, isManager: await hasReports(context.db, v.id) } : null,
  };
}

function Document({ children, nonce }: { children: ReactNode; nonce?: string }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function Header() {
  const data = useRouteLoaderData<typeof loader>("root");
  const viewer = data?.viewer;
  const { pathname } = useLocation();
  // Until the page is hydrated (or without JavaScript) the whole menu shows; afterwards narrow
  // screens fold it behind a menu button, so the header takes one row instead of three to five.
  const [enhanced, setEnhanced] = useState(false);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => setEnhanced(true), []);
  useEffect(() => setOpen(false), [pathname]);
  return (
    <header className={`site-header${enhanced ? " enhanced" : ""}${open ? " menu-open" : ""}`}>
      <Link to="/" className="brand">
        Confidant
      </Link>
      {viewer ? (
        <>
          <button
            ref={button}
            type="button"
            className="menu-button"
            aria-expanded={open}
            aria-controls="site-nav"
            onClick={() => setOpen((o) => !o)}
          >
            Menu
          </button>
          <nav
            id="site-nav"
            aria-label="Main"
            onKeyDown={(e) => {
              if (e.key === "Escape" && open) {
                setOpen(false);
                button.current?.focus();
              }
            }}
          >
            <NavLink to="/" end>
              My training
            </NavLink>
            {viewer.isManager ? <NavLink to="/team">My team</NavLink> : null}
            {viewer.isHr ? (
              <>
                <NavLink to="/hr" end>
                  Dashboard
                </NavLink>
                <NavLink to="/hr/people">People</NavLink>
                <NavLink to="/hr/board">Top compliers</NavLink>
                <NavLink to="/hr/recognition">Recognition</NavLink>
                <NavLink to="/courses">Courses</NavLink>
                <NavLink to="/hr/courses">Publishing</NavLink>
                <NavLink to="/hr/outbox">Outbox</NavLink>
                <NavLink to="/hr/scim">Provisioning</NavLink>
              </>
            ) : null}
            <NavLink to="/account">Account</NavLink>
            <span className="who" title={viewer.email}>
              {viewer.name}
            </span>
            <Form method="post" action="/logout">
              <button type="submit" className="link-button">
                Sign out
              </button>
            </Form>
          </nav>
        </>
      ) : null}
    </header>
  );
}

/** After a client-side navigation to another page, focus moves to its heading (screen readers
 * read it out) instead of staying on <body>; the first load and same-page form posts keep focus. */
function useFocusOnNavigation() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const main = document.getElementById("main");
    const heading = main?.querySelector<HTMLElement>("h1");
    const target = heading ?? main;
    if (!target) return;
    if (heading && !heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    target.focus();
  }, [pathname]);
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  useFocusOnNavigation();
  return (
    <Document nonce={data?.nonce}>
      <Header />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </Document>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("root");
  if (isRouteErrorResponse(error)) {
    const title =
      error.status === 404 ? "Page not found" : error.status === 403 ? "Not allowed" : error.status === 429 ? "Too many attempts" : error.status === 503 ? "Cannot save right now" : "Something is not right";
    return (
      <div className="panel error-page">
        <h1>{title}</h1>
        <p>{typeof error.data === "string" && error.data && !error.data.startsWith("Error:") ? error.data : "We could not find that page."}</p>
        <p>
          <Link to="/">Back to my training</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="panel error-page">
      <h1>Something went wrong</h1>
      <p>Sorry, something went wrong on our side. Please try again in a moment.</p>
      {data?.requestId ? (
        <p className="muted">
          If it keeps happening, give this reference to your administrator: <code>{data.requestId}</code>
        </p>
      ) : null}
      <p>
        <Link to="/">Back to my training</Link>
      </p>
    </div>
  );
}
