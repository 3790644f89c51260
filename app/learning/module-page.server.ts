// A module's page: modules open in order, so a module not yet reached sends the person to where
// they left off; otherwise the module with its scenarios' state and its neighbours.
import type { Db } from "../../db/connection";
import { compileForPage } from "../courses/mdx.server";
import type { Course } from "../courses/catalog.server";
import type { CourseAccess } from "./access.server";
import { getCourseState, moduleUnlocked, type CourseState } from "./progress.server";

/** Where a person who opens `slug` goes instead, or null when the module is open to them. */
export function moduleRedirect(course: Course, state: Pick<CourseState, "completedModules"> | null, slug: string): string | null {
  if (!state || moduleUnlocked(course, state, slug)) return null;
  const next = course.modules.find((m) => !state.completedModules.has(m.slug));
  return `/courses/${course.id}/${next?.slug ?? ""}`;
}

export type ModulePage =
  | { kind: "missing" }
  | { kind: "redirect"; to: string }
  | { kind: "page"; page: Awaited<ReturnType<typeof modulePageOf>> };

export async function modulePage(db: Db, { course, assignment, preview, viewer }: CourseAccess, slug: string | undefined): Promise<ModulePage> {
  const index = course.modules.findIndex((m) => m.slug === slug);
  if (index === -1) return { kind: "missing" };
  const state = assignment ? await getCourseState(db, assignment, course) : null;
  const to = moduleRedirect(course, state, course.modules[index].slug);
  if (to) return { kind: "redirect", to };
  return { kind: "page", page: await modulePageOf(course, index, state, { completed: Boolean(assignment?.completed_at), preview, seed: viewer.id }) };
}

async function modulePageOf(course: Course, index: number, state: CourseState | null, flags: { completed: boolean; preview: boolean; seed: string }) {
  const mod = course.modules[index];
  const { hash, failure } = await compileForPage(mod.source);
  const scenarios = Object.fromEntries(mod.scenarios.map((s) => [s.id, state?.scenarios[s.id] ?? { path: [], completed: false, runs: 0 }]));
  const prev = course.modules[index - 1];
  const next = course.modules[index + 1];
  return {
    course: { id: course.id, title: course.meta.title, hasQuiz: course.quiz !== null, hasPolicy: Boolean(course.meta.policy) },
    module: { slug: mod.slug, title: mod.title, summary: mod.summary, minutes: mod.minutes, number: index + 1, total: course.modules.length },
    mdxHash: hash,
    mdxFailure: failure,
    scenarios,
    pendingScenarios: mod.scenarios.filter((s) => !scenarios[s.id].completed).map((s) => s.title),
    done: state?.completedModules.has(mod.slug) ?? false,
    courseComplete: flags.completed,
    preview: flags.preview,
    /** Each learner sees a scenario's choices in an order of their own, the same every visit. */
    choiceSeed: flags.seed,
    prev: prev ? { slug: prev.slug, title: prev.title } : null,
    next: next ? { slug: next.slug, title: next.title } : null,
  };
}
