// Delivery as a loop of its own, beside the scheduler: in-process every MAIL_EVERY_SECONDS and
// as `npm run mail`. Each pass sends everything that is due, batch by batch, over one pooled
// transport and one per-domain limiter, so the backlog drains at the rate the mail server and
// MAIL_CONCURRENCY allow rather than a fixed number per scheduler run. Any number of loops, on
// any number of instances, may run at once: each message is claimed before it is sent.
import type { Logger } from "pino";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { AppConfig } from "../config.server";
import type { Clock } from "../clock";
import { deliverDue, transportFromConfig, type DeliveryResult, type MailTransport, type Personalise } from "./delivery.server";
import { domainLimiter, type DomainLimiter } from "./rate-limit";

type MailConfig = Pick<AppConfig, "smtpUrl" | "mailFrom" | "dataDir" | "mail">;

export interface Mailer {
  transport: MailTransport;
  limiter: DomainLimiter;
  concurrency: number;
  /** Completes each mail just before it is sent: invitations and resets get their link as they go. */
  personalise?: Personalise;
  close(): void;
}

export function createMailer(config: MailConfig, transport: MailTransport = transportFromConfig(config), personalise?: Personalise): Mailer {
  return {
    transport,
    limiter: domainLimiter(config.mail.rates),
    concurrency: config.mail.concurrency,
    personalise,
    close: () => transport.close?.(),
  };
}

/** Sends until nothing is due (or `stopping()` turns true, which ends it after the batch in hand). */
export async function drainOutbox(
  db: Kysely<DB>,
  mailer: Mailer,
  { clock, stopping = () => false }: { clock: Clock; stopping?: () => boolean },
): Promise<DeliveryResult> {
  const total: DeliveryResult = { sent: 0, retried: 0, failed: 0 };
  while (!stopping()) {
    const r = await deliverDue(db, mailer.transport, {
      clock,
      batchSize: Math.max(50, mailer.concurrency * 10),
      concurrency: mailer.concurrency,
      limiter: mailer.limiter,
      stopping,
      personalise: mailer.personalise,
    });
    total.sent += r.sent;
    total.retried += r.retried;
    total.failed += r.failed;
    if (r.sent + r.retried + r.failed === 0) break;
  }
  return total;
}

export interface MailLoop {
  /** Lets the pass in hand finish its batch, then closes the connections. */
  stop(): Promise<void>;
}

/** Every `everySeconds` (0: never), one pass; passes never overlap. */
export function startMailLoop(
  {
    db,
    config,
    logger,
    clock,
    personalise,
  }: { db: Kysely<DB>; config: MailConfig; logger: Pick<Logger, "info" | "error">; clock: Clock; personalise?: Personalise },
  everySeconds = config.mail.everySeconds,
): MailLoop {
  if (everySeconds <= 0) return { stop: async () => {} };
  const mailer = createMailer(config, undefined, personalise);
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  const tick = () => {
    pass = drainOutbox(db, mailer, { clock, stopping: () => stopping })
      .then((r) => {
        if (r.sent + r.retried + r.failed > 0) logger.info({ mail: r }, "mail delivered");
      })
      .catch((err: unknown) => logger.error({ err }, "mail delivery failed"))
      .finally(() => {
        if (!stopping) timer = setTimeout(tick, everySeconds * 1000);
        timer?.unref();
      });
  };
  tick();
  return {
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await pass;
      mailer.close();
    },
  };
}
