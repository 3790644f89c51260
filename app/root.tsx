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
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
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
  return (
    <header className="site-header">
      <Link to="/" className="brand">
        Confidant
      </Link>
      {viewer ? (
        <nav aria-label="Main">
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
      ) : null}
    </header>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
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
        <p>{typeof error.data === "string" && error.data ? error.data : "We could not find that page."}</p>
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
