// The words of every email: plain, short and useful — what, why, due when, and a link straight
// to the course. Rendered when the notification is queued, so the outbox shows what was sent
// (set-based issuing renders the same text in SQL: templates-sql.server.ts).
import type { AssignmentReason } from "../../db/schema";
import { formatDate } from "../components/format";

const REASON: Record<AssignmentReason, string> = {
  onboarding: "it is part of joining the company",
  annual: "your previous completion is about to expire, and it must be renewed every year",
  policy_change: "the agreement has changed in a way that matters, so everyone signs the new version",
  leaving: "you are leaving the company, and it records what you return and what continues after you go",
  manual: "HR assigned it to you",
};

export function reasonText(reason: AssignmentReason): string {
  return REASON[reason];
}

export interface AssignmentMail {
  personName: string;
  courseTitle: string;
  courseUrl: string;
  reason: AssignmentReason;
  dueAt: string;
  daysOverdue?: number;
}

const signOff = "\n\nThank you,\nConfidant, on behalf of your compliance team\n";

export function assignedMail(d: AssignmentMail) {
  return assignedText({ ...d, dueText: formatDate(d.dueAt) });
}

/** The "assigned" mail with the due date already in words: the one text behind assignedMail
 * and its SQL form (templates-sql.server.ts). */
export function assignedText(d: Omit<AssignmentMail, "dueAt" | "daysOverdue"> & { dueText: string }) {
  return {
    subject: `Please complete: ${d.courseTitle} (due ${d.dueText})`,
    body:
      `Hello ${d.personName},\n\n` +
      `You have been asked to complete "${d.courseTitle}" by ${d.dueText}, because ${REASON[d.reason]}.\n\n` +
      `Start here: ${d.courseUrl}\n\n` +
      `You can stop at any point and pick up where you left off.` +
      signOff,
  };
}

export function reminderMail(kind: "reminder_before" | "due_today" | "overdue", d: AssignmentMail) {
  const when =
    kind === "reminder_before"
      ? `is due on ${formatDate(d.dueAt)}`
      : kind === "due_today"
        ? "is due today"
        : `was due on ${formatDate(d.dueAt)} and is now ${d.daysOverdue} day${d.daysOverdue === 1 ? "" : "s"} overdue`;
  const subject =
    kind === "overdue" ? `Overdue: ${d.courseTitle}` : kind === "due_today" ? `Due today: ${d.courseTitle}` : `Reminder: ${d.courseTitle} is due ${formatDate(d.dueAt)}`;
  return {
    subject,
    body:
      `Hello ${d.personName},\n\n` +
      `"${d.courseTitle}" ${when}. You were asked to complete it because ${REASON[d.reason]}.\n\n` +
      `Continue here: ${d.courseUrl}` +
      (kind === "overdue" ? `\n\nYour manager may be told if it stays overdue. If something is stopping you, reply to HR.` : "") +
      signOff,
  };
}

export function escalationMail(d: { managerName: string; personName: string; personEmail: string; courseTitle: string; dueAt: string; daysOverdue: number; teamUrl: string }) {
  return {
    subject: `${d.personName} is ${d.daysOverdue} days overdue: ${d.courseTitle}`,
    body:
      `Hello ${d.managerName},\n\n` +
      `${d.personName} (${d.personEmail}), who reports to you, has not completed "${d.courseTitle}". ` +
      `It was due on ${formatDate(d.dueAt)} and is now ${d.daysOverdue} days overdue; they have been reminded.\n\n` +
      `A word from you usually helps. See your team's status: ${d.teamUrl}` +
      signOff,
  };
}

export function hrDigestMail(d: {
  hrName: string;
  totalOverdue: number;
  people: Array<{ name: string; email: string; courseTitle: string; daysOverdue: number; managerName: string | null }>;
  dashboardUrl: string;
}) {
  const lines = d.people.map((p) => `- ${p.name} <${p.email}>: ${p.courseTitle}, ${p.daysOverdue} days overdue${p.managerName ? ` (manager: ${p.managerName})` : ""}`);
  return {
    subject: d.totalOverdue === 0 ? "Confidant digest: nothing is overdue" : `Confidant digest: ${d.totalOverdue} overdue assignment${d.totalOverdue === 1 ? "" : "s"}`,
    body:
      `Hello ${d.hrName},\n\n` +
      (d.totalOverdue === 0
        ? "Nobody is overdue. Well done.\n"
        : `${d.totalOverdue} assignment${d.totalOverdue === 1 ? " is" : "s are"} overdue. The longest overdue:\n\n${lines.join("\n")}\n` +
          (d.totalOverdue > d.people.length ? `\n…and ${d.totalOverdue - d.people.length} more.\n` : "")) +
      `\nDashboard: ${d.dashboardUrl}` +
      signOff,
  };
}

/** Stands for the set-password link in a queued mail: the link itself is made when the mail is
 * sent and never stored, so the outbox (which HR reads) shows this instead. */
export const LINK_PLACEHOLDER = "[a single-use link, made when this mail is sent and never stored]";

export function accountLinkMail({ purpose, name, hours }: { purpose: "invitation" | "reset"; name: string; hours: number }) {
  if (purpose === "invitation") {
    return {
      subject: "You are invited to Confidant: set your password",
      body:
        `Hello ${name},\n\n` +
        `Your company uses Confidant for its confidentiality training and agreements. Choose your password here to sign in:\n\n` +
        `${LINK_PLACEHOLDER}\n\n` +
        `The link works once, for ${hours} hours. Nobody else, HR included, can see it or your password.` +
        signOff,
    };
  }
  return {
    subject: "Reset your Confidant password",
    body:
      `Hello ${name},\n\n` +
      `Someone asked to reset the password of your Confidant account. To choose a new password, open:\n\n` +
      `${LINK_PLACEHOLDER}\n\n` +
      `The link works once, for ${hours} hours, and signs you out everywhere else. If you did not ask for this, ignore this mail: your password stays as it is.` +
      signOff,
  };
}

export function declinedMail(d: {
  hrName: string;
  personName: string;
  personEmail: string;
  policyTitle: string;
  version: number;
  courseTitle: string;
  reason: string | null;
  recordUrl: string;
}) {
  return {
    subject: `${d.personName} declined to sign: ${d.policyTitle}`,
    body:
      `Hello ${d.hrName},\n\n` +
      `${d.personName} (${d.personEmail}) answered "I do not agree" to ${d.policyTitle}, version ${d.version} (${d.courseTitle}).\n\n` +
      (d.reason ? `Their reason: ${d.reason}\n\n` : "They gave no reason.\n\n") +
      `The refusal is kept as a declined record; they can still sign later. Their record: ${d.recordUrl}` +
      signOff,
  };
}
