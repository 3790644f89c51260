// The form HR fills in to add or edit one person. A schema only: no I/O (whether the email is
// taken or the manager exists is checked by people-admin.server.ts).
import { z } from "zod";
import { parseIsoDate } from "./dates";
import { blankToUndefined, fieldErrorsOf } from "../forms";

const oneLine = (v: string) => v.replace(/\s+/g, " ").trim();

const optionalText = (label: string, max: number) =>
  z.preprocess(blankToUndefined, z.string().transform(oneLine).pipe(z.string().max(max, `${label} must be at most ${max} characters.`)).optional());

const isoDate = (missing: string) =>
  z
    .string({ required_error: missing })
    .trim()
    .min(1, missing)
    .superRefine((v, ctx) => {
      const d = parseIsoDate(v);
      if (!d.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Enter a real date (${d.reason}).` });
    });

export const PERSON_TYPES = ["employee", "contractor"] as const;

export const personFormSchema = z
  .object({
    email: z
      .string({ required_error: "Enter their work email address." })
      .trim()
      .toLowerCase()
      .min(1, "Enter their work email address.")
      .max(254, "That email address is too long.")
      .email("Enter a valid email address, like name@example.com."),
    name: z
      .string({ required_error: "Enter their full name." })
      .transform(oneLine)
      .pipe(z.string().min(1, "Enter their full name.").max(200, "The name must be at most 200 characters.")),
    employeeId: optionalText("The employee ID", 100),
    department: optionalText("The department", 200),
    title: optionalText("The job title", 200),
    managerEmail: z.preprocess(
      blankToUndefined,
      z.string().trim().toLowerCase().email("Enter the manager's email address, or leave it empty for no manager.").optional(),
    ),
    startDate: isoDate("Enter their start date."),
    endDate: z.preprocess(blankToUndefined, isoDate("Enter their end date.").optional()),
    type: z.enum(PERSON_TYPES, { errorMap: () => ({ message: "Choose employee or contractor." }) }),
  })
  .superRefine((v, ctx) => {
    if (v.endDate && v.startDate && v.endDate < v.startDate) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["endDate"], message: "The end date must be on or after the start date." });
    }
  });

export type PersonForm = z.infer<typeof personFormSchema>;
export type PersonFieldErrors = Partial<Record<keyof PersonForm | "form", string>>;

export type ParsedPersonForm = { ok: true; value: PersonForm } | { ok: false; fieldErrors: PersonFieldErrors };

export function parsePersonForm(form: Record<string, unknown>): ParsedPersonForm {
  const parsed = personFormSchema.safeParse(form);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, fieldErrors: fieldErrorsOf<keyof PersonForm>(parsed.error.issues) };
}

export const deactivateSchema = z.object({
  reason: z
    .string({ required_error: "Give a reason for deactivating them." })
    .transform(oneLine)
    .pipe(z.string().min(3, "Give a reason for deactivating them.").max(500, "Keep the reason under 500 characters.")),
});
