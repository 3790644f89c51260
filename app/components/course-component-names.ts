// The components a course author may use. Shared by the renderer and the validator so the two
// can never disagree.
export const COURSE_COMPONENT_NAMES = ["Callout", "Scenario", "Step", "Choice", "BetterMove"] as const;
export const POLICY_COMPONENT_NAMES = ["Callout"] as const;
