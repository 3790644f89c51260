// Dates in roster files. Stored as YYYY-MM-DD. Spreadsheets write dates in many ways; we accept a
// way only when it cannot be read as two different days:
//   2027-03-01, 2027-3-1, 2027/03/01, 2027.03.01         year first: always year, month, day
//   2027-03-01 00:00:00, 2027-03-01T00:00:00Z            the same with a midnight time (exports of date cells)
//   1 Mar 2027, 01-Mar-2027, 1 March 2027, Mar 1, 2027  the month spelt out (English names)
// and refuse, saying why:
//   03/04/2027, 3-4-2027  day and month order differ between countries (3 April or 4 March?)
//   1-Mar-27              a two-digit year
//   46447                 a spreadsheet's serial number for a date (the cell is formatted as a number)
//   2027-02-30            not a day on the calendar
// Pure: safe to use in forms as well as imports.

export type DateResult = { ok: true; date: string } | { ok: false; reason: string };

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11,
  dec: 12, december: 12,
};
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const EXAMPLE = "write it as YYYY-MM-DD, e.g. 2027-03-01";

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function build(year: number, month: number, day: number): DateResult {
  if (year < 1900 || year > 2199) return { ok: false, reason: `the year ${year} is out of range` };
  if (month < 1 || month > 12) return { ok: false, reason: `there is no month ${month}` };
  const last = daysIn(year, month);
  if (day < 1 || day > last) return { ok: false, reason: `it is not a real date (${MONTH_NAMES[month - 1]} ${year} has ${last} days)` };
  return { ok: true, date: `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}` };
}

// A midnight time after a date, as spreadsheets export date cells: " 00:00", "T00:00:00.000Z".
const MIDNIGHT = /^(?:[T ]0?0:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?$/;
const ANY_TIME = /^[T ]\d{1,2}:\d{2}/;

/** Reads a roster date; `raw` is already trimmed. */
export function parseRosterDate(raw: string): DateResult {
  const s = raw.trim();
  // Year first, numeric.
  let m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(.*)$/.exec(s);
  if (m) {
    const rest = m[5];
    if (!MIDNIGHT.test(rest)) {
      return { ok: false, reason: ANY_TIME.test(rest) ? `it has a time of day; ${EXAMPLE}` : `it is not a date; ${EXAMPLE}` };
    }
    return build(Number(m[1]), Number(m[3]), Number(m[4]));
  }
  // Numeric with the year last: day/month or month/day?
  if (/^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/.test(s)) {
    return { ok: false, reason: `it is ambiguous (day and month order differ between countries); ${EXAMPLE}` };
  }
  // A spreadsheet serial number (days since 1900 or 1904, depending on the spreadsheet).
  if (/^\d{4,6}(\.\d+)?$/.test(s)) {
    return { ok: false, reason: `it looks like a spreadsheet's number for a date; format the column as a date, ${EXAMPLE}` };
  }
  // Day, month name, year: "1 Mar 2027", "01-Mar-2027", "1 March, 2027".
  m = /^(\d{1,2})[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{2,4})$/.exec(s);
  if (m) return named(Number(m[1]), m[2], m[3]);
  // Month name, day, year: "Mar 1, 2027", "March 1 2027".
  m = /^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{2,4})$/.exec(s);
  if (m) return named(Number(m[2]), m[1], m[3]);
  return { ok: false, reason: `it is not a date; ${EXAMPLE}` };
}

function named(day: number, monthName: string, yearText: string): DateResult {
  const month = MONTHS[monthName.toLowerCase()];
  if (!month) return { ok: false, reason: `"${monthName}" is not a month; ${EXAMPLE}` };
  if (yearText.length !== 4) return { ok: false, reason: `the year has ${yearText.length} digits; ${EXAMPLE}` };
  return build(Number(yearText), month, day);
}

/** Strict YYYY-MM-DD, as an <input type="date"> sends it. */
export function parseIsoDate(raw: string): DateResult {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw.trim())) return { ok: false, reason: `${EXAMPLE}` };
  return parseRosterDate(raw);
}
