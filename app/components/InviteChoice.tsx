// HR's choice, when adding or importing people, of when they get their invitation email.
export function InviteChoice({ count, defaultValue = "now" }: { count?: number; defaultValue?: "now" | "start_date" | "not_yet" }) {
  const who = count === undefined ? "them" : count === 1 ? "the person added" : `the ${count} people added`;
  return (
    <fieldset className="field">
      <legend>Invitation email (a link to set their password; only they see it)</legend>
      {(
        [
          ["now", `Send ${who} an invitation now`],
          ["start_date", "Send it on their start date (at once if that date has come)"],
          ["not_yet", "Not yet: I will send it from their page"],
        ] as const
      ).map(([value, label]) => (
        <div className="check" key={value}>
          <input type="radio" id={`invite-${value}`} name="invite" value={value} defaultChecked={value === defaultValue} />
          <label htmlFor={`invite-${value}`}>{label}</label>
        </div>
      ))}
    </fieldset>
  );
}
