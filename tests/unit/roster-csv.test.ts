// Reading roster files as spreadsheets really write them, and every rule a file can break, each
// reported on the physical line it is on.
import fs from "node:fs";
import { expect, test } from "vitest";
import { formatRosterProblems, parseRoster } from "../../app/roster/csv.server";
import { parseIsoDate, parseRosterDate } from "../../app/roster/dates";
import { planRoster, type ExistingPerson, type PlanOptions } from "../../app/roster/plan.server";

const OPTS: PlanOptions = { deactivateMissing: false, actorId: null, today: "2027-03-01" };

function person(email: string, over: Partial<ExistingPerson> = {}): ExistingPerson {
  return {
    id: `usr_${email.split("@")[0]}`,
    email,
    name: email.split("@")[0],
    employee_id: null,
    department: null,
    title: null,
    manager_id: null,
    type: "employee",
    status: "active",
    start_date: "2026-01-01",
    end_date: null,
    is_hr: 0,
    ...over,
  };
}

/** The plan's problems as "line  message" strings, for readable assertions. */
function problemsOf(csv: string, existing: ExistingPerson[] = [], opts: Partial<PlanOptions> = {}) {
  return planRoster(parseRoster(csv), existing, { ...OPTS, ...opts }).problems.map((p) => `${p.line}  ${p.message}`);
}

test("the messy sample reads as intended: BOM, CRLF, quoted commas and line breaks, any header case and order, blank rows", () => {
  const parsed = parseRoster(fs.readFileSync("tests/fixtures/rosters/messy.csv", "utf8"));
  expect(parsed.problems).toEqual([]);
  expect(parsed.columns).toEqual(["email", "name", "employee_id", "department", "title", "manager_email", "start_date", "type", "end_date", "status"]);
  expect(parsed.ignoredColumns).toEqual(["Phone", "Notes"]);
  expect(parsed.rows.map((r) => [r.line, r.email])).toEqual([
    [2, "dana.reyes@example.com"],
    [3, "morgan.lee@example.com"],
    [5, "priya.natarajan@example.com"],
    [6, "sam.okafor@example.com"],
    [8, "ana.souza@example.com"],
    [9, "tom.becker@example.com"],
  ]);
  const byEmail = new Map(parsed.rows.map((r) => [r.email, r]));
  expect(byEmail.get("morgan.lee@example.com")).toMatchObject({ name: "Lee, Morgan", title: "VP, Engineering", managerEmail: "dana.reyes@example.com", startDate: "2026-01-05", status: "active", type: "employee" });
  expect(byEmail.get("sam.okafor@example.com")).toMatchObject({ name: "Sam Okafor", title: "Engineering Manager, Platform", startDate: "2026-02-02" });
  expect(byEmail.get("priya.natarajan@example.com")).toMatchObject({ startDate: "2026-03-02", type: "employee", status: "active" });
  expect(byEmail.get("ana.souza@example.com")).toMatchObject({ type: "contractor", startDate: "2026-03-16", endDate: "2027-12-31", employeeId: "C001" });
  expect(byEmail.get("tom.becker@example.com")).toMatchObject({ status: "leave" });
  expect(byEmail.get("dana.reyes@example.com")).toMatchObject({ name: "Dana Reyes", managerEmail: null, endDate: null, status: "active" });
});

test("line numbers count physical lines: quoted line breaks (CRLF or LF), blank lines and blank rows in between", () => {
  const csv = "email,name,start_date\r\n\r\n" + 'a@x.example,"Anna\r\nAnders",2027-01-01\r\n' + ",,\r\n" + 'b@x.example,"B\n\nB",2027-01-01\n' + "c@x.example,,2027-01-01\n\n\n";
  const parsed = parseRoster(csv);
  expect(parsed.rows.map((r) => r.line)).toEqual([3, 6, 9]);
  expect(parsed.rows[0].name).toBe("Anna Anders");
  expect(parsed.problems).toEqual([{ line: 9, message: "name is empty" }]);
});

test("a file that starts with blank lines has its header where it is", () => {
  const parsed = parseRoster("\n\nEmail,Name\n");
  expect(parsed.headerLine).toBe(3);
  expect(parsed.problems).toEqual([{ line: 3, message: expect.stringMatching(/^missing required column start_date /) }]);
});

test("semicolon- and tab-separated exports are read too", () => {
  for (const sep of [";", "\t"]) {
    const parsed = parseRoster(["email", "name", "start_date", "title"].join(sep) + "\n" + ["a@x.example", "Ann", "2027-01-01", "Lead, Sales"].join(sep) + "\n");
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows[0]).toMatchObject({ email: "a@x.example", title: "Lead, Sales" });
  }
});

test("Excel's sep= first line names the separator and still counts as a line", () => {
  const parsed = parseRoster("sep=;\r\nemail;name;start_date\r\na@x.example;Ann, A.;2027-01-01\r\nb@x.example;;2027-01-01\r\n");
  expect(parsed.headerLine).toBe(2);
  expect(parsed.rows[0]).toMatchObject({ line: 3, name: "Ann, A." });
  expect(parsed.problems).toEqual([{ line: 4, message: "name is empty" }]);
});

test("emails in any case with surrounding spaces are one person, in lower case", () => {
  const parsed = parseRoster("EMAIL,NAME,START_DATE,MANAGER_EMAIL\n  Ann.Lee@Example.COM  ,  Ann   Lee , 2027-01-01 , BOSS@EXAMPLE.com \n");
  expect(parsed.rows[0]).toMatchObject({ email: "ann.lee@example.com", name: "Ann Lee", managerEmail: "boss@example.com", startDate: "2027-01-01" });
});

test("columns not in the file are left alone; present but blank cells clear or take the default", () => {
  const without = parseRoster("email,name,start_date\na@x.example,A,2027-01-01\n").rows[0];
  expect(without.department).toBeUndefined();
  expect(without.managerEmail).toBeUndefined();
  expect(without.type).toBeUndefined();
  expect(without.status).toBeUndefined();
  const blank = parseRoster("email,name,start_date,department,manager_email,type,status,end_date\na@x.example,A,2027-01-01,,,,,\n").rows[0];
  expect(blank).toMatchObject({ department: null, managerEmail: null, type: "employee", status: "active", endDate: null });
});

test("every bad value is reported on its line, all at once", () => {
  const csv = [
    "email,name,start_date,manager_email,type,status,end_date",
    "ok@x.example,Okay,2027-01-04,,,,",
    "not-an-email,Bad Email,2027-01-04,,,,",
    "baddate@x.example,Bad Date,2027-02-30,,,,",
    "ambiguous@x.example,Ambiguous,03/04/2027,,,,",
    "backwards@x.example,Backwards,2027-05-01,,,,2027-04-30",
    "badtype@x.example,Bad Type,2027-01-04,,staff,,",
    "badstatus@x.example,Bad Status,2027-01-04,,,on holiday,",
    "badmgr@x.example,Bad Manager,2027-01-04,boss at x,,,",
    ",No Email,2027-01-04,,,,",
    "noname@x.example,,,,,,",
    "extra@x.example,Extra,2027-01-04,,,,,surprise",
  ].join("\n");
  expect(problemsOf(csv)).toEqual([
    `3  email "not-an-email" is not a valid email address`,
    `4  start_date "2027-02-30" is not accepted: it is not a real date (February 2027 has 28 days)`,
    `5  start_date "03/04/2027" is not accepted: it is ambiguous (day and month order differ between countries); write it as YYYY-MM-DD, e.g. 2027-03-01`,
    `6  end_date 2027-04-30 is before start_date 2027-05-01`,
    `7  type "staff" must be employee or contractor (blank means employee)`,
    `8  status "on holiday" must be active, leave or inactive (blank means active)`,
    `9  manager_email "boss at x" is not a valid email address`,
    `10  email is empty`,
    `11  name is empty`,
    `11  start_date is empty`,
    `12  this row has 8 values but the header names 7 columns (is a comma missing its quotes?)`,
  ]);
});

test("a missing required column is reported once, at line 1, with the columns the file does have", () => {
  const problems = problemsOf("Email,Full Name,Start\nx@x.example,X,2027-01-01\ny@x.example,Y,2027-01-01\n");
  expect(problems).toEqual([
    "1  missing required columns name, start_date (the first line must name the columns; email, name and start_date are required; this file's first line names: Email, Full Name, Start)",
  ]);
});

test("a column named twice, an empty file and a header with nobody under it are problems", () => {
  expect(problemsOf("email,name,start_date,EMAIL\n")).toEqual(["1  the column email appears twice (columns 1 and 4)"]);
  expect(problemsOf("")).toEqual([expect.stringMatching(/^1 {2}the file is empty/)]);
  expect(problemsOf("\uFEFF\r\n\r\n")).toEqual([expect.stringMatching(/^1 {2}the file is empty/)]);
  expect(problemsOf("email,name,start_date\r\n,,\r\n\r\n")).toEqual(["1  the file names the columns but lists nobody"]);
});

test("a quote that is never closed is reported where it starts", () => {
  expect(problemsOf('email,name,start_date\na@x.example,A,2027-01-01\nb@x.example,"Bee,2027-01-01\nc@x.example,C,2027-01-01\n')).toEqual([
    expect.stringMatching(/^3 {2}not valid CSV: a quoted field starts here and is never closed/),
  ]);
});

test("a duplicate email is reported on both lines, whatever its case", () => {
  expect(problemsOf("email,name,start_date\ndup@x.example,One,2027-01-01\nother@x.example,Other,2027-01-01\nDUP@x.example,Two,2027-01-01\n")).toEqual([
    "2  duplicate email dup@x.example (also on line 4)",
    "4  duplicate email dup@x.example (also on line 2)",
  ]);
});

test("an unknown manager is one neither in the file nor an existing active person", () => {
  const existing = [person("boss@x.example"), person("gone@x.example", { status: "inactive" }), person("away@x.example", { status: "leave" })];
  const csv = [
    "email,name,start_date,manager_email",
    "a@x.example,A,2027-01-01,boss@x.example",
    "b@x.example,B,2027-01-01,later@x.example",
    "c@x.example,C,2027-01-01,nobody@x.example",
    "d@x.example,D,2027-01-01,gone@x.example",
    "e@x.example,E,2027-01-01,away@x.example",
    "later@x.example,Later,2027-01-01,",
  ].join("\n");
  expect(problemsOf(csv, existing)).toEqual([
    "4  unknown manager nobody@x.example: not in the file and not an existing active person",
    "5  manager gone@x.example is deactivated: reactivate them (add them to the file) or choose another manager",
  ]);
});

test("a manager loop is reported on each line in it, in the file and through existing people", () => {
  const inFile = "email,name,start_date,manager_email\na@x.example,A,2027-01-01,b@x.example\nb@x.example,B,2027-01-01,a@x.example\nc@x.example,C,2027-01-01,\n";
  expect(problemsOf(inFile)).toEqual([
    "2  manager loop: a@x.example → b@x.example → a@x.example",
    "3  manager loop: b@x.example → a@x.example → b@x.example",
  ]);
  // boss (not in the file) reports to mid, who reports to top; the file makes top report to boss.
  const top = person("top@x.example");
  const mid = person("mid@x.example", { manager_id: top.id });
  const boss = person("boss@x.example", { manager_id: mid.id });
  expect(problemsOf("email,name,start_date,manager_email\ntop@x.example,Top,2027-01-01,boss@x.example\n", [top, mid, boss])).toEqual([
    "2  manager loop: top@x.example → boss@x.example → mid@x.example → top@x.example (boss@x.example, mid@x.example not in the file)",
  ]);
  expect(problemsOf("email,name,start_date,manager_email\nme@x.example,Me,2027-01-01,ME@x.example\n")).toEqual([
    "2  manager_email me@x.example is this person's own email (nobody can manage themselves)",
  ]);
});

test("a manager who would be deactivated is a problem, in the file or because missing people are deactivated", () => {
  const csv = "email,name,start_date,manager_email,status\nboss@x.example,Boss,2027-01-01,,inactive\nr@x.example,R,2027-01-01,boss@x.example,\nq@x.example,Q,2027-01-01,boss@x.example,inactive\n";
  expect(problemsOf(csv)).toEqual(["3  manager boss@x.example would be deactivated (status inactive on line 2)"]);

  const existing = [person("old-boss@x.example")];
  const csv2 = "email,name,start_date,manager_email\nr@x.example,R,2027-01-01,old-boss@x.example\n";
  expect(problemsOf(csv2, existing)).toEqual([]);
  expect(problemsOf(csv2, existing, { deactivateMissing: true })).toEqual([
    "2  manager old-boss@x.example would be deactivated (not in the file, and people missing from the file are being deactivated)",
  ]);

  // Deactivating a manager whose reports are not in the file (and stay) is a problem on the manager's line.
  const boss = person("boss@x.example");
  const staying = [boss, person("stay@x.example", { manager_id: boss.id })];
  expect(problemsOf("email,name,start_date,status\nboss@x.example,Boss,2027-01-01,inactive\n", staying)).toEqual([
    "2  boss@x.example would be deactivated but still manages stay@x.example (not in the file); give them another manager first",
  ]);
});

test("nobody deactivates themselves by importing", () => {
  const me = person("me@x.example", { is_hr: 1 });
  expect(problemsOf("email,name,start_date,status\nme@x.example,Me,2026-01-01,inactive\n", [me], { actorId: me.id })).toEqual([
    "2  this is you (me@x.example): you cannot deactivate yourself",
  ]);
  expect(problemsOf("email,name,start_date\nother@x.example,Other,2026-01-01\n", [me], { actorId: me.id, deactivateMissing: true })).toEqual([
    "1  you (me@x.example) are not in the file, so deactivating the people missing from it would deactivate you; add yourself to the file or leave missing people unchanged",
  ]);
});

test("the plan lists additions, field-by-field changes, leave, returns, reactivations, deactivations and people not in the file", () => {
  const boss = person("boss@x.example", { name: "Boss" });
  const existing = [
    boss,
    person("ann@x.example", { name: "Ann", department: "Sales", title: "Rep", manager_id: boss.id }),
    person("ben@x.example", { name: "Ben" }),
    person("cat@x.example", { name: "Cat", status: "leave" }),
    person("dan@x.example", { name: "Dan", status: "inactive" }),
    person("eve@x.example", { name: "Eve" }),
    person("fay@x.example", { name: "Fay" }),
  ];
  const csv = [
    "email,name,start_date,department,title,manager_email,status,type",
    "boss@x.example,Boss,2026-01-01,,,,,",
    "ann@x.example,Ann,2026-01-01,Marketing,,new@x.example,,",
    "ben@x.example,Ben,2026-01-01,,,,leave,",
    "cat@x.example,Cat,2026-01-01,,,,active,",
    "dan@x.example,Dan,2026-01-01,,,,,contractor",
    "eve@x.example,Eve,2026-01-01,,,,inactive,",
    "new@x.example,New Person,2027-04-01,Marketing,Head of Marketing,boss@x.example,,",
  ].join("\n");
  const plan = planRoster(parseRoster(csv), existing, OPTS);
  expect(plan.problems).toEqual([]);
  expect(plan.add).toEqual([
    expect.objectContaining({ line: 8, email: "new@x.example", name: "New Person", managerEmail: "boss@x.example", type: "employee", status: "active", title: "Head of Marketing" }),
  ]);
  expect(plan.change.map((c) => [c.email, c.changes])).toEqual([
    [
      "ann@x.example",
      [
        { field: "department", from: "Sales", to: "Marketing" },
        { field: "title", from: "Rep", to: null },
        { field: "manager_email", from: "boss@x.example", to: "new@x.example" },
      ],
    ],
    ["dan@x.example", [{ field: "type", from: "employee", to: "contractor" }]],
  ]);
  expect(plan.leave.map((s) => s.email)).toEqual(["ben@x.example"]);
  expect(plan.returnFromLeave.map((s) => s.email)).toEqual(["cat@x.example"]);
  expect(plan.reactivate.map((s) => [s.email, s.to])).toEqual([["dan@x.example", "active"]]);
  expect(plan.deactivate.map((s) => [s.email, s.line, Boolean(s.missing)])).toEqual([["eve@x.example", 7, false]]);
  expect(plan.missing.map((m) => m.email)).toEqual(["fay@x.example"]);
  expect(plan.unchanged).toBe(1);
  expect(plan.digest).toMatch(/^[0-9a-f]{64}$/);

  const withMissing = planRoster(parseRoster(csv), existing, { ...OPTS, deactivateMissing: true });
  expect(withMissing.deactivate.map((s) => [s.email, Boolean(s.missing)])).toEqual([
    ["eve@x.example", false],
    ["fay@x.example", true],
  ]);
  expect(withMissing.digest).not.toBe(plan.digest);
});

test("an end date that has passed for someone staying active is a warning, not a problem", () => {
  const plan = planRoster(parseRoster("email,name,start_date,end_date\na@x.example,A,2026-01-01,2027-02-01\n"), [], OPTS);
  expect(plan.problems).toEqual([]);
  expect(plan.warnings).toEqual([{ line: 2, message: "end_date 2027-02-01 has passed: the scheduler will deactivate a@x.example on its next run" }]);
});

test("problems print as file:line  problem, in line order", () => {
  expect(formatRosterProblems("people.csv", [{ line: 4, message: "b" }, { line: 2, message: "a" }])).toBe("people.csv:2  a\npeople.csv:4  b");
});

test("dates: year first, or the month spelt out; never a guess between day and month", () => {
  const ok: Array<[string, string]> = [
    ["2027-03-01", "2027-03-01"],
    ["2027-3-1", "2027-03-01"],
    ["2027/03/01", "2027-03-01"],
    ["2027.03.01", "2027-03-01"],
    ["2027-03-01 00:00:00", "2027-03-01"],
    ["2027-03-01T00:00:00.000Z", "2027-03-01"],
    ["1 Mar 2027", "2027-03-01"],
    ["01-Mar-2027", "2027-03-01"],
    ["1 March 2027", "2027-03-01"],
    ["March 1, 2027", "2027-03-01"],
    ["Sept 30 2027", "2027-09-30"],
    ["2028-02-29", "2028-02-29"],
  ];
  for (const [input, want] of ok) expect(parseRosterDate(input), input).toEqual({ ok: true, date: want });
  const refused: Array<[string, RegExp]> = [
    ["03/04/2027", /ambiguous/],
    ["25/12/2027", /ambiguous/],
    ["12-25-2027", /ambiguous/],
    ["1-Mar-27", /year has 2 digits/],
    ["46447", /spreadsheet's number/],
    ["2027-02-29", /not a real date \(February 2027 has 28 days\)/],
    ["2027-13-01", /no month 13/],
    ["2027-03-01 09:30", /time of day/],
    ["1 Smarch 2027", /not a month/],
    ["soon", /not a date/],
  ];
  for (const [input, why] of refused) {
    const r = parseRosterDate(input);
    expect(r.ok, input).toBe(false);
    if (!r.ok) expect(r.reason, input).toMatch(why);
  }
  expect(parseIsoDate("2027-03-01")).toEqual({ ok: true, date: "2027-03-01" });
  expect(parseIsoDate("1 Mar 2027").ok).toBe(false);
});
