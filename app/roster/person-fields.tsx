// The fields of the add and edit forms, with their labels, hints and errors. No server imports.
import type { ReactNode } from "react";

export interface PersonFieldValues {
  email: string;
  name: string;
  employeeId: string;
  department: string;
  title: string;
  managerEmail: string;
  startDate: string;
  endDate: string;
  type: string;
}

function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: (describedBy: string | undefined) => ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {children(describedBy)}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function PersonFields({ values, errors }: { values: PersonFieldValues; errors: Partial<Record<keyof PersonFieldValues, string>> }) {
  const text = (name: keyof PersonFieldValues, label: string, opts: { type?: string; hint?: string; autoComplete?: string; required?: boolean; maxLength?: number } = {}) => (
    <Field id={`p-${name}`} label={label} hint={opts.hint} error={errors[name]}>
      {(describedBy) => (
        <input
          id={`p-${name}`}
          name={name}
          type={opts.type ?? "text"}
          defaultValue={values[name]}
          required={opts.required}
          maxLength={opts.maxLength}
          autoComplete={opts.autoComplete ?? "off"}
          spellCheck={opts.type === "email" ? false : undefined}
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={describedBy}
        />
      )}
    </Field>
  );
  return (
    <div className="person-fields">
      {text("name", "Full name", { required: true, maxLength: 200, hint: "As it should appear on signed agreements." })}
      {text("email", "Work email", { type: "email", required: true, maxLength: 254, hint: "They sign in with this address." })}
      {text("employeeId", "Employee ID (optional)", { maxLength: 100 })}
      {text("department", "Department (optional)", { maxLength: 200 })}
      {text("title", "Job title (optional)", { maxLength: 200 })}
      {text("managerEmail", "Manager's email (optional)", { type: "email", maxLength: 254, hint: "Leave empty for no manager." })}
      {text("startDate", "Start date", { type: "date", required: true })}
      {text("endDate", "End date (optional)", { type: "date", hint: "Their last day, if it is known." })}
      <Field id="p-type" label="Type" error={errors.type}>
        {(describedBy) => (
          <select id="p-type" name="type" defaultValue={values.type || "employee"} aria-invalid={errors.type ? true : undefined} aria-describedby={describedBy}>
            <option value="employee">Employee</option>
            <option value="contractor">Contractor</option>
          </select>
        )}
      </Field>
    </div>
  );
}
