// Kudos: a manager thanks someone in their team (HR may thank anyone), with a short message and
// optionally a badge from a fixed list. Stored, audited and mailed in one transaction; shown on
// the person's home page; counted in HR's recognition report.
import { z } from "zod";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import { readArrays, type Db } from "../../db/connection";
import type { Clock } from "../clock";
import { addDays } from "../clock";
import { randomId } from "../ids.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { enqueueNotification } from "../notifications/outbox.server";
import { teamIds } from "../people/org.server";
import { SCOPE_MIN_TEAM } from "../people/tree.server";
import { currentScoreRun } from "./scores-refresh.server";
import { reportingLines, teamReceived, teamSizes, type PersonLink } from "./team-counts";
import { KUDOS_BADGE_KEYS, KUDOS_MESSAGE_MAX, kudosBadgeLabel, type KudosBadge } from "./badges";
import { blankToUndefined, fieldErrorsOf } from "../forms";

const CONTROL = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F]/g;

export const kudosFormSchema = z.object({
  to: z.string({ required_error: "Choose who to thank." }).regex(/^usr_[a-z0-9]{1,64}$/, "Choose who to thank."),
  message: z
    .string({ required_error: "Write a short message." })
    .transform((s) => s.replace(/\r\n?/g, "\n").replace(CONTROL, "").trim())
    .pipe(z.string().min(1, "Write a short message: what did they do well?").max(KUDOS_MESSAGE_MAX, `Keep it to ${KUDOS_MESSAGE_MAX} characters.`)),
  badge: z.preprocess(
    blankToUndefined,
    z
      .enum(KUDOS_BADGE_KEYS, {
        errorMap: () => ({ message: "Choose a badge from the list, or none." }),
      })
      .optional(),
  ),
});
export type KudosForm = z.infer<typeof kudosFormSchema>;

export function parseKudosForm(form: URLSearchParams): { ok: true; data: KudosForm } | { ok: false; fieldErrors: Record<string, string> } {
  const parsed = kudosFormSchema.safeParse({
    to: form.get("to") ?? undefined,
    message: form.get("message") ?? undefined,
    badge: form.get("badge") ?? undefined,
  });
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, fieldErrors: fieldErrorsOf(parsed.error.issues) as Record<string, string> };
}

export interface Sender {
  id: string;
  name: string;
  is_hr: number;
}

/** The people this sender may thank: their team (at any depth), or — for HR — everyone active.
 * Never themselves. */
function recipientsQuery(db: Kysely<DB>, sender: Sender) {
  let q = db
    .selectFrom("users as u")
    .select(["u.id", "u.name", "u.email", "u.title"])
    .where("u.status", "<>", "inactive")
    .where("u.id", "<>", sender.id);
  if (!sender.is_hr) q = q.where("u.id", "in", teamIds(db, sender.id));
  return q;
}

export async function kudosRecipient(db: Kysely<DB>, { sender, personId }: { sender: Sender; personId: string }) {
  return (await recipientsQuery(db, sender).where("u.id", "=", personId).executeTakeFirst()) ?? null;
}

/** For the form's "who" list: the sender's team (HR: their own team, so the list stays short). */
export async function kudosCandidates(db: Kysely<DB>, { sender }: { sender: Sender }) {
  return db
    .selectFrom("users as u")
    .select(["u.id", "u.name"])
    .where("u.status", "<>", "inactive")
    .where("u.id", "in", teamIds(db, sender.id))
    .where("u.id", "<>", sender.id)
    .orderBy("u.name")
    .execute();
}

export function kudosMail(d: { personName: string; senderName: string; message: string; badge: KudosBadge | null; homeUrl: string }) {
  const first = d.personName.split(" ")[0] || d.personName;
  const badge = kudosBadgeLabel(d.badge);
  return {
    subject: badge ? `Kudos from ${d.senderName}: ${badge}` : `Kudos from ${d.senderName}`,
    body:
      `Hello ${first},\n\n` +
      `${d.senderName} has recognised you for the way you look after the company's confidential information:\n\n` +
      `${d.message}\n\n` +
      (badge ? `With the badge "${badge}".\n\n` : "") +
      `You can see it, with your badges, on your Confidant home page: ${d.homeUrl}\n\n` +
      `Thank you for protecting what we know.\n\nConfidant, on behalf of your compliance team\n`,
  };
}

/** Sends kudos. Null — and nothing written — when the recipient is not someone this sender may
 * thank (the route answers 404). */
export async function sendKudos(db: Db, { sender, form, origin }: { sender: Sender; form: KudosForm; origin: string }, clock: Clock) {
  const now = clock();
  return auditedTransaction(db, async (trx) => {
    const to = await recipientsQuery(trx, sender).where("u.id", "=", form.to).executeTakeFirst();
    if (!to) return null;
    const id = `kud_${randomId()}`;
    const badge = form.badge ?? null;
    await trx
      .insertInto("kudos")
      .values({
        id,
        from_user_id: sender.id,
        to_user_id: to.id,
        message: form.message,
        badge,
        created_at: now.toISOString(),
      })
      .execute();
    await appendAudit(
      trx,
      {
        actorId: sender.id,
        action: "kudos.sent",
        subjectType: "kudos",
        subjectId: id,
        data: { toUserId: to.id, badge, length: form.message.length },
      },
      now,
    );
    const mail = kudosMail({
      personName: to.name,
      senderName: sender.name,
      message: form.message,
      badge,
      homeUrl: `${origin}/`,
    });
    await enqueueNotification(
      trx,
      {
        eventKey: `kudos:${id}`,
        kind: "kudos",
        userId: to.id,
        toEmail: to.email,
        why: `${sender.name} sent kudos`,
        subject: mail.subject,
        body: mail.body,
      },
      now,
    );
    return { id, toName: to.name, toId: to.id };
  });
}

export interface KudosView {
  id: string;
  fromName: string;
  toName: string;
  message: string;
  badge: string | null;
  badgeLabel: string | null;
  createdAt: string;
}

/** Kudos a person received, newest first: for their own home page. */
export async function kudosReceived(db: Kysely<DB>, { userId, limit = 20 }: { userId: string; limit?: number }): Promise<KudosView[]> {
  const rows = await db
    .selectFrom("kudos as k")
    .innerJoin("users as f", "f.id", "k.from_user_id")
    .innerJoin("users as t", "t.id", "k.to_user_id")
    .select(["k.id", "f.name as from_name", "t.name as to_name", "k.message", "k.badge", "k.created_at"])
    .where("k.to_user_id", "=", userId)
    .orderBy("k.created_at", "desc")
    .orderBy("k.id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toView);
}

/** Kudos received by someone in the viewer's team: for the manager's person page. */
export async function teamMemberKudos(db: Kysely<DB>, { managerId, personId, limit = 20 }: { managerId: string; personId: string; limit?: number }) {
  const rows = await db
    .selectFrom("kudos as k")
    .innerJoin("users as f", "f.id", "k.from_user_id")
    .innerJoin("users as t", "t.id", "k.to_user_id")
    .select(["k.id", "f.name as from_name", "t.name as to_name", "k.message", "k.badge", "k.created_at"])
    .where("k.to_user_id", "=", personId)
    .where("k.to_user_id", "in", teamIds(db, managerId))
    .orderBy("k.created_at", "desc")
    .orderBy("k.id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toView);
}

/** Kudos this person sent, newest first. */
export async function kudosSent(db: Kysely<DB>, { userId, limit = 10 }: { userId: string; limit?: number }): Promise<KudosView[]> {
  const rows = await db
    .selectFrom("kudos as k")
    .innerJoin("users as f", "f.id", "k.from_user_id")
    .innerJoin("users as t", "t.id", "k.to_user_id")
    .select(["k.id", "f.name as from_name", "t.name as to_name", "k.message", "k.badge", "k.created_at"])
    .where("k.from_user_id", "=", userId)
    .orderBy("k.created_at", "desc")
    .orderBy("k.id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toView);
}

function toView(r: { id: string; from_name: string; to_name: string; message: string; badge: string | null; created_at: string }): KudosView {
  return {
    id: r.id,
    fromName: r.from_name,
    toName: r.to_name,
    message: r.message,
    badge: r.badge,
    badgeLabel: kudosBadgeLabel(r.badge),
    createdAt: r.created_at,
  };
}

// ---------------------------------------------------------------------------------------------
// HR's recognition report

export const RECOGNITION_WINDOW_DAYS = 90;

export interface ManagerRecognition {
  id: string;
  name: string;
  department: string | null;
  teamSize: number;
  sentInWindow: number;
  sentEver: number;
  lastSentAt: string | null;
  /** Kudos anyone sent to people in this manager's team, in the window. */
  teamReceivedInWindow: number;
}

export interface RecognitionReport {
  windowDays: number;
  since: string;
  totals: {
    ever: number;
    inWindow: number;
    senders: number;
    recipients: number;
  };
  pairs: Array<{
    fromId: string;
    fromName: string;
    toId: string;
    toName: string;
    count: number;
    lastAt: string;
  }>;
  managers: ManagerRecognition[];
  badges: Array<{ badge: string; label: string; count: number }>;
  /** When team sizes come from the stored scores (a large organisation): their "as of" time;
   * null when they were counted now. */
  teamSizesAsOf: string | null;
}

/** Who recognised whom and how often, and which managers (teams) have recognised nobody lately.
 * HR only: it reads the whole organisation. */
export async function recognitionReport(db: Kysely<DB>, now: Date, { liveBelow = SCOPE_MIN_TEAM }: { liveBelow?: number } = {}): Promise<RecognitionReport> {
  const since = addDays(now.toISOString(), -RECOGNITION_WINDOW_DAYS);
  const [pairs, bySender, recent] = await Promise.all([
    db
      .selectFrom("kudos as k")
      .innerJoin("users as f", "f.id", "k.from_user_id")
      .innerJoin("users as t", "t.id", "k.to_user_id")
      .select((eb) => [
        "k.from_user_id",
        "k.to_user_id",
        "f.name as from_name",
        "t.name as to_name",
        eb.fn.countAll<number>().as("n"),
        eb.fn.max("k.created_at").as("last_at"),
      ])
      .groupBy(["k.from_user_id", "k.to_user_id", "f.name", "t.name"])
      .execute(),
    db
      .selectFrom("kudos")
      .select((eb) => ["from_user_id", eb.fn.countAll<number>().as("n"), eb.fn.max("created_at").as("last_at")])
      .groupBy("from_user_id")
      .execute(),
    db.selectFrom("kudos").select(["from_user_id", "to_user_id", "badge"]).where("created_at", ">=", since).execute(),
  ]);

  const { teamSize, teamReceived: received, asOf } = await teamFigures(db, recent, liveBelow);
  const managerIds = [...teamSize.keys()];
  const names = await managerNames(db, managerIds);
  const sentEver = new Map(bySender.map((s) => [s.from_user_id, { n: Number(s.n), last: s.last_at as string | null }]));
  const sentRecent = new Map<string, number>();
  for (const k of recent) sentRecent.set(k.from_user_id, (sentRecent.get(k.from_user_id) ?? 0) + 1);

  const managers: ManagerRecognition[] = managerIds
    .map((id) => ({
      id,
      name: names.get(id)?.name ?? "",
      department: names.get(id)?.department ?? null,
      teamSize: teamSize.get(id) ?? 0,
      sentInWindow: sentRecent.get(id) ?? 0,
      sentEver: sentEver.get(id)?.n ?? 0,
      lastSentAt: sentEver.get(id)?.last ?? null,
      teamReceivedInWindow: received.get(id) ?? 0,
    }))
    .sort((a, b) => a.sentInWindow - b.sentInWindow || a.name.localeCompare(b.name));

  const badgeCounts = new Map<string, number>();
  for (const k of recent) if (k.badge) badgeCounts.set(k.badge, (badgeCounts.get(k.badge) ?? 0) + 1);

  return {
    windowDays: RECOGNITION_WINDOW_DAYS,
    since,
    teamSizesAsOf: asOf,
    totals: {
      ever: bySender.reduce((n, s) => n + Number(s.n), 0),
      inWindow: recent.length,
      senders: new Set(recent.map((k) => k.from_user_id)).size,
      recipients: new Set(recent.map((k) => k.to_user_id)).size,
    },
    pairs: pairViews(pairs),
    managers,
    badges: [...badgeCounts.entries()]
      .map(([badge, count]) => ({
        badge,
        label: kudosBadgeLabel(badge) ?? badge,
        count,
      }))
      .sort((a, b) => b.count - a.count),
  };
}

/** Team sizes and the kudos each team received: from the stored scores' tree (as of their refresh)
 * when the organisation is large, live otherwise. */
async function teamFigures(db: Kysely<DB>, recent: Array<{ to_user_id: string }>, liveBelow: number) {
  const run = await currentScoreRun(db);
  if (run && run.people >= liveBelow) {
    const sizes = (await readArrays(
      db,
      db.selectFrom("person_scores").select(["user_id", "active_team_size"]).where("generation", "=", run.generation).where("active_team_size", ">", 0),
    )) as Array<[string, number]>;
    const lines = reportingLines(await linesAbove(db, recent.map((k) => k.to_user_id)));
    return { teamSize: new Map(sizes.map(([id, n]) => [id, Number(n)])), teamReceived: teamReceived(lines, recent), asOf: run.asOf };
  }
  // Only what the tree needs, as arrays (reading everyone's names at 100,000 people was most of
  // this page's time).
  const people = (await readArrays(db, db.selectFrom("users").select(["id", "manager_id", "status"]))) as unknown as PersonLink[];
  return { teamSize: teamSizes(people), teamReceived: teamReceived(reportingLines(people), recent), asOf: null };
}

/** The given people and everyone above them, a level at a time: the reporting lines that the
 * recent kudos' recipients need, without reading the whole organisation. */
async function linesAbove(db: Kysely<DB>, ids: string[]): Promise<PersonLink[]> {
  const out: PersonLink[] = [];
  const seen = new Set<string>();
  let frontier = [...new Set(ids)];
  while (frontier.length > 0) {
    for (const id of frontier) seen.add(id);
    const next: string[] = [];
    // In chunks: SQLite caps the number of bound parameters.
    for (let i = 0; i < frontier.length; i += 500) {
      const rows = await db.selectFrom("users").select(["id", "manager_id", "status"]).where("id", "in", frontier.slice(i, i + 500)).execute();
      for (const r of rows) {
        out.push([r.id, r.manager_id, r.status]);
        if (r.manager_id !== null && !seen.has(r.manager_id)) next.push(r.manager_id);
      }
    }
    frontier = [...new Set(next)];
  }
  return out;
}

async function managerNames(db: Kysely<DB>, managerIds: string[]) {
  const names = new Map<string, { name: string; department: string | null }>();
  // In chunks: SQLite caps the number of bound parameters.
  for (let i = 0; i < managerIds.length; i += 500) {
    const rows = await db.selectFrom("users").select(["id", "name", "department"]).where("id", "in", managerIds.slice(i, i + 500)).execute();
    for (const r of rows) names.set(r.id, { name: r.name, department: r.department });
  }
  return names;
}

function pairViews(pairs: Array<{ from_user_id: string; to_user_id: string; from_name: string; to_name: string; n: number | string | bigint; last_at: unknown }>): RecognitionReport["pairs"] {
  return pairs
    .map((r) => ({
      fromId: r.from_user_id,
      fromName: r.from_name,
      toId: r.to_user_id,
      toName: r.to_name,
      count: Number(r.n),
      lastAt: String(r.last_at),
    }))
    .sort((a, b) => b.lastAt.localeCompare(a.lastAt) || a.fromName.localeCompare(b.fromName))
    .slice(0, 500);
}
