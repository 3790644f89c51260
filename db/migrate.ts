// Migrations run forward, on start and by `npm run db:migrate`. They are listed here rather
// than read from the folder so that the bundled server and the scripts see the same set.
import { Migrator, type Migration, type MigrationProvider } from "kysely";
import type { Kysely } from "kysely";
import * as m0001 from "./migrations/0001_init";
import * as m0002 from "./migrations/0002_scheduler";
import * as m0003 from "./migrations/0003_people_and_recognition";
import * as m0004 from "./migrations/0004_reporting";
import * as m0005 from "./migrations/0005_password_links";
import * as m0006 from "./migrations/0006_person_scores";
import * as m0007 from "./migrations/0007_people_lookups";
import * as m0008 from "./migrations/0008_audit_anchors";
import * as m0009 from "./migrations/0009_evidence_packs";
import * as m0010 from "./migrations/0010_account_links";
import * as m0011 from "./migrations/0011_second_factors";
import * as m0012 from "./migrations/0012_signature_record";
import * as m0015 from "./migrations/0015_renewal_indexes";
import * as m0015a from "./migrations/0015a_recognition_team_sizes";
import * as m0017 from "./migrations/0017_course_publishing";
import * as m0018 from "./migrations/0018_quiz_presentation";
import * as m0019 from "./migrations/0019_single_sign_on";

const migrations: Record<string, Migration> = {
  "0001_init": m0001,
  "0002_scheduler": m0002,
  "0003_people_and_recognition": m0003,
  "0004_reporting": m0004,
  "0005_password_links": m0005,
  "0006_person_scores": m0006,
  "0007_people_lookups": m0007,
  "0008_audit_anchors": m0008,
  "0009_evidence_packs": m0009,
  "0010_account_links": m0010,
  "0011_second_factors": m0011,
  "0012_signature_record": m0012,
  "0015_renewal_indexes": m0015,
  "0015a_recognition_team_sizes": m0015a,
  "0017_course_publishing": m0017,
  "0018_quiz_presentation": m0018,
  "0019_single_sign_on": m0019,
};

export const MIGRATION_NAMES = Object.keys(migrations);

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Migrations recorded in the database that this build does not have: a newer Confidant wrote it. */
export async function unknownMigrations(db: Kysely<any>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === "kysely_migration")) return [];
  const rows = await db.selectFrom("kysely_migration").select("name").execute();
  return rows.map((r) => String(r.name)).filter((name) => !MIGRATION_NAMES.includes(name)).sort();
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const newer = await unknownMigrations(db);
  if (newer.length) {
    throw new Error(
      `This database was written by a newer Confidant (migration ${newer[0]}${newer.length > 1 ? ` and ${newer.length - 1} more` : ""}); upgrade Confidant to run it. Nothing was changed.`,
    );
  }
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(failed ? `Migration ${failed} failed: ${why}` : `Could not migrate the database: ${why}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
