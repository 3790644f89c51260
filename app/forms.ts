// Reading submitted forms with zod, the same way on every page. Pure: shared by domain modules,
// form schemas and routes.
import type { ZodIssue } from "zod";

/** An empty or blank field counts as not filled in (for `z.preprocess`). */
export const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** One message per field: the first issue zod reports for it. Issues about the form as a whole
 * go under `form`. */
export function fieldErrorsOf<K extends string = string>(issues: readonly ZodIssue[]): Partial<Record<K | "form", string>> {
  const fieldErrors: Partial<Record<K | "form", string>> = {};
  for (const issue of issues) fieldErrors[String(issue.path[0] ?? "form") as K | "form"] ??= issue.message;
  return fieldErrors;
}
