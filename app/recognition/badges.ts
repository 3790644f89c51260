// The badges a manager may attach to kudos: a fixed list, so the recognition report can count
// them and a badge always reads the same. Stored by key with the kudos. Pure: the forms and pages
// use it too.
export const KUDOS_BADGES = {
  "three-years-on-time": "Three years on time",
  "first-time-pass": "First-time pass",
  "early-bird": "Early bird",
  "confidentiality-champion": "Confidentiality champion",
  "raised-a-concern": "Raised a concern",
  "helped-a-colleague": "Helped a colleague",
} as const;

export type KudosBadge = keyof typeof KUDOS_BADGES;
export const KUDOS_BADGE_KEYS = Object.keys(KUDOS_BADGES) as [KudosBadge, ...KudosBadge[]];

/** A stored key's label; a key from an older list still shows as something readable. */
export function kudosBadgeLabel(key: string | null): string | null {
  if (!key) return null;
  return (KUDOS_BADGES as Record<string, string>)[key] ?? key.replace(/-/g, " ");
}

export const KUDOS_MESSAGE_MAX = 500;
