// The reporting tree. A manager is anyone with at least one report; their team is everyone
// below them, at any depth. Used to scope every manager's query, so the scope is written once.
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema";

/** A subquery of the ids of everyone below `managerId`, at any depth (not the manager). Use it
 * in a WHERE: `.where("u.id", "in", teamIds(db, viewer.id))`. Cycles in bad data stop at depth 50. */
export function teamIds(db: Kysely<DB>, managerId: string) {
  return db
    .withRecursive("tree(id, depth)", (qb) =>
      qb
        .selectFrom("users")
        .select(["id", sql<number>`1`.as("depth")])
        .where("manager_id", "=", managerId)
        .unionAll((qb2) =>
          qb2
            .selectFrom("users as u")
            .innerJoin("tree", "tree.id", "u.manager_id")
            .select(["u.id", sql<number>`tree.depth + 1`.as("depth")])
            .where(sql<boolean>`tree.depth < 50`),
        ),
    )
    .selectFrom("tree")
    .select("tree.id");
}

/** Is `personId` somewhere below `managerId`? */
export async function isInTeam(db: Kysely<DB>, managerId: string, personId: string): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").where("id", "=", personId).where("id", "in", teamIds(db, managerId)).executeTakeFirst();
  return Boolean(row);
}

export async function hasReports(db: Kysely<DB>, personId: string): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").where("manager_id", "=", personId).where("status", "<>", "inactive").limit(1).executeTakeFirst();
  return Boolean(row);
}

/** Which of `personIds` are below `managerId` now, walking up from each (a few rows per person,
 * however large the team). Cycles in bad data stop at depth 50, as teamIds() does. */
export async function membersOf(db: Kysely<DB>, managerId: string, personIds: string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set();
  const rows = await db
    .withRecursive("up(id, above, depth)", (qb) =>
      qb
        .selectFrom("users")
        .select(["id", "manager_id as above", sql<number>`1`.as("depth")])
        .where("id", "in", personIds)
        .unionAll((qb2) =>
          qb2
            .selectFrom("users as u")
            .innerJoin("up", "up.above", "u.id")
            .select(["up.id", "u.manager_id as above", sql<number>`up.depth + 1`.as("depth")])
            .where(sql<boolean>`up.depth < 50`),
        ),
    )
    .selectFrom("up")
    .select("up.id")
    .where("up.above", "=", managerId)
    .execute();
  return new Set(rows.map((r) => r.id));
}
