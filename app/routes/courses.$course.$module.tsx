import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, type ClientLoaderFunctionArgs } from "@remix-run/react";
import { notFound, readForm } from "~/http/guards.server";
import { modulePage } from "~/learning/module-page.server";
import { mediaUrls } from "~/courses/media.server";
import { asResponse, courseAccess, requireAssignment } from "~/http/course-access.server";
import { completeModule, LearningError, recordScenarioChoice } from "~/learning/progress.server";
import { courseComponents } from "~/components/course-components";
import { MdxContent } from "~/components/MdxContent";
import { withMdxLoaded } from "~/components/mdx-registry";
import { ScenarioContext } from "~/components/Scenario";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.module.title} · ${data.course.title} · Confidant` : "Confidant" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const access = await courseAccess(request, context, params.course);
  const result = await modulePage(context.db, access, params.module);
  if (result.kind === "missing") throw notFound("There is no such module in this course.");
  if (result.kind === "redirect") throw redirect(result.to);
  return { ...result.page, media: mediaUrls(access.course) };
}

export const clientLoader = ({ serverLoader }: ClientLoaderFunctionArgs) => withMdxLoaded(serverLoader);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { viewer, course, assignment } = await requireAssignment(request, context, params.course);
  const form = await readForm(request);
  const intent = form.get("intent");
  try {
    if (intent === "choose") {
      await recordScenarioChoice(
        context.db,
        {
          assignment,
          course,
          module: String(params.module),
          scenarioId: String(form.get("scenario") ?? ""),
          from: String(form.get("from") ?? ""),
          to: String(form.get("to") ?? ""),
        },
        context.clock,
      );
      return { ok: true as const, error: null };
    }
    if (intent === "complete") {
      await completeModule(context.db, { assignment, course, module: String(params.module), actorId: viewer.id }, context.clock);
      const index = course.modules.findIndex((m) => m.slug === params.module);
      const next = course.modules[index + 1];
      if (next) return redirect(`/courses/${course.id}/${next.slug}`);
      return redirect(course.quiz ? `/courses/${course.id}/quiz` : course.meta.policy ? `/courses/${course.id}/attest` : `/courses/${course.id}`);
    }
  } catch (e) {
    if (e instanceof LearningError && e.status !== 404) return data({ ok: false as const, error: e.message }, { status: e.status });
    asResponse(e);
  }
  return data({ ok: false as const, error: "Unknown action." }, { status: 400 });
}

export default function ModulePage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const completing = navigation.state !== "idle" && navigation.formData?.get("intent") === "complete";
  const blocked = d.pendingScenarios.length > 0;
  return (
    <article>
      <p className="eyebrow">
        <Link to={`/courses/${d.course.id}`}>{d.course.title}</Link> · Module {d.module.number} of {d.module.total}
      </p>
      <h1>{d.module.title}</h1>
      {d.module.summary ? <p className="muted">{d.module.summary}</p> : null}
      {d.preview ? <p className="notice">Preview: choices are shown but not recorded.</p> : null}
      {result && !result.ok ? (
        <p className="form-error" role="alert">
          {result.error}
        </p>
      ) : null}
      <div className="prose">
        <ScenarioContext.Provider value={{ progress: d.scenarios, module: d.module.slug, interactive: !d.preview && !d.courseComplete, seed: d.choiceSeed }}>
          <MdxContent hash={d.mdxHash} failure={d.mdxFailure} media={d.media} components={courseComponents} />
        </ScenarioContext.Provider>
      </div>
      <nav className="module-nav" aria-label="Module">
        {d.prev ? <Link to={`/courses/${d.course.id}/${d.prev.slug}`}>← {d.prev.title}</Link> : <span />}
        {d.preview ? (
          d.next ? <Link to={`/courses/${d.course.id}/${d.next.slug}`}>{d.next.title} →</Link> : null
        ) : d.done ? (
          d.next ? (
            <Link className="button" to={`/courses/${d.course.id}/${d.next.slug}`}>
              Next: {d.next.title}
            </Link>
          ) : (
            <Link className="button" to={`/courses/${d.course.id}`}>
              Back to the course
            </Link>
          )
        ) : (
          <Form method="post">
            <input type="hidden" name="intent" value="complete" />
            {blocked ? (
              <p className="hint" id="complete-hint">
                Finish the scenario{d.pendingScenarios.length > 1 ? "s" : ""} above to continue.
              </p>
            ) : null}
            <button type="submit" className="button" disabled={blocked || completing} aria-describedby={blocked ? "complete-hint" : undefined}>
              {d.next ? "Complete and continue" : d.course.hasQuiz ? "Complete and go to the quiz" : "Complete module"}
            </button>
          </Form>
        )}
      </nav>
    </article>
  );
}
