// Compiled course MDX kept in the database by the module source's hash, so a module a learner
// is part-way through is still served after a restart when the folder no longer holds its text
// (decision 024). The only module that writes `compiled_modules`.
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../../db/schema";
import type { Course } from "./catalog.server";
import { compileMdx, type CompiledMdx } from "./mdx.server";
import { sha256Hex } from "../hash.server";

/** Compiles every module of `course` (once per hash in this process) and keeps the code. */
export async function keepCompiledModules(trx: Transaction<DB>, course: Course, at: Date): Promise<void> {
  for (const mod of course.modules) {
    const { hash, code } = await compileMdx(mod.source);
    await trx.insertInto("compiled_modules").values({ hash, code, compiled_at: at.toISOString() }).onConflict((oc) => oc.column("hash").doNothing()).execute();
  }
}

/** The compiled module for `hash` when it is one of `sources` (compiled here if need be), else
 * as kept. A module compiled in this process for someone else (an HR preview of a draft) is not
 * served unless it is among the sources the asker may see. */
export async function compiledModule(db: Kysely<DB>, hash: string, sources: () => Iterable<string>): Promise<CompiledMdx | null> {
  for (const source of sources()) {
    // Text that does not compile (or holds code) has no module: the page shows why instead.
    if (sha256Hex(source).slice(0, 32) === hash) return compileMdx(source).catch(() => null);
  }
  const row = await db.selectFrom("compiled_modules").select(["hash", "code"]).where("hash", "=", hash).executeTakeFirst();
  return row ? { hash: row.hash, code: row.code } : null;
}
