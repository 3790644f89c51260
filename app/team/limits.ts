// The team pages' limits. Pure: shared by the pages, their forms and the domain modules.

/** The longest personal line a manager may add to a reminder. */
export const NUDGE_NOTE_MAX = 500;

/** Sub-teams named one by one in the team page's opening line, at most. */
export const LEADS_NAMED = 12;
