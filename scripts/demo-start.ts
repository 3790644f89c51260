// The demo's start, in order: serve, seed the demo organisation if the database is empty,
// count it for the dashboards and boards, and only then start the scheduler — which would
// otherwise run on a half-seeded database and mail HR about training the seed then completes.
import { startServer } from "../server";
import { seedDemo } from "./seed";
import { refreshRollup } from "../app/reports/rollup.server";
import { refreshScores } from "../app/recognition/scores-refresh.server";

export async function startDemo(env: NodeJS.ProcessEnv = process.env) {
  const app = await startServer(env, { scheduler: false });
  const seeded = await seedDemo(app.db, { catalog: app.catalog, secret: app.config.secret });
  if (seeded.seeded) {
    app.logger.info(`Seeded the demo organisation: ${seeded.people} people.`);
    await refreshRollup(app.db, new Date());
    await refreshScores(app.db, { catalog: app.catalog, now: new Date() });
  }
  app.startScheduler();
  return app;
}
