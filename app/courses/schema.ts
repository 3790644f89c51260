// What a course folder may contain. Pure schemas (no I/O): used by the catalog at start,
// by `npm run courses:check`, and by tests.
import { z } from "zod";

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const RESERVED_MODULE_SLUGS = new Set(["quiz", "attest"]);

const isoDate = z
  .string({ required_error: "is required", invalid_type_error: "must be a date written YYYY-MM-DD" })
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date written YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "is not a real calendar date");

const text = (what: string) =>
  z.string({ required_error: "is required", invalid_type_error: `must be ${what}` }).trim().min(1, "must not be empty");

export const recurrenceSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("none") }).strict(),
    z.object({ kind: z.literal("rolling"), months: z.number().int().min(1).max(120) }).strict(),
    z
      .object({
        kind: z.literal("anniversary"),
        month: z.number().int().min(1).max(12),
        day: z.number().int().min(1).max(31),
        minimumValidityDays: z.number().int().min(0).max(366).default(180),
      })
      .strict(),
  ],
  { errorMap: () => ({ message: "kind must be none, rolling or anniversary" }) },
);

export const courseMetaSchema = z
  .object({
    title: text("text"),
    summary: text("text"),
    audience: z.enum(["employees", "contractors", "both", "managers"]).default("both"),
    /** When the scheduler first assigns it: at onboarding, only as another course's renewal,
     * when someone is leaving, or only by hand. */
    assign: z.enum(["onboarding", "renewal", "leaving", "manual"]).default("onboarding"),
    passingScore: z.number().int().min(1).max(100).default(80),
    duePeriodDays: z.number().int().min(1).max(365).default(30),
    recurrence: recurrenceSchema.default({ kind: "none" }),
    renewalWindowDays: z.number().int().min(0).max(365).default(30),
    owner: text("text"),
    reviewDate: z.union([isoDate, z.date().transform((d) => d.toISOString().slice(0, 10))]),
    policy: z.string().regex(SLUG, "must be a policy folder name (lower-case letters, digits, hyphens)").optional(),
    /** The course that renews this one when it expires (e.g. a shorter refresher); default itself. */
    renewWith: z.string().regex(SLUG, "must be a course folder name").optional(),
  })
  .strict();
export type CourseMeta = z.infer<typeof courseMetaSchema>;

export const moduleFrontmatterSchema = z
  .object({
    title: text("text"),
    summary: z.string().trim().optional(),
    minutes: z.number().int().min(1).max(120).optional(),
  })
  .strict();
export type ModuleFrontmatter = z.infer<typeof moduleFrontmatterSchema>;

const optionSchema = z
  .object({
    id: z.string().regex(SLUG, "must be lower-case letters, digits and hyphens"),
    text: text("text"),
    correct: z.boolean().default(false),
    why: z.string().trim().optional(),
  })
  .strict();

export const questionSchema = z
  .object({
    id: z.string().regex(SLUG, "must be lower-case letters, digits and hyphens"),
    module: z.string().regex(SLUG).optional(),
    prompt: text("text"),
    select: z.enum(["one", "many"]),
    options: z.array(optionSchema).min(2, "needs at least two options"),
    explanation: text("text"),
  })
  .strict()
  .superRefine((q, ctx) => {
    const correct = q.options.filter((o) => o.correct).length;
    if (correct === 0) ctx.addIssue({ code: "custom", path: ["options"], message: "has no correct option" });
    if (q.select === "one" && correct > 1)
      ctx.addIssue({ code: "custom", path: ["options"], message: `is 'select: one' but has ${correct} correct options` });
    const seen = new Set<string>();
    q.options.forEach((o, i) => {
      if (seen.has(o.id)) ctx.addIssue({ code: "custom", path: ["options", i, "id"], message: `duplicate option id '${o.id}'` });
      seen.add(o.id);
    });
  });
export type Question = z.infer<typeof questionSchema>;

// --- Quiz pools and the attempt policy --------------------------------------------------------
/** What a learner must do between failed attempts. */
export const attemptPolicySchema = z
  .object({
    /** From this many failed attempts on, each further attempt waits until the learner has
     * revisited the modules the last failed attempt named (played their scenarios again). */
    afterFailedAttempts: z.number().int().min(1).max(50).optional(),
    /** No attempt is accepted after this many failed ones in the cycle. */
    maxAttempts: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type AttemptPolicy = z.infer<typeof attemptPolicySchema>;

const poolFields = {
  /** Questions drawn for each attempt from each module's pool (default: all of them). */
  draw: z.number().int().min(1).max(50).optional(),
  /** A module's own number to draw, overriding `draw`. */
  pools: z.record(z.string().regex(SLUG, "must be a module name"), z.number().int().min(1).max(50)).optional(),
  attemptPolicy: attemptPolicySchema.optional(),
};
// ---------------------------------------------------------------------------------------------

export const quizSchema = z
  .object({ questions: z.array(questionSchema).min(1, "needs at least one question"), ...poolFields })
  .strict()
  .superRefine((quiz, ctx) => {
    const seen = new Set<string>();
    quiz.questions.forEach((q, i) => {
      if (seen.has(q.id)) ctx.addIssue({ code: "custom", path: ["questions", i, "id"], message: `duplicate question id '${q.id}'` });
      seen.add(q.id);
    });
  });
export type Quiz = z.infer<typeof quizSchema>;

export const policyMetaSchema = z
  .object({
    title: text("text"),
    statement: text("text"),
    validityMonths: z.number().int().min(1).max(120).optional(),
    minimumReadingSeconds: z.number({ invalid_type_error: "must be a whole number of seconds" }).int("must be a whole number of seconds").min(1).max(3600, "must be at most 3600 (an hour)").optional(),
    versions: z
      .array(
        z
          .object({
            version: z.number().int().min(1),
            file: z.string().regex(/^[a-z0-9-]+\.mdx$/, "must be an .mdx file name in the policy folder"),
            published: z.union([isoDate, z.date().transform((d) => d.toISOString().slice(0, 10))]),
            material: z.boolean(),
            changes: text("text"),
          })
          .strict(),
      )
      .min(1, "needs at least one version"),
  })
  .strict()
  .superRefine((p, ctx) => {
    p.versions.forEach((v, i) => {
      if (i > 0 && v.version <= p.versions[i - 1].version)
        ctx.addIssue({ code: "custom", path: ["versions", i, "version"], message: "versions must increase, newest last" });
    });
  });
export type PolicyMeta = z.infer<typeof policyMetaSchema>;
