// What happened to each reminder a manager asked for, in words.
export interface NudgeOutcomeView {
  assignmentId: string;
  personName: string;
  courseTitle: string;
  result: "sent" | "already_today" | "not_open" | "on_leave";
}

const OUTCOME_TEXT: Record<NudgeOutcomeView["result"], (o: NudgeOutcomeView) => string> = {
  sent: (o) => `Reminder sent to ${o.personName} about ${o.courseTitle}.`,
  already_today: (o) => `${o.personName} was already reminded about ${o.courseTitle} today, so nothing was sent. You can remind them again tomorrow.`,
  not_open: (o) => `${o.personName}'s ${o.courseTitle} is no longer open, so nothing was sent.`,
  on_leave: (o) => `${o.personName} is on leave, so nothing was sent.`,
};

export function NudgeOutcomes({ outcomes }: { outcomes: NudgeOutcomeView[] }) {
  const sent = outcomes.filter((o) => o.result === "sent").length;
  return (
    <div className={sent > 0 ? "notice" : "form-error"} role="status">
      <strong>{sent === 0 ? "No reminder sent." : `Sent ${sent} reminder${sent === 1 ? "" : "s"}.`}</strong>
      <ul className="outcomes">
        {outcomes.map((o) => (
          <li key={o.assignmentId}>{OUTCOME_TEXT[o.result](o)}</li>
        ))}
      </ul>
    </div>
  );
}
