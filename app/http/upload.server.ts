// Reads a multipart form with one file field, with a size limit on every part, answering a
// clear 4xx instead of failing on bad bodies.
import { MaxPartSizeExceededError, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData } from "@remix-run/node";

export type Upload =
  | { ok: true; fields: Record<string, string>; file: { name: string; bytes: Uint8Array } | null }
  | { ok: false; status: 400 | 413 | 415; message: string };

export async function readUpload(request: Request, { fileField, fields, maxBytes, tooLarge }: { fileField: string; fields: string[]; maxBytes: number; tooLarge: string }): Promise<Upload> {
  if (!(request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    return { ok: false, status: 415, message: "Send the form with its file (multipart/form-data)." };
  }
  // Refuse an obviously oversized body before reading it; the handler enforces the limit per part.
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes + 64 * 1024) return { ok: false, status: 413, message: tooLarge };
  const allowed = new Set([fileField, ...fields]);
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: maxBytes, filter: ({ name }) => allowed.has(name) }));
  } catch (e) {
    if (e instanceof MaxPartSizeExceededError) return { ok: false, status: 413, message: tooLarge };
    return { ok: false, status: 400, message: "That upload could not be read. Choose the file again and send the form." };
  }
  const out: Record<string, string> = {};
  for (const name of fields) {
    const v = form.get(name);
    if (typeof v === "string") out[name] = v;
  }
  const file = form.get(fileField);
  if (!file || typeof file === "string" || (file.size === 0 && file.name === "")) return { ok: true, fields: out, file: null };
  return { ok: true, fields: out, file: { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } };
}
