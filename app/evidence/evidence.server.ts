// Evidence packs for routes: HR only (404 for everyone else), one person by id.
import type { AppContext } from "../http/context";
import { notFound, requireHr } from "../http/guards.server";
import { evidenceBaseName, produceEvidence } from "./pack.server";
import { renderEvidencePdf } from "./pdf.server";

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What the evidence page shows about the person before anything is produced. */
export async function evidenceSubject(request: Request, context: AppContext, id: string | undefined) {
  requireHr(request, context);
  if (!id || !ID.test(id)) throw notFound("There is no such person.");
  const person = await context.db
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
      eb.selectFrom("attestations as t").select((e) => e.fn.countAll<number>().as("n")).whereRef("t.user_id", "=", "u.id").as("attestations"),
    ])
    .where("u.id", "=", id)
    .executeTakeFirst();
  if (!person) throw notFound("There is no such person.");
  return { ...person, cycles: Number(person.cycles ?? 0), attestations: Number(person.attestations ?? 0) };
}

/** Produces (and audits) the pack in one format for the HR viewer. */
export async function evidenceDownload(request: Request, context: AppContext, id: string | undefined, format: "json" | "pdf"): Promise<Response> {
  const viewer = requireHr(request, context);
  if (!id || !ID.test(id)) throw notFound("There is no such person.");
  const now = context.clock();
  const produced = await produceEvidence(context.db, {
    who: { personId: id },
    generatedBy: { via: "web", id: viewer.id, name: viewer.name, email: viewer.email },
    now,
    formats: [format],
    renderPdf: (pack) => renderEvidencePdf(pack, { origin: context.config.origin, jsonFileName: `${evidenceBaseName(pack.person.email, now)}.json` }),
  });
  if (!produced) throw notFound("There is no such person.");
  const headers = {
    "Content-Disposition": `attachment; filename="${produced.baseName}.${format}"`,
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
  };
  if (format === "pdf") {
    return new Response(new Uint8Array(produced.pdf!), { headers: { ...headers, "Content-Type": "application/pdf" } });
  }
  return new Response(produced.json, { headers: { ...headers, "Content-Type": "application/json; charset=utf-8" } });
}
