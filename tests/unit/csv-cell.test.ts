// The export writes its CSV cells by hand for speed; they must be exactly what csv-stringify
// (the library the rules come from) writes with its formula guard on, for every awkward value.
import { stringify } from "csv-stringify/sync";
import { parse } from "csv-parse/sync";
import { expect, test } from "vitest";
import { csvCell } from "../../app/reports/export.server";

const AWKWARD: Array<string | number | null> = [
  "plain",
  "",
  null,
  0,
  -3,
  87.5,
  "Smith, Jane",
  'Jane "JJ" Smith',
  "two\nlines",
  "carriage\rreturn",
  "crlf\r\nend",
  "=HYPERLINK(\"http://x\")",
  "+1 555",
  "-5",
  "@SUM(A1)",
  "\tindented",
  "\rstarts with CR",
  "\uFF1D full-width equals",
  "\uFF0B full-width plus",
  "\uFF0D full-width minus",
  "\uFF20 full-width at",
  "=a,b",
  "Zoë Ångström",
  "trailing comma,",
  "'already quoted",
  "mid=dle",
];

test("each cell is written exactly as csv-stringify writes it with escape_formulas", () => {
  // One deliberate difference, tested below: csv-stringify leaves a lone carriage return
  // unquoted, which some spreadsheet programs read as the end of the row.
  const loneCr = (v: unknown) => typeof v === "string" && /\r(?!\n)/.test(v);
  for (const value of AWKWARD.filter((v) => !loneCr(v))) {
    const expected = stringify([[value]], { escape_formulas: true, record_delimiter: "unix" }).replace(/\n$/, "");
    expect({ value, cell: csvCell(value) }).toEqual({ value, cell: expected });
  }
});

test("a carriage return inside a value is quoted, so the row stays one row", () => {
  expect(csvCell("carriage\rreturn")).toBe('"carriage\rreturn"');
  expect(csvCell("\rleading")).toBe(`"'\rleading"`);
});

test("a line of awkward cells reads back as the same values (formulas defused)", () => {
  const line = AWKWARD.map(csvCell).join(",");
  const [cells] = parse(line, { relax_column_count: true }) as string[][];
  expect(cells).toHaveLength(AWKWARD.length);
  AWKWARD.forEach((value, i) => {
    const text = value === null ? "" : String(value);
    const guarded = typeof value === "string" && /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(value);
    expect(cells[i]).toBe(guarded ? `'${text}` : text);
  });
});
