// A labelled filter select: the first option means "no filter" (an empty value), then the
// choices. HR's filters, the team's filters and the people list all use it.
export function SelectField({
  id,
  name,
  label,
  defaultValue,
  none,
  choices,
  describedBy,
}: {
  id: string;
  name: string;
  label: string;
  defaultValue: string;
  /** The text of the empty choice ("All departments", "Any status", …). */
  none: string;
  choices: Array<{ value: string; label: string }>;
  describedBy?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={defaultValue} aria-describedby={describedBy}>
        <option value="">{none}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Choices from a label table ({ value: label }). */
export function choicesOf(labels: Record<string, string>): Array<{ value: string; label: string }> {
  return Object.entries(labels).map(([value, label]) => ({ value, label }));
}
