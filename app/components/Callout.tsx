import type { ReactNode } from "react";
import { CALLOUT_LABELS as LABELS } from "./course-component-names";

type Kind = keyof typeof LABELS;

export function Callout({ kind = "note", title, children }: { kind?: Kind; title?: string; children?: ReactNode }) {
  const k: Kind = kind in LABELS ? kind : "note";
  return (
    <aside className={`callout callout-${k}`} role="note" aria-label={title ? `${LABELS[k]}: ${title}` : LABELS[k]}>
      <p className="callout-head">
        <span className="callout-kind">{LABELS[k]}</span>
        {title ? <strong> {title}</strong> : null}
      </p>
      <div className="callout-body">{children}</div>
    </aside>
  );
}
