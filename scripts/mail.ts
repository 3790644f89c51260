// npm run mail -- --once   sends everything that is due, then ends
// npm run mail             keeps sending, looking for due mail every MAIL_EVERY_SECONDS (at least 1)
// SIGINT / SIGTERM: the batch in hand is finished (each message's outcome recorded), then it ends;
// a second signal ends it at once (a message claimed then is sent again once its claim lapses).
import { parseArgs } from "node:util";
import { boot } from "../app/boot.server";
import { systemClock } from "../app/clock";
import { createMailer, drainOutbox } from "../app/notifications/mail-loop.server";
import { accountLinks } from "../app/scheduler/run.server";
import { exitAfterFlush, stopOnSignals } from "./support/exit";

let once = false;
try {
  once = parseArgs({ options: { once: { type: "boolean", default: false } }, strict: true }).values.once ?? false;
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\nUsage: npm run mail [-- --once]`);
  process.exit(2);
}

process.env.LOG_LEVEL ??= "warn";
const { db, config } = await boot();
// Invitations and resets get their single-use link as they go.
const mailer = createMailer(config, undefined, accountLinks(db, config.origin));
let stopping = false;
let wake: () => void = () => {};
stopOnSignals("the batch in hand", () => {
  stopping = true;
  wake();
});
const line = (r: { sent: number; retried: number; failed: number }) => `Mail: ${r.sent} sent, ${r.retried} to retry, ${r.failed} failed`;
try {
  if (!once) console.log(`Sending due mail every ${Math.max(config.mail.everySeconds, 1)} seconds; Ctrl+C to stop.`);
  do {
    const result = await drainOutbox(db, mailer, { clock: systemClock, stopping: () => stopping });
    if (once || result.sent + result.retried + result.failed > 0) console.log(line(result));
    if (once || stopping) break;
    await new Promise<void>((r) => {
      wake = r;
      setTimeout(r, Math.max(config.mail.everySeconds, 1) * 1000);
    });
  } while (!stopping);
} finally {
  mailer.close();
  await db.destroy();
}
await exitAfterFlush(process.exitCode === undefined ? 0 : Number(process.exitCode));
