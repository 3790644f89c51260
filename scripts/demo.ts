// npm run demo — migrates, seeds the demo organisation when the database is empty, and serves.
import { startServer } from "../server";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from "./seed";
import { refreshRollup } from "../app/reports/rollup.server";
import { refreshScores } from "../app/recognition/scores-refresh.server";

process.env.NODE_ENV ??= "production";
const app = await startServer();
const seeded = await seedDemo(app.db, { catalog: app.catalog, secret: app.config.secret });
if (seeded.seeded) {
  app.logger.info(`Seeded the demo organisation: ${seeded.people} people.`);
  // The scheduler's first run may have counted an empty database; count the seeded one.
  await refreshRollup(app.db, new Date());
  await refreshScores(app.db, { catalog: app.catalog, now: new Date() });
}
console.log(`
  Confidant is running at ${app.config.origin}

  Demo accounts (password: ${DEMO_PASSWORD})
${DEMO_ACCOUNTS.map((a) => `    ${a.email.padEnd(24)} ${a.role}`).join("\n")}

  Press Ctrl+C to stop.
`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void app.shutdown().then(() => process.exit(0)));
}
