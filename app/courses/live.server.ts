// Which course versions are live (decision 024): the folder holds drafts; a course is live — seen
// by the scheduler, open to learners — only at the content version HR last published, and each
// assignment stays on the version it is on. Reads only; publications are written by
// app/scheduler/publishing.server.ts.
import type { Kysely } from "kysely";
import type { Assignment, DB } from "../../db/schema";
import type { Catalog, Course } from "./catalog.server";
import { storedCourse } from "./versions.server";

/** The live catalog (what the scheduler and learners see) and the folder as it is now. */
export interface Catalogs {
  live: Catalog;
  drafts: Catalog;
}

export interface Publication {
  course_id: string;
  content_hash: string;
  mode: string;
  published_at: string;
  actor_id: string | null;
}

/** The newest publication of each course. */
export async function latestPublications(db: Kysely<DB>): Promise<Map<string, Publication>> {
  const rows = await db
    .selectFrom("course_publications")
    .select(["course_id", "content_hash", "mode", "published_at", "actor_id"])
    .orderBy("published_at", "asc")
    .orderBy("id", "asc")
    .execute();
  return new Map(rows.map((r) => [r.course_id, r]));
}

const kept = new Map<string, Course>();

/** A course at a content version: the folder's when it matches, else the kept content. */
export async function courseAtVersion(db: Kysely<DB>, drafts: Catalog, { courseId, contentHash }: { courseId: string; contentHash: string }): Promise<Course | null> {
  const draft = drafts.courses.get(courseId);
  if (draft?.contentHash === contentHash) return draft;
  const key = `${courseId}:${contentHash}`;
  const known = kept.get(key);
  if (known) return known;
  const course = await storedCourse(db, { courseId, contentHash, dir: draft?.dir ?? `${drafts.root}/${courseId}` });
  if (course) kept.set(key, course);
  return course;
}

/** The course an assignment is on: the version it started on (or was moved to), else the live one. */
export async function courseForAssignment(db: Kysely<DB>, live: Catalog, assignment: Pick<Assignment, "course_id" | "content_hash">): Promise<Course | null> {
  const current = live.courses.get(assignment.course_id) ?? null;
  if (!assignment.content_hash || assignment.content_hash === current?.contentHash) return current;
  return (await courseAtVersion(db, live, { courseId: assignment.course_id, contentHash: assignment.content_hash })) ?? current;
}

/** Builds the live catalog: each published course whose folder still exists, at its published
 * version. A folder later broken keeps its published version live. */
export async function liveCatalog(db: Kysely<DB>, drafts: Catalog): Promise<Catalog> {
  // The folder's problems stay visible (the catalog page lists them) whatever is live.
  const live: Catalog = { root: drafts.root, courses: new Map(), policies: drafts.policies, problems: drafts.problems };
  await syncLiveCatalog(db, live, drafts);
  return live;
}

/** Brings `live` up to date in place (after a publication, or one made on another instance). */
export async function syncLiveCatalog(db: Kysely<DB>, live: Catalog, drafts: Catalog): Promise<void> {
  if (live === drafts) return; // the folder is the live catalog (tests, tools that load it directly)
  const published = await latestPublications(db);
  const next = new Map<string, Course>();
  for (const [id, p] of published) {
    if (!drafts.courses.has(id) && !drafts.problems.some((x) => x.file.split("/")[1] === id)) continue; // folder removed
    const course = await courseAtVersion(db, drafts, { courseId: id, contentHash: p.content_hash });
    if (course) next.set(id, course);
  }
  live.courses.clear();
  for (const [id, c] of next) live.courses.set(id, c);
  live.policies = drafts.policies;
  live.problems = drafts.problems;
}

// --- the HR list -------------------------------------------------------------------------------

export type PublishState = "draft" | "published" | "changed";

export interface CourseState {
  id: string;
  title: string;
  state: PublishState;
  /** The folder's version fails the check: the published version (if any) stays live. */
  broken: boolean;
  draftHash: string | null;
  publishedHash: string | null;
  publishedAt: string | null;
  modules: number;
}

/** Every course in the folder or live, with its publishing state. */
export async function courseStates(db: Kysely<DB>, { live, drafts }: Catalogs): Promise<CourseState[]> {
  const published = await latestPublications(db);
  const ids = [...new Set([...drafts.courses.keys(), ...live.courses.keys()])].sort();
  return ids.map((id) => {
    const draft = drafts.courses.get(id) ?? null;
    const p = published.get(id) ?? null;
    const shown = draft ?? live.courses.get(id)!;
    return {
      id,
      title: shown.meta.title,
      state: !p ? "draft" : draft && draft.contentHash !== p.content_hash ? "changed" : "published",
      broken: !draft,
      draftHash: draft?.contentHash ?? null,
      publishedHash: p?.content_hash ?? null,
      publishedAt: p?.published_at ?? null,
      modules: shown.modules.length,
    };
  });
}

/** A course's publications, newest first, with who published them. */
export async function publicationHistory(db: Kysely<DB>, courseId: string) {
  return db
    .selectFrom("course_publications as p")
    .leftJoin("users as u", "u.id", "p.actor_id")
    .select(["p.content_hash", "p.mode", "p.published_at", "p.assignments", "p.emails", "p.restarted", "u.name as actor_name"])
    .where("p.course_id", "=", courseId)
    .orderBy("p.published_at", "desc")
    .execute();
}
