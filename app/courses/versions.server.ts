// The courses as they were: title, metadata and the whole content (every module's source and
// scenario shape, the quiz) by content hash, so an assignment's history reads well after the
// course changes or is removed, and a learner part-way through keeps the version they are on.
// The only module that writes `course_versions`.
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../../db/schema";
import type { Course } from "./catalog.server";

/** What is kept of a course version: everything a learner's pages and grading read. */
function contentOf(course: Course): string {
  return JSON.stringify({ meta: course.meta, modules: course.modules, quiz: course.quiz });
}

/** Remembers what the course looked like, so its history reads well after it changes. */
export async function recordCourseVersion(trx: Transaction<DB>, course: Course, at: Date) {
  await trx
    .insertInto("course_versions")
    .values({
      course_id: course.id,
      content_hash: course.contentHash,
      title: course.meta.title,
      metadata_json: JSON.stringify({ ...course.meta, modules: course.modules.map((m) => ({ slug: m.slug, title: m.title })) }),
      recorded_at: at.toISOString(),
      content_json: contentOf(course),
    })
    .onConflict((oc) => oc.columns(["course_id", "content_hash"]).doNothing())
    .execute();
  // Rows recorded before whole contents were kept get theirs the first time the version is seen.
  await trx
    .updateTable("course_versions")
    .set({ content_json: contentOf(course) })
    .where("course_id", "=", course.id)
    .where("content_hash", "=", course.contentHash)
    .where("content_json", "is", null)
    .execute();
}

/** A kept course version as a catalog course (null when that version's content was never kept). */
export async function storedCourse(db: Kysely<DB>, { courseId, contentHash, dir }: { courseId: string; contentHash: string; dir: string }): Promise<Course | null> {
  const row = await db
    .selectFrom("course_versions")
    .select("content_json")
    .where("course_id", "=", courseId)
    .where("content_hash", "=", contentHash)
    .executeTakeFirst();
  if (!row?.content_json) return null;
  const content = JSON.parse(row.content_json) as Pick<Course, "meta" | "modules" | "quiz">;
  return { id: courseId, dir, meta: content.meta, modules: content.modules, quiz: content.quiz, contentHash, lineOf: () => 1 };
}
