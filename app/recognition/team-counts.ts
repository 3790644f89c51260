// Team figures for HR's recognition report: a manager's team is every active person below them,
// up to the first manager above who has left (whose team is no longer anyone's), never twice
// round a loop of reporting lines. Pure functions over (id, manager, status) triples, used live by
// the report and by the stored scores' refresh, which keeps every manager's size "as of" it.

export type PersonLink = readonly [id: string, managerId: string | null, status: string];

/** The reporting lines of the people given; `above` calls `visit` for each manager above `id`
 * whose team `id` counts in. Walking up from each person is linear in the organisation. */
export function reportingLines(people: Iterable<PersonLink>) {
  const managerOf = new Map<string, string | null>();
  const left = new Set<string>();
  for (const [id, managerId, status] of people) {
    managerOf.set(id, managerId);
    if (status === "inactive") left.add(id);
  }
  const path: string[] = [];
  const above = (id: string, visit: (managerId: string) => void) => {
    path.length = 0;
    path.push(id);
    for (let m = managerOf.get(id) ?? null; m !== null && !path.includes(m); m = managerOf.get(m) ?? null) {
      if (!managerOf.has(m) || left.has(m)) return;
      path.push(m);
      visit(m);
    }
  };
  return { above, hasLeft: (id: string) => left.has(id) };
}

export type ReportingLines = ReturnType<typeof reportingLines>;

/** How many active people each manager has below them. */
export function teamSizes(people: PersonLink[]): Map<string, number> {
  const lines = reportingLines(people);
  const sizes = new Map<string, number>();
  for (const [id, , status] of people) if (status !== "inactive") lines.above(id, (m) => sizes.set(m, (sizes.get(m) ?? 0) + 1));
  return sizes;
}

/** How many of the given kudos went to people in each manager's team. */
export function teamReceived(lines: ReportingLines, kudos: Array<{ to_user_id: string }>): Map<string, number> {
  const received = new Map<string, number>();
  for (const k of kudos) {
    if (lines.hasLeft(k.to_user_id)) continue;
    lines.above(k.to_user_id, (m) => received.set(m, (received.get(m) ?? 0) + 1));
  }
  return received;
}
