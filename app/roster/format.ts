// Words for a roster plan: field names as HR knows them, changes as "old → new", and the plain
// text preview the command line prints. Pure; shared by the pages and the CLI.
import type { FieldChange, PersonRef, PlannedStatus, RosterPlan } from "./plan.server";

export const FIELD_LABEL: Record<string, string> = {
  email: "email",
  name: "name",
  employee_id: "employee ID",
  department: "department",
  title: "title",
  manager_email: "manager",
  start_date: "start date",
  end_date: "end date",
  type: "type",
  status: "status",
};

export function changeText(c: Pick<FieldChange, "field" | "from" | "to">): string {
  return `${FIELD_LABEL[c.field] ?? c.field}: ${c.from ?? "(none)"} → ${c.to ?? "(none)"}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function where(p: PersonRef | PlannedStatus): string {
  return p.line === null ? "not in the file" : `line ${p.line}`;
}

/** The preview as the command line prints it. */
export function formatPlanText(plan: RosterPlan, file: string): string {
  const out: string[] = [];
  out.push(`${file}: ${plural(plan.rows, "person", "people")}. Columns used: ${plan.columns.join(", ")}.`);
  if (plan.ignoredColumns.length) out.push(`Ignored columns: ${plan.ignoredColumns.join(", ")}.`);
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    out.push("", `${title} (${items.length})`);
    for (const i of items) out.push(`  ${i}`);
  };
  section(
    "Add",
    plan.add.map((a) => `+ ${a.email}  ${a.name}  (line ${a.line}${a.status !== "active" ? `, ${a.status}` : ""}${a.managerEmail ? `, reports to ${a.managerEmail}` : ""})`),
  );
  section(
    "Change",
    plan.change.map((c) => `~ ${c.email}  ${c.name}  (line ${c.line})\n${c.changes.map((ch) => `      ${changeText(ch)}`).join("\n")}`),
  );
  section("Put on leave", plan.leave.map((s) => `> ${s.email}  ${s.name}  (${where(s)})`));
  section("Return from leave", plan.returnFromLeave.map((s) => `< ${s.email}  ${s.name}  (${where(s)})`));
  section("Reactivate", plan.reactivate.map((s) => `^ ${s.email}  ${s.name}  (${where(s)}${s.to === "leave" ? ", on leave" : ""})`));
  section("Deactivate", plan.deactivate.map((s) => `- ${s.email}  ${s.name}  (${s.missing ? "not in the file" : `line ${s.line}: status inactive`})`));
  if (plan.missing.length > 0 && !plan.deactivateMissing) {
    out.push("", `Not in the file (${plan.missing.length}): left unchanged; --deactivate-missing would deactivate them`);
    for (const m of plan.missing) out.push(`  = ${m.email}  ${m.name}`);
  }
  out.push("", `Unchanged: ${plural(plan.unchanged, "person", "people")}.`);
  if (plan.warnings.length) {
    out.push("", "Warnings:");
    for (const w of plan.warnings) out.push(`${file}:${w.line}  ${w.message}`);
  }
  return out.join("\n");
}
