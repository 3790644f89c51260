// Signing out: the session ends and the audit log says so, both or neither.
import type { Db } from "../../db/connection";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { invalidateSession } from "../auth/session.server";

export async function signOut(db: Db, { sessionId, userId, now }: { sessionId: string; userId: string; now: Date }): Promise<void> {
  await auditedTransaction(db, async (trx) => {
    await invalidateSession(trx, sessionId);
    await appendAudit(trx, { actorId: userId, action: "auth.signed_out", subjectType: "user", subjectId: userId }, now);
  });
}
