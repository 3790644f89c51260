// What every loader and action receives besides the request. Types only: safe to import from
// route modules.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Clock } from "../clock";
import type { Viewer } from "../auth/viewer";

export type { Viewer };

export interface AppContext {
  db: Kysely<DB>;
  // The catalog is server data; typed loosely here so route modules need no server import.
  catalog: import("../courses/catalog.server").Catalog;
  /** The courses folder as it is now (drafts); absent where the folder is the live catalog. */
  drafts?: import("../courses/catalog.server").Catalog;
  config: import("../config.server").AppConfig;
  clock: Clock;
  viewer: Viewer | null;
  sessionId: string | null;
  requestId: string;
  nonce: string;
  ip: string | null;
  userAgent: string | null;
  /** Resolves when the response can take more; streamed downloads wait on it so a slow client
   * never makes the server buffer a whole export. */
  drained?: () => Promise<void>;
  /** Call after queueing mail a person is waiting for (an invitation, a reset link): delivery
   * starts now instead of at the next scheduler run. Absent in tests that deliver themselves. */
  mailQueued?: () => void;
}

declare module "@remix-run/node" {
  interface AppLoadContext extends AppContext {}
}
