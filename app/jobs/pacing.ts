// Long background jobs (the rollup, the stored scores) share the process with the requests being
// served: they work in chunks and yield to the event loop between two.

/** Lets the event loop serve requests between two chunks of a long background job. */
export const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Yields to the event loop every so many steps of a long in-memory loop. */
export function pacer(every = 5_000) {
  let n = 0;
  return async () => {
    if (++n % every === 0) await pause();
  };
}
