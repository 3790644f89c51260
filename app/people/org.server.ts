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
