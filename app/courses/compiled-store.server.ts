// Compiled course MDX kept in the database by the module source's hash, so a module a learner
// is part-way through is still served after a restart when the folder no longer holds its text
// (decision 024). The only module that writes `compiled_modules`.
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../../db/schema";
import type { Course } from "./catalog.server";
import { compiledByHash, compileMdx, type CompiledMdx } from "./mdx.server";

/** Compiles every module of `course` (once per hash in this process) and keeps the code. */
export async function keepCompiledModules(trx: Transaction<DB>, course: Course, at: Date): Promise<void> {
  for (const mod of course.modules) {
    const { hash, code } = await compileMdx(mod.source);
    await trx.insertInto("compiled_modules").values({ hash, code, compiled_at: at.toISOString() }).onConflict((oc) => oc.column("hash").doNothing()).execute();
  }
}

/** The compiled module for `hash`: from this process or the sources given, else as kept. */
export async function compiledModule(db: Kysely<DB>, hash: string, sources: () => Iterable<string>): Promise<CompiledMdx | null> {
  const here = await compiledByHash(hash, sources);
  if (here) return here;
  const row = await db.selectFrom("compiled_modules").select(["hash", "code"]).where("hash", "=", hash).executeTakeFirst();
  return row ? { hash: row.hash, code: row.code } : null;
}
