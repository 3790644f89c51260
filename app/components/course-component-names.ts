// The components a course author may use. Shared by the renderer and the validator so the two
// can never disagree.
export const COURSE_COMPONENT_NAMES = ["Callout", "Scenario", "Step", "Choice", "BetterMove", "Figure", "Video"] as const;
export const POLICY_COMPONENT_NAMES = ["Callout"] as const;

/** The kinds of <Callout> and the word each shows. */
export const CALLOUT_LABELS = { note: "Note", tip: "Tip", warning: "Warning", law: "The law" } as const;
export const CALLOUT_KINDS = Object.keys(CALLOUT_LABELS) as Array<keyof typeof CALLOUT_LABELS>;
