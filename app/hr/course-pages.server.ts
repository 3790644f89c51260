// HR's course pages: every course with its publishing state, one course with its publications
// and what publishing it would do, and a draft module's preview with a map of each scenario.
// Nothing here records anything.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Course } from "../courses/catalog.server";
import { compileMdx } from "../courses/mdx.server";
import { courseStates, latestPublications, publicationHistory, type Catalogs } from "../courses/live.server";

export async function publishingList(db: Kysely<DB>, catalogs: Catalogs) {
  return { courses: await courseStates(db, catalogs), problems: catalogs.drafts.problems };
}

/** The course to preview: the folder's version, or the live one when the folder's is broken. */
function previewed(catalogs: Catalogs, courseId: string): Course | null {
  return catalogs.drafts.courses.get(courseId) ?? catalogs.live.courses.get(courseId) ?? null;
}

export async function publishingPage(db: Kysely<DB>, catalogs: Catalogs, courseId: string) {
  const course = previewed(catalogs, courseId);
  if (!course) return null;
  const state = (await courseStates(db, catalogs)).find((c) => c.id === courseId)!;
  const live = catalogs.live.courses.get(courseId) ?? null;
  const published = (await latestPublications(db)).get(courseId) ?? null;
  return {
    id: course.id,
    title: course.meta.title,
    summary: course.meta.summary,
    state,
    assign: course.meta.assign,
    audience: course.meta.audience,
    modules: course.modules.map((m) => ({ slug: m.slug, title: m.title, scenarios: m.scenarios.length, live: live?.modules.some((x) => x.slug === m.slug) ?? false })),
    removedFromLive: live ? live.modules.filter((m) => !course.modules.some((x) => x.slug === m.slug)).map((m) => m.title) : [],
    questions: course.quiz?.questions.length ?? 0,
    liveQuestions: live?.quiz?.questions.length ?? 0,
    publishedMode: published?.mode ?? null,
    history: await publicationHistory(db, courseId),
  };
}

/** A module of a draft (or live) course to click through, and the shape of its scenarios. */
export async function draftModulePreview(catalogs: Catalogs, courseId: string, slug: string) {
  const course = previewed(catalogs, courseId);
  const index = course ? course.modules.findIndex((m) => m.slug === slug) : -1;
  if (!course || index === -1) return null;
  const mod = course.modules[index];
  const { hash } = await compileMdx(mod.source);
  const prev = course.modules[index - 1];
  const next = course.modules[index + 1];
  return {
    course: { id: course.id, title: course.meta.title, contentHash: course.contentHash },
    module: { slug: mod.slug, title: mod.title, summary: mod.summary, number: index + 1, total: course.modules.length },
    mdxHash: hash,
    scenarios: mod.scenarios.map((s) => ({
      id: s.id,
      title: s.title,
      steps: s.steps.map((st) => ({ id: st.id, ending: st.ending, outcome: (st as { outcome?: string | null }).outcome ?? null, choices: st.choices.map((c) => ({ to: c.to, label: c.label })) })),
    })),
    prev: prev ? { slug: prev.slug, title: prev.title } : null,
    next: next ? { slug: next.slug, title: next.title } : null,
  };
}
