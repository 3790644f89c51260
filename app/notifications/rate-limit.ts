// Per-domain pacing for outgoing mail: a big provider throttles (or blocks) a sender that
// floods it, so each recipient domain gets its own steady rate. The limit holds per instance;
// with several instances, give each its share of the provider's limit.
import type { DomainRates } from "../config.server";

export interface DomainLimiter {
  /** Milliseconds to wait before the next message to this address may go; reserves that slot. */
  reserve(address: string, nowMs?: number): number;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf("@");
  return (at === -1 ? "" : address.slice(at + 1)).toLowerCase();
}

/** Spaces messages to one domain 1/rate seconds apart; a domain without a rate is not held back. */
export function domainLimiter(rates: DomainRates): DomainLimiter {
  const nextFree = new Map<string, number>();
  return {
    reserve(address, nowMs = Date.now()) {
      const domain = domainOf(address);
      const rate = rates.perDomain[domain] ?? rates.fallback;
      if (rate === null) return 0;
      const slot = Math.max(nowMs, nextFree.get(domain) ?? 0);
      nextFree.set(domain, slot + 1000 / rate);
      return slot - nowMs;
    },
  };
}

export const unlimited: DomainLimiter = { reserve: () => 0 };
