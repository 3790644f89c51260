// Dates and figures as the PDFs print them: in UTC, with the month in words, so that nobody
// misreads a date on paper. A value that is not a date is printed as it is.

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

export function parseIso(iso: string | null): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "27 November 2026, 21:04:05 UTC": day-first with the month in words, so nobody misreads it. */
export function formatUtc(iso: string): string {
  const d = parseIso(iso);
  if (!d) return iso;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${time} UTC`;
}

/** "1 Mar 2027" */
export function shortDate(iso: string): string {
  const d = parseIso(iso);
  return d ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()].slice(0, 3)} ${d.getUTCFullYear()}` : iso;
}

/** "09:00 UTC" */
export function shortTime(iso: string): string {
  const d = parseIso(iso);
  return d ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC` : "";
}

/** A calendar date ("2027-02-20") in words: "20 February 2027". */
export function longDate(date: string | null): string {
  if (!date) return "-";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return date;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** "6 min 24 s": the time from one moment to a later one; null when either is not a date. */
export function formatDuration(fromIso: string, toIso: string): string | null {
  const from = parseIso(fromIso);
  const to = parseIso(toIso);
  if (!from || !to || to < from) return null;
  const seconds = Math.round((to.getTime() - from.getTime()) / 1000);
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d} d ${h} h ${m} min`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

/** A score in percent: "90%", "87.5%". */
export function percent(score: number): string {
  return `${Number.isInteger(score) ? score : score.toFixed(1)}%`;
}
