// The courses as they were when someone was assigned them: title, metadata and module list by
// content hash, so an assignment's history reads well after the course changes or is removed.
// The only module that writes `course_versions`.
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema";
import type { Course } from "./catalog.server";

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
    })
    .onConflict((oc) => oc.columns(["course_id", "content_hash"]).doNothing())
    .execute();
}
