// One app instance as production runs it (server.ts's startServer, the built app), in a child
// process of its own: `node --import tsx tests/support/instance.ts` with the instance's env.
import { startServer } from "../../server";

const { config, logger } = await startServer(process.env);
logger.info(`instance ready on ${config.port}`);
process.stdout.write(`READY ${config.port}\n`);
