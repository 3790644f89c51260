// One scheduled run as the app and the command line do it: take the lease, run, deliver the
// mail that is due, let go of the lease.
import type { Logger } from "pino";
import type { Db } from "../../db/connection";
import type { AppConfig } from "../config.server";
import type { Catalog } from "../courses/catalog.server";
import { fixedClock, systemClock, type Clock } from "../clock";
import { domainLimiter } from "../notifications/rate-limit";
import { deliverDue, transportFromConfig, type DeliveryResult, type Personalise } from "../notifications/delivery.server";
import { mintAccountLinkMail, queueDueInvitations } from "../auth/account-links.server";
import { acquireLease, leaseHolder, releaseLease } from "../jobs/lease.server";
import { runScheduler, type RunSummary } from "./scheduler.server";
import { refreshRollup } from "../reports/rollup.server";
import { refreshScores } from "../recognition/scores-refresh.server";
import { anchorAuditLog, type AnchorRun } from "../audit/anchors.server";
import { loadInstanceKey } from "../keys/instance-key.server";
import { syncLiveCatalog } from "../courses/live.server";

export const LEASE_NAME = "scheduler";

/** Invitations and resets get their single-use link as they are sent (never stored). */
export function accountLinks(db: Db, origin: string): Personalise {
  return (mail, now) => mintAccountLinkMail(db, mail, origin, now);
}

type MailConfig = Pick<AppConfig, "smtpUrl" | "mailFrom" | "dataDir" | "origin"> & Partial<Pick<AppConfig, "mail">>;

/** Sends the mail that is due, over a transport of its own; invitations and resets get their link
 * as they go. Claims keep it apart from the mail loop and the scheduler run. */
export async function deliverMail(db: Db, config: MailConfig, clock: Clock): Promise<DeliveryResult> {
  const transport = transportFromConfig(config);
  try {
    return await deliverDue(db, transport, {
      clock,
      concurrency: config.mail?.concurrency,
      limiter: config.mail ? domainLimiter(config.mail.rates) : undefined,
      personalise: accountLinks(db, config.origin),
    });
  } finally {
    transport.close?.();
  }
}

/** A function that starts delivery without waiting for it: one delivery at a time, and a call
 * during one makes another follow it. A request never waits for the mail server. */
export function mailKicker({ db, config, logger }: { db: Db; config: AppConfig; logger: Logger }): () => void {
  let delivering = false;
  let again = false;
  const kick = () => {
    if (delivering) {
      again = true;
      return;
    }
    delivering = true;
    void deliverMail(db, config, systemClock)
      .catch((err) => logger.error({ err }, "mail delivery failed"))
      .finally(() => {
        delivering = false;
        if (again) {
          again = false;
          kick();
        }
      });
  };
  return kick;
}

export type OnceResult =
  | { ran: true; summary: RunSummary; mail: DeliveryResult | null; invitations?: number; anchor?: AnchorRun }
  | { ran: false; reason: string };

export async function runOnce(
  db: Db,
  { catalog, config, now, dryRun = false, deliver = true }: { catalog: Catalog; config: AppConfig; now?: Date; dryRun?: boolean; deliver?: boolean },
): Promise<OnceResult> {
  const at = now ?? new Date();
  if (dryRun) {
    return { ran: true, summary: await runScheduler(db, { catalog, now: at, dryRun, rules: config.reminders, origin: config.origin }), mail: null };
  }
  const holder = leaseHolder();
  if (!(await acquireLease(db, LEASE_NAME, holder))) return { ran: false, reason: "another scheduler run holds the lease" };
  try {
    const summary = await runScheduler(db, { catalog, now: at, rules: config.reminders, origin: config.origin });
    // Invitations HR scheduled for a start date that has come.
    const invitations = await queueDueInvitations(db, at);
    const mail = deliver ? await deliverMail(db, config, now ? fixedClock(at.toISOString()) : systemClock) : null;
    // The dashboards' counts follow each run (after the mail, which should not wait for them).
    await refreshRollup(db, at);
    // …and so do the large boards' scores.
    await refreshScores(db, { catalog, now: at });
    // …and the audit log gets a signed checkpoint (and timestamps, when a TSA is configured).
    const anchor = await anchorAuditLog(db, { key: () => loadInstanceKey({ dataDir: config.dataDir, ...config.instanceKey }), anchors: config.audit, now: at });
    return { ran: true, summary, mail, invitations, anchor };
  } finally {
    await releaseLease(db, LEASE_NAME, holder);
  }
}

/** In-process: every few minutes, unless SCHEDULER_EVERY_MINUTES=0. */
export function startSchedulerLoop({ db, catalog, drafts, config, logger }: { db: Db; catalog: Catalog; drafts?: Catalog; config: AppConfig; logger: Logger }) {
  if (config.schedulerEveryMinutes <= 0) return () => {};
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      // A course published on another instance is live here from this run on.
      if (drafts) await syncLiveCatalog(db, catalog, drafts);
      const result = await runOnce(db, { catalog, config });
      if (result.ran) {
        logger.info({ summary: result.summary, mail: result.mail, anchor: result.anchor }, "scheduler run");
        if (result.anchor?.problem) logger.warn({ problem: result.anchor.problem }, "audit log anchoring");
      } else logger.info(result.reason);
    } catch (err) {
      logger.error({ err }, "scheduler run failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, config.schedulerEveryMinutes * 60_000);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
