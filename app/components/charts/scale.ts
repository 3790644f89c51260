// Small helpers shared by the server-rendered SVG charts. Pure: safe in the browser bundle.

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

const INTEGER = new Intl.NumberFormat("en-GB");

export function formatCount(n: number): string {
  return INTEGER.format(n);
}

/** "87%" (or "87.5%" below 100 when it matters), "—" when there is nothing to divide. */
export function formatRate(rate: number | null): string {
  if (rate === null) return "—";
  const pct = rate * 100;
  if (pct > 99 && pct < 100) return `${Math.floor(pct * 10) / 10}%`;
  return `${Math.round(pct)}%`;
}

/** SVG geometry as a percentage string, rounded so the markup stays short. */
export function pct(n: number): string {
  return `${Math.round(n * 1000) / 1000}%`;
}

const SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_YEAR = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

/** "2027-03" → "Mar". */
export function monthShort(month: string): string {
  return SHORT[Number(month.slice(5, 7)) - 1] ?? month;
}

/** "2027-03" → "M" (for narrow screens). */
export function monthLetter(month: string): string {
  return monthShort(month).slice(0, 1);
}

/** "2027-03" → "March 2027". */
export function monthLong(month: string): string {
  return MONTH_YEAR.format(new Date(`${month}-01T00:00:00.000Z`));
}
