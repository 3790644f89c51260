// Evidence packs for HR: one person by id, as plain data for the routes (an id that is not a
// person's is null, which the routes answer with a 404).
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Viewer } from "../auth/viewer";
import { evidenceBaseName, produceEvidence } from "./pack.server";
import { renderEvidencePdf } from "./pdf.server";

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What the evidence page shows about the person before anything is produced. */
export async function evidenceSubject(db: Kysely<DB>, id: string | undefined) {
  if (!id || !ID.test(id)) return null;
  const person = await db
    .selectFrom("users as u")
    .select((eb) => [
      "u.id",
      "u.name",
      "u.email",
      "u.status",
      "u.type",
      "u.department",
      "u.start_date",
      "u.end_date",
      eb.selectFrom("assignments as a").select((e) => e.fn.countAll<number>().as("n")).whereRef("a.user_id", "=", "u.id").as("cycles"),
      eb.selectFrom("attestations as t").select((e) => e.fn.countAll<number>().as("n")).whereRef("t.user_id", "=", "u.id").where("t.outcome", "=", "signed").as("attestations"),
    ])
    .where("u.id", "=", id)
    .executeTakeFirst();
  if (!person) return null;
  return { ...person, cycles: Number(person.cycles ?? 0), attestations: Number(person.attestations ?? 0) };
}

export interface EvidenceFile {
  fileName: string;
  contentType: string;
  body: Uint8Array | string;
}

/** Produces (and audits) the pack in one format for the HR viewer. */
export async function evidenceFile(
  db: Kysely<DB>,
  { viewer, id, format, now, origin }: { viewer: Viewer; id: string | undefined; format: "json" | "pdf"; now: Date; origin: string },
): Promise<EvidenceFile | null> {
  if (!id || !ID.test(id)) return null;
  const produced = await produceEvidence(db, {
    who: { personId: id },
    generatedBy: { via: "web", id: viewer.id, name: viewer.name, email: viewer.email },
    now,
    formats: [format],
    renderPdf: (pack) => renderEvidencePdf(pack, { origin, jsonFileName: `${evidenceBaseName(pack.person.email, now)}.json` }),
  });
  if (!produced) return null;
  const fileName = `${produced.baseName}.${format}`;
  if (format === "pdf") return { fileName, contentType: "application/pdf", body: produced.pdf! };
  return { fileName, contentType: "application/json; charset=utf-8", body: produced.json };
}
