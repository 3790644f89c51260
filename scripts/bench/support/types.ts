// What a benchmark case module in scripts/bench/*.ts exports.
export interface CaseOutcome {
  /** False when the case measured something below its target (the run itself was valid). */
  ok: boolean;
  /** Where the JSON results were written. */
  file?: string;
  [key: string]: unknown;
}

export interface BenchCase {
  /** One line shown before the case runs. */
  description?: string;
  run: () => Promise<CaseOutcome>;
}
