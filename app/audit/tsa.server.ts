// The HTTP side of RFC 3161: one POST of application/timestamp-query to the configured TSA, cut
// off after a timeout. Never throws: a TSA that is down, slow or answers garbage gives a reason.
import { parseTimestampResponse, timestampRequest } from "./timestamp";

export const TSA_TIMEOUT_MS = 30_000;

export type TsaResult = { ok: true; token: Uint8Array; genTime: Date } | { ok: false; problem: string };

export async function requestTimestamp(url: string, data: string | Uint8Array, { timeoutMs = TSA_TIMEOUT_MS } = {}): Promise<TsaResult> {
  const { der, nonce } = timestampRequest(data);
  let body: Uint8Array;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/timestamp-query", accept: "application/timestamp-reply" },
      body: Buffer.from(der),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { ok: false, problem: `the TSA answered HTTP ${res.status}` };
    body = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    const name = e instanceof Error ? e.name : "";
    if (name === "TimeoutError" || name === "AbortError") return { ok: false, problem: `the TSA did not answer within ${Math.round(timeoutMs / 1000)} s` };
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
    return { ok: false, problem: `the TSA could not be reached (${cause})` };
  }
  return parseTimestampResponse(body, nonce);
}
