// Time is a parameter: every rule that depends on "now" takes a Clock, so tests and the
// scheduler's --now can travel in time.
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function fixedClock(iso: string): Clock {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new Error(`Not a valid time: ${iso}`);
  return () => new Date(at);
}

export function isoNow(clock: Clock): string {
  return clock().toISOString();
}

export function addDays(iso: string, days: number): string {
  return new Date(new Date(iso).getTime() + days * 86_400_000).toISOString();
}

/** Calendar months in UTC. A day that does not exist in the target month falls back to that
 * month's last day: 31 January + 1 month = 28 (or 29) February. */
export function addMonths(iso: string, months: number): string {
  const d = new Date(iso);
  const day = d.getUTCDate();
  const target = new Date(d);
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString();
}
