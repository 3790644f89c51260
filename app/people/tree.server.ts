// The reporting tree as a whole, for the background jobs that number everyone at once (the
// reporting rollup, the stored scores): everyone read once, then team sizes, a pre-order
// numbering, and which managers are large enough to get rows of their own. The live queries walk
// the same tree through org.server.ts; both stop at the same depth, so they agree.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import { pause } from "../jobs/pacing";

/** Managers whose whole team is at least this large get their own rows in the rollup and their
 * team as one range of the stored scores; smaller teams are counted live (a team of 250 has about
 * 9,000 assignments: a few tens of ms). */
export const SCOPE_MIN_TEAM = 250;
const TREE_DEPTH_LIMIT = 50; // as teamIds()
const PEOPLE_CHUNK = 5_000;

export interface Person {
  id: string;
  managerId: string | null;
  department: string;
  type: string;
  status: string;
}

/** Everyone, departed people included (teamIds() walks through them too), in id order. */
export async function loadPeople(db: Kysely<DB>): Promise<Person[]> {
  const out: Person[] = [];
  let after = "";
  for (;;) {
    const rows = await db
      .selectFrom("users")
      .select(["id", "manager_id", "department", "type", "status"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(PEOPLE_CHUNK)
      .execute();
    for (const r of rows) out.push({ id: r.id, managerId: r.manager_id, department: r.department ?? "", type: r.type, status: r.status });
    if (rows.length < PEOPLE_CHUNK) return out;
    after = rows[rows.length - 1].id;
    await pause();
  }
}


export interface Tree {
  /** A person's department and type, and the nearest large manager above them. */
  profiles: Array<{ dt: number; scope: number }>;
  deptTypes: Array<{ department: string; type: string }>;
  /** Managers with a scope of their own; `parent` is the nearest such manager above (or -1).
   * Listed parents before children. */
  scopes: Array<{ id: string; parent: number }>;
  profileOf: Map<string, number>;
  managers: Array<{ id: string; teamSize: number; scoped: boolean }>;
  /** By index of the people given: place in a pre-order walk from the roots (-1 for people below
   * no root), so that everyone below person i is at positions (position[i], position[i] + below[i]];
   * below[i] is -1 when that range would not match teamIds() (below no root, or deeper than it walks). */
  position: Int32Array;
  below: Int32Array;
}

/** Team sizes (everyone below, at any depth), which managers get a scope of their own, and each
 * person's profile. People in a loop of reporting lines (bad data) are below no root: their
 * managers get no scope and are counted live, exactly as teamIds() sees them. */
export async function buildTree(people: Person[]): Promise<Tree> {
  const n = people.length;
  const index = new Map<string, number>();
  people.forEach((p, i) => index.set(p.id, i));
  const parent = new Int32Array(n).fill(-1);
  const childCount = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const m = people[i].managerId;
    const pi = m === null ? undefined : index.get(m);
    if (pi !== undefined && pi !== i) {
      parent[i] = pi;
      childCount[pi]++;
    }
  }
  await pause();
  // Children as one flat array (counting sort), then a pre-order walk from every root.
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i] + childCount[i];
  const fill = start.slice(0, n);
  const children = new Int32Array(start[n]);
  for (let i = 0; i < n; i++) if (parent[i] >= 0) children[fill[parent[i]]++] = i;

  const order: number[] = [];
  const reached = new Uint8Array(n);
  const stack: number[] = [];
  for (let r = 0; r < n; r++) {
    if (parent[r] !== -1) continue;
    stack.push(r);
    while (stack.length) {
      const v = stack.pop()!;
      reached[v] = 1;
      order.push(v);
      for (let k = start[v]; k < start[v + 1]; k++) stack.push(children[k]);
    }
  }
  await pause();
  const position = new Int32Array(n).fill(-1);
  order.forEach((v, k) => (position[v] = k));
  const size = new Int32Array(n).fill(1);
  const height = new Int32Array(n);
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k];
    const p = parent[v];
    if (p >= 0) {
      size[p] += size[v];
      if (height[v] + 1 > height[p]) height[p] = height[v] + 1;
    }
  }
  // Scopes in pre-order, so parents come before their children.
  const scopeOf = new Int32Array(n).fill(-1);
  const nearest = new Int32Array(n).fill(-1); // nearest scope strictly above each person
  const scopes: Tree["scopes"] = [];
  for (const v of order) {
    const p = parent[v];
    if (p >= 0) nearest[v] = scopeOf[p] >= 0 ? scopeOf[p] : nearest[p];
    if (size[v] - 1 >= SCOPE_MIN_TEAM && height[v] <= TREE_DEPTH_LIMIT) scopeOf[v] = scopes.push({ id: people[v].id, parent: nearest[v] }) - 1;
  }
  await pause();
  const deptTypes: Tree["deptTypes"] = [];
  const dtIndex = new Map<string, number>();
  const profiles: Tree["profiles"] = [];
  const profileIndex = new Map<number, number>();
  const profileOf = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const dtKey = `${people[i].department}\u0000${people[i].type}`;
    let dt = dtIndex.get(dtKey);
    if (dt === undefined) {
      dt = deptTypes.push({ department: people[i].department, type: people[i].type }) - 1;
      dtIndex.set(dtKey, dt);
    }
    const scope = reached[i] ? nearest[i] : -1;
    const key = dt * (n + 1) + (scope + 1);
    let idx = profileIndex.get(key);
    if (idx === undefined) {
      idx = profiles.push({ dt, scope }) - 1;
      profileIndex.set(key, idx);
    }
    profileOf.set(people[i].id, idx);
  }
  const managers: Tree["managers"] = [];
  for (let i = 0; i < n; i++) {
    if (childCount[i] === 0) continue;
    managers.push({ id: people[i].id, teamSize: reached[i] ? size[i] - 1 : childCount[i], scoped: scopeOf[i] >= 0 });
  }
  const below = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (reached[i] && height[i] <= TREE_DEPTH_LIMIT) below[i] = size[i] - 1;
  return { profiles, deptTypes, scopes, profileOf, managers, position, below };
}
