// Shareable links to HR's pages with their filters. Pure: shared by routes and components.

export interface FilterValues {
  department: string;
  manager: string;
  course: string;
  cycle: string;
  status: string;
  type: string;
}

export const FILTER_KEYS = ["department", "manager", "course", "cycle", "status", "type"] as const;

/** A shareable link to `path` with these filters (empty ones left out) and any extra params. */
export function hrHref(path: string, values: Partial<FilterValues>, extra: Record<string, string | undefined> = {}): string {
  const sp = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = values[k];
    if (v) sp.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) if (v) sp.set(k, v);
  const qs = sp.toString();
  return qs ? `${path}?${qs}` : path;
}
