// The benchmark cases' timer: the median of a few runs, in milliseconds.

/** Median of `times` runs of `fn`. With `slowAfterMs`, a first run slower than that is the
 * answer (far off any target; repeating it only makes the bench longer). */
export async function median(times: number, fn: () => Promise<unknown>, { slowAfterMs = Infinity } = {}): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times && !(i === 1 && ms[0] > slowAfterMs); i++) {
    const t = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}
