// The outcome of an offline pack verification, check by check (used by verify.ts and verify-signature.ts).

/** Collects the outcome of the checks. */
export class Checks {
  readonly failures: string[] = [];
  readonly passed: string[] = [];
  fail(message: string) {
    this.failures.push(message);
  }
  /** Records `summary` as passed when the block added no failure. */
  held<T>(summary: string | null | (() => string | null), block: () => T): T {
    const before = this.failures.length;
    const result = block();
    const text = typeof summary === "function" ? summary() : summary;
    if (this.failures.length === before && text) this.passed.push(text);
    return result;
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

