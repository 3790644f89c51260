// npm run demo — migrates, seeds the demo organisation when the database is empty, and serves.
import { startDemo } from "./demo-start";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "./seed";

process.env.NODE_ENV ??= "production";
const app = await startDemo();
console.log(`
  Confidant is running at ${app.config.origin}

  Demo accounts (password: ${DEMO_PASSWORD})
${DEMO_ACCOUNTS.map((a) => `    ${a.email.padEnd(24)} ${a.role}`).join("\n")}

  Press Ctrl+C to stop.
`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void app.shutdown().then(() => process.exit(0)));
}
