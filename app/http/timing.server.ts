// Answers that must not reveal, by how long they take, which path the server took.

/** Runs `work` and resolves no sooner than `ms` after the call (real time, not the app clock:
 * this is about what an observer measures). */
export async function answerAfter<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const until = performance.now() + ms;
  try {
    return await work();
  } finally {
    const left = until - performance.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
}
