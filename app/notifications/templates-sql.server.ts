// Email texts rendered by the database, for set-based issuing: the same words as
// templates.server.ts (which writes them, with placeholders where a row's values go), joined in
// SQL with the row's name and due date, so a statement can queue thousands of mails without
// loading a row. Works alike on SQLite and PostgreSQL (`||`, substr, cast, case).
import { sql, type RawBuilder } from "kysely";
import type { AssignmentReason } from "../../db/schema";
import { assignedText } from "./templates.server";

const MONTHS = Array.from({ length: 12 }, (_, i) =>
  new Intl.DateTimeFormat("en-GB", { month: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2000, i, 1))),
);

/** formatDate() in SQL for an ISO-8601 UTC timestamp column: "5 January 2028". */
export function formatDateSql(iso: RawBuilder<string>): RawBuilder<string> {
  const month = sql.join(
    MONTHS.map((name, i) => sql`when ${sql.lit(String(i + 1).padStart(2, "0"))} then ${sql.lit(name)}`),
    sql` `,
  );
  return sql<string>`(cast(cast(substr(${iso}, 9, 2) as integer) as text) || ' ' || (case substr(${iso}, 6, 2) ${month} end) || ' ' || substr(${iso}, 1, 4))`;
}

const NAME = "\u0000name\u0000";
const DUE = "\u0000due\u0000";

/** A text with the placeholders replaced by SQL values, as one `||` expression. */
function joined(text: string, values: Record<string, RawBuilder<string>>): RawBuilder<string> {
  const parts = text.split(/(\u0000[a-z]+\u0000)/).filter((p) => p !== "");
  return sql<string>`(${sql.join(
    parts.map((p) => values[p] ?? sql`cast(${p} as text)`),
    sql` || `,
  )})`;
}

/** assignedMail() in SQL: the person's name and the due date come from the row. */
export function assignedMailSql(
  d: { courseTitle: string; courseUrl: string; reason: AssignmentReason },
  row: { personName: RawBuilder<string>; dueAt: RawBuilder<string> },
): { subject: RawBuilder<string>; body: RawBuilder<string> } {
  const text = assignedText({ ...d, personName: NAME, dueText: DUE });
  const values = { [NAME]: row.personName, [DUE]: formatDateSql(row.dueAt) };
  return { subject: joined(text.subject, values), body: joined(text.body, values) };
}
