import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, type ClientLoaderFunctionArgs } from "@remix-run/react";
import { notFound, requireHr } from "~/http/guards.server";
import { catalogsOf } from "~/http/catalogs.server";
import { draftModulePreview } from "~/hr/course-pages.server";
import { courseComponents } from "~/components/course-components";
import { MdxContent } from "~/components/MdxContent";
import { withMdxLoaded } from "~/components/mdx-registry";
import { ScenarioContext } from "~/components/Scenario";
import { ScenarioMap } from "~/components/ScenarioMap";
import hrStyles from "~/styles/hr.css";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Preview: ${data.module.title} · Confidant` : "Confidant" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: hrStyles }];

// A module of a draft (or published) course, to click through without recording anything.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireHr(request, context);
  const page = await draftModulePreview(catalogsOf(context), String(params.course), String(params.module));
  if (!page) throw notFound("There is no such module in this course.");
  return page;
}

export const clientLoader = ({ serverLoader }: ClientLoaderFunctionArgs) => withMdxLoaded(serverLoader);

export default function ModulePreview() {
  const d = useLoaderData<typeof loader>();
  const base = `/hr/courses/${d.course.id}`;
  return (
    <article>
      <p className="eyebrow">
        <Link to={base}>{d.course.title}</Link> · Module {d.module.number} of {d.module.total} · version <code>{d.course.contentHash}</code>
      </p>
      <h1>{d.module.title}</h1>
      {d.module.summary ? <p className="muted">{d.module.summary}</p> : null}
      <p className="notice">Preview: click through any branch. Nothing is recorded.</p>
      <div className="prose">
        <ScenarioContext.Provider value={{ progress: {}, module: d.module.slug, interactive: false, preview: true }}>
          <MdxContent hash={d.mdxHash} components={courseComponents} />
        </ScenarioContext.Provider>
      </div>
      {d.scenarios.length ? (
        <section aria-labelledby="maps-h">
          <h2 id="maps-h">Scenario map{d.scenarios.length > 1 ? "s" : ""}</h2>
          {d.scenarios.map((s) => (
            <ScenarioMap key={s.id} scenario={s} />
          ))}
        </section>
      ) : null}
      <nav className="module-nav" aria-label="Module">
        {d.prev ? <Link to={`${base}/preview/${d.prev.slug}`}>← {d.prev.title}</Link> : <span />}
        {d.next ? <Link to={`${base}/preview/${d.next.slug}`}>{d.next.title} →</Link> : <Link to={base}>Back to publishing</Link>}
      </nav>
    </article>
  );
}
