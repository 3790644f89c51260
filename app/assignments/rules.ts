// The rules of cycles, in one pure module: when a completion expires, when a renewal opens and
// is due, who a course is for, and which reminders an assignment has earned by a given moment.
// Every function takes the moment as an argument.
import { addDays, addMonths } from "../clock";
import type { CourseMeta } from "../courses/schema";
import type { ReminderRules } from "../config.server";

const DAY = 86_400_000;

/**
 * When a completion stops counting.
 * - rolling: N months from completion; but a renewal completed inside its window (on or before
 *   the previous expiry) extends from that expiry, so finishing early never loses days.
 * - anniversary: the next anniversary date that leaves at least `minimumValidityDays`; a
 *   completion too close to an anniversary rolls on to the following one.
 * - none: never.
 */
export function expiryFor(recurrence: CourseMeta["recurrence"], completedAt: string, previousExpiresAt: string | null): string | null {
  if (recurrence.kind === "none") return null;
  if (recurrence.kind === "rolling") {
    const onTimeRenewal = previousExpiresAt !== null && completedAt <= previousExpiresAt;
    return addMonths(onTimeRenewal ? previousExpiresAt : completedAt, recurrence.months);
  }
  const done = new Date(completedAt);
  for (let year = done.getUTCFullYear(); ; year++) {
    const candidate = anniversary(year, recurrence.month, recurrence.day);
    if (Date.parse(candidate) - done.getTime() >= recurrence.minimumValidityDays * DAY) return candidate;
  }
}

/** 29 February in a year without one becomes 28 February. */
export function anniversary(year: number, month: number, day: number): string {
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return new Date(Date.UTC(year, month - 1, Math.min(day, last))).toISOString();
}

/** The renewal of a completion opens `renewalWindowDays` before it expires. */
export function renewalOpensAt(expiresAt: string, renewalWindowDays: number): string {
  return addDays(expiresAt, -renewalWindowDays);
}

/** A renewal is due at the expiry it renews, and never less than a week after it is issued (the
 * scheduler writes this as a CASE in issueDueRenewals; scheduler-renewals.test.ts holds both)
 * — a person back from leave, or a first run after a long pause, still gets time. */
export function renewalDueAt(expiresAt: string, issuedAt: string): string {
  const floor = addDays(issuedAt, 7);
  return expiresAt > floor ? expiresAt : floor;
}

/** Onboarding is due at the end of the day a set period after the start date; someone whose
 * date has already passed (a course added later, a late import) gets the full period from now. */
export function onboardingDueAt(startDate: string, duePeriodDays: number, now: string): string {
  const fromStart = addDays(`${startDate}T23:59:59.000Z`, duePeriodDays);
  return fromStart > now ? fromStart : addDays(now, duePeriodDays);
}

export interface AudienceMember {
  type: "employee" | "contractor";
  hasReports: boolean;
}

/** Who a course's audience reaches: one person type (or both), or only people with reports. */
export function audienceRule(audience: CourseMeta["audience"]): { type: AudienceMember["type"] | null; managersOnly: boolean } {
  if (audience === "managers") return { type: null, managersOnly: true };
  return { type: audience === "employees" ? "employee" : audience === "contractors" ? "contractor" : null, managersOnly: false };
}

export function inAudience(audience: CourseMeta["audience"], p: AudienceMember): boolean {
  const rule = audienceRule(audience);
  if (rule.managersOnly) return p.hasReports;
  return rule.type === null || p.type === rule.type;
}

export interface ReminderEvent {
  key: string;
  kind: "reminder_before" | "due_today" | "overdue" | "escalation";
  daysOverdue: number;
}

/**
 * The reminders an open assignment has earned by `now`. Keys are stable per event, so issuing
 * them again is harmless: the outbox keeps one notification per key.
 * - a few days before the due date (unless it was assigned inside that window);
 * - on the due date;
 * - when overdue, at once and then every `overdueEveryDays`;
 * - to the manager once, after `escalateAfterDaysOverdue`.
 */
export function reminderEvents(
  a: { id: string; assigned_at: string; due_at: string },
  now: Date,
  rules: ReminderRules,
  hasManager: boolean,
): ReminderEvent[] {
  const due = Date.parse(a.due_at);
  const t = now.getTime();
  const events: ReminderEvent[] = [];
  // "3 days before" counts calendar days (UTC), whatever the time of day the assignment is due.
  const today = now.toISOString().slice(0, 10);
  const dueDay = a.due_at.slice(0, 10);
  const beforeDay = new Date(Date.parse(`${dueDay}T00:00:00.000Z`) - rules.daysBeforeDue * DAY).toISOString().slice(0, 10);
  if (today >= beforeDay && today < dueDay && a.assigned_at.slice(0, 10) < beforeDay) {
    events.push({ key: `reminder-before:${a.id}`, kind: "reminder_before", daysOverdue: 0 });
  }
  if (today === dueDay && t < due) {
    events.push({ key: `due-today:${a.id}`, kind: "due_today", daysOverdue: 0 });
  }
  if (t > due) {
    const daysOverdue = Math.floor((t - due) / DAY);
    const round = Math.floor(daysOverdue / rules.overdueEveryDays);
    events.push({ key: `overdue:${a.id}:${round}`, kind: "overdue", daysOverdue });
    if (hasManager && daysOverdue >= rules.escalateAfterDaysOverdue) {
      events.push({ key: `escalation:${a.id}`, kind: "escalation", daysOverdue });
    }
  }
  return events;
}

/** Which digest period a moment falls in: one HR digest per period. */
export function digestPeriod(now: Date, everyDays: number): number {
  return Math.floor(now.getTime() / (everyDays * DAY));
}
