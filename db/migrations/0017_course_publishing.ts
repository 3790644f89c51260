// Drafts and publishing (decision 024): a course is live only once it has a publication; each
// assignment keeps the content version it is on; the course as it was (every module's source and
// scenario shape, its quiz) and each module's compiled code are kept by content hash, so a
// learner part-way through keeps their version after the folder changes.
//
// The migration marks the baseline as pending: the first start after it records every course then
// in the folder as published (and pins open assignments to that content), so nobody's
// assignments change on upgrade. Courses added later start as drafts.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("course_publications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("course_id", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("mode", "text", (c) => c.notNull())
    .addColumn("published_at", "text", (c) => c.notNull())
    .addColumn("actor_id", "text", (c) => c.references("users.id"))
    .addColumn("assignments", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("emails", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("restarted", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("course_publications_course").on("course_publications").columns(["course_id", "published_at"]).execute();

  await db.schema
    .createTable("compiled_modules")
    .addColumn("hash", "text", (c) => c.primaryKey())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("compiled_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("publishing_baseline")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("recorded_at", "text")
    .execute();
  await db.insertInto("publishing_baseline").values({ id: 1, recorded_at: null }).execute();

  await db.schema.alterTable("course_versions").addColumn("content_json", "text").execute();
  await db.schema.alterTable("assignments").addColumn("content_hash", "text").execute();
  await db.schema.alterTable("assignments").addColumn("content_since", "text").execute();
}

export async function down(): Promise<void> {
  throw new Error("0017_course_publishing cannot be undone: publications are part of the record");
}
