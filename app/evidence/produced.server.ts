// Evidence packs for HR, produced once and downloaded by id: the JSON and the signed PDF of one
// snapshot, so counsel can match them. Plain values in and out; routes check that the viewer
// is HR first.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { AppConfig } from "../config.server";
import type { Viewer } from "../auth/viewer";
import { evidenceBaseName, type ProducedEvidence } from "./pack.server";
import { produceSignedEvidence } from "./produce.server";
import { evidencePackFile, getEvidencePack, type StoredPackSummary } from "./stored-packs.server";

const PERSON_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PACK_ID = /^evp_[a-z2-7]{24}$/;

/** Produces both files from one snapshot for an HR viewer; null when there is no such person. */
export async function producePackFor(
  db: Kysely<DB>,
  config: AppConfig,
  { viewer, personId, now }: { viewer: Viewer; personId: string; now: Date },
): Promise<ProducedEvidence | null> {
  if (!PERSON_ID.test(personId)) return null;
  return produceSignedEvidence(db, config, {
    who: { personId },
    generatedBy: { via: "web", id: viewer.id, name: viewer.name, email: viewer.email },
    now,
    formats: ["json", "pdf"],
  });
}

export interface ProducedPackView extends StoredPackSummary {
  personId: string;
  email: string;
  files: { json: string; pdf: string | null };
}

function fileNames(p: { email: string; produced_at: string; pdf_sha256: string | null }) {
  const base = evidenceBaseName(p.email, new Date(p.produced_at));
  return { json: `${base}.json`, pdf: p.pdf_sha256 ? `${base}.pdf` : null };
}

/** One produced pack of that person, with its file names; null if the id is not one of theirs. */
export async function producedPack(db: Kysely<DB>, { personId, packId }: { personId: string; packId: string }): Promise<ProducedPackView | null> {
  if (!PERSON_ID.test(personId) || !PACK_ID.test(packId)) return null;
  const pack = await getEvidencePack(db, { personId, packId });
  return pack ? { ...pack, personId, files: fileNames(pack) } : null;
}

/** A produced pack's file by its name (as first handed over); null for any other name. */
export async function producedPackFile(
  db: Kysely<DB>,
  { personId, packId, file }: { personId: string; packId: string; file: string },
): Promise<{ body: Uint8Array | string; fileName: string; contentType: string } | null> {
  const pack = await producedPack(db, { personId, packId });
  if (!pack) return null;
  const format = file === pack.files.json ? "json" : file === pack.files.pdf ? "pdf" : null;
  if (!format) return null;
  const body = await evidencePackFile(db, { personId, packId, format });
  if (body === null) return null;
  return { body, fileName: file, contentType: format === "json" ? "application/json; charset=utf-8" : "application/pdf" };
}
