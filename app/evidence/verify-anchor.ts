// A pack's anchor, checked offline: the checkpoint's signature (instance key), each audit
// entry's inclusion proof against the checkpoint's root, the consistency proofs from earlier
// checkpoints, and — given a checkpoint an auditor saved earlier — that the log only grew since.
// The timestamp token is checked separately (verifyPackTimestamp: asynchronous WebCrypto).
import type { KeyObject } from "node:crypto";
import { parseCheckpointNote, verifyCheckpointSignature } from "../audit/checkpoint";
import { entryLeafHash } from "../audit/entry";
import { verifyConsistency, verifyInclusion } from "../audit/merkle";
import { verifyTimestampToken } from "../audit/timestamp";
import type { PackAnchor } from "./anchor.server";
import { isObject, plural, type Checks } from "./checks";
import type { EvidencePack } from "./pack.server";

/** The pack could not be checked (as opposed to: it was tampered with). */
export class CannotCheck extends Error {}

function checkInclusion(checks: Checks, pack: EvidencePack, cp: NonNullable<PackAnchor["checkpoint"]>) {
  const proofs = new Map((pack.anchor.inclusionProofs ?? []).map((p) => [p.seq, p.proof]));
  const covered = pack.audit.entries.filter((e) => e.seq <= cp.treeSize);
  const later = pack.audit.entries.length - covered.length;
  checks.held(`${plural(covered.length, "audit entry", "audit entries")}: each proved to be in the checkpointed log of ${cp.treeSize} entries (RFC 9162 inclusion proof)`, () => {
    for (const e of covered) {
      const proof = proofs.get(e.seq);
      let ok = false;
      try {
        ok = !!proof && verifyInclusion({ leafIndex: e.seq - 1, treeSize: cp.treeSize, leafHash: entryLeafHash(e), proof, rootHash: cp.rootHash });
      } catch {
        ok = false;
      }
      if (!ok) checks.fail(`audit entry ${e.seq} (${e.action}) is not in the checkpointed log: ${proof ? "its inclusion proof does not lead to the checkpoint's root" : "the pack has no inclusion proof for it"}`);
    }
  });
  if (later > 0) checks.passed.push(`${plural(later, "audit entry", "audit entries")} newer than the checkpoint, so not yet anchored (the next checkpoint covers them)`);
}

function checkConsistency(checks: Checks, pack: EvidencePack, cp: NonNullable<PackAnchor["checkpoint"]>) {
  const proofs = pack.anchor.consistencyProofs ?? [];
  checks.held(proofs.length ? `${plural(proofs.length, "earlier checkpoint")}: the log of this checkpoint extends each (RFC 9162 consistency proofs)` : null, () => {
    for (const p of proofs) {
      if (!verifyConsistency({ size1: p.treeSize, size2: cp.treeSize, root1: p.rootHash, root2: cp.rootHash, proof: p.proof })) {
        checks.fail(`the checkpoint of ${cp.treeSize} entries is not consistent with the earlier checkpoint of ${p.treeSize} entries: the log was rewritten`);
      }
    }
  });
}

/** Checks an auditor's saved checkpoint (a signed note) against the pack's; throws CannotCheck when it cannot be judged. */
function checkSavedCheckpoint(checks: Checks, pack: EvidencePack, cp: NonNullable<PackAnchor["checkpoint"]>, savedNote: string, key: KeyObject) {
  const parsed = parseCheckpointNote(savedNote);
  if (!parsed.ok) throw new CannotCheck(`the saved checkpoint is not a checkpoint (${parsed.problem})`);
  const signed = verifyCheckpointSignature(savedNote, key);
  if (!signed.ok) {
    checks.fail(`the saved checkpoint is not signed by the key the pack is checked with (${signed.problem})`);
    return;
  }
  const saved = signed.checkpoint;
  if (saved.treeSize > cp.treeSize) throw new CannotCheck(`the saved checkpoint (${saved.treeSize} entries) is newer than the pack's (${cp.treeSize}); check the pack against an older one`);
  if (saved.treeSize === cp.treeSize) {
    if (saved.rootHash !== cp.rootHash) checks.fail(`the log was rewritten: the saved checkpoint of ${saved.treeSize} entries has another root than the pack's`);
    else checks.passed.push(`saved checkpoint: the pack's checkpoint is the one saved (${saved.treeSize} entries)`);
    return;
  }
  const proof = (pack.anchor.consistencyProofs ?? []).find((p) => p.treeSize === saved.treeSize);
  if (!proof) throw new CannotCheck(`the pack holds no consistency proof from a log of ${saved.treeSize} entries (it has proofs from the 50 newest earlier checkpoints and the last of each day)`);
  if (proof.rootHash !== saved.rootHash) checks.fail(`the log was rewritten since the saved checkpoint of ${saved.treeSize} entries: its root differs from the one the pack proves consistency with`);
  else if (!verifyConsistency({ size1: saved.treeSize, size2: cp.treeSize, root1: saved.rootHash, root2: cp.rootHash, proof: proof.proof })) {
    checks.fail(`the pack's log is not consistent with the saved checkpoint of ${saved.treeSize} entries`);
  } else checks.passed.push(`saved checkpoint: the log only grew from the saved ${saved.treeSize} entries to the pack's ${cp.treeSize} (consistency proof)`);
}

export function checkAnchor(checks: Checks, pack: EvidencePack, key: KeyObject | null, savedCheckpoint: string | null) {
  const anchor: unknown = pack.anchor;
  if (!isObject(anchor) || !isObject(anchor.checkpoint)) {
    checks.fail("no checkpoint of the audit log covers the pack's audit entries (the pack has no anchor)");
    return;
  }
  const cp = pack.anchor.checkpoint!;
  if (key) {
    const signed = verifyCheckpointSignature(cp.note, key);
    if (!signed.ok) checks.fail(`the pack's checkpoint is not signed by the key the pack is checked with (${signed.problem})`);
    else if (signed.checkpoint.treeSize !== cp.treeSize || signed.checkpoint.rootHash !== cp.rootHash) checks.fail("the pack's checkpoint size or root differs from its signed note");
    else checks.passed.push(`checkpoint: ${cp.treeSize} entries, signed by the instance key on ${cp.createdAt}`);
  }
  checkInclusion(checks, pack, cp);
  checkConsistency(checks, pack, cp);
  if (savedCheckpoint && key) checkSavedCheckpoint(checks, pack, cp, savedCheckpoint, key);
}

export interface TimestampReport {
  /** Null when the checkpoint has no token (no TSA configured, or still pending). */
  genTime: string | null;
  tsa: string | null;
  trustAnchor: "given" | "embedded" | null;
  /** A failure that means tampering; CannotCheck is thrown for the rest. */
  failure: string | null;
  note: string;
}

/** Checks the checkpoint's RFC 3161 token against the TSA trust anchor (given, else the pack's). */
export async function verifyPackTimestamp(pack: EvidencePack, givenTrustAnchorPem: string | null): Promise<TimestampReport> {
  const cp = pack.anchor?.checkpoint;
  const ts = pack.anchor?.timestamp;
  if (!cp || !ts?.token) {
    const why = ts?.status === "pending" ? "its timestamp was still pending when the pack was produced" : "the instance has no Time-Stamp Authority configured (TSA_URL)";
    return { genTime: null, tsa: null, trustAnchor: null, failure: null, note: `timestamp: none — ${why}; the checkpoint is signed by the instance key only` };
  }
  const trust = givenTrustAnchorPem ?? ts.tsaTrustAnchorPem;
  const result = await verifyTimestampToken({ token: ts.token, data: cp.note, trustAnchorsPem: trust });
  if (!result.ok) {
    if (result.unchecked || /imprint differs|unreadable|not CMS/.test(result.problem)) throw new CannotCheck(result.problem);
    return { genTime: null, tsa: null, trustAnchor: givenTrustAnchorPem ? "given" : "embedded", failure: `the checkpoint's timestamp does not verify: ${result.problem}`, note: "" };
  }
  const source = givenTrustAnchorPem ? "the TSA certificate given" : "the TSA certificate in the pack (give --tsa-ca to check against one obtained from the TSA)";
  return {
    genTime: result.genTime.toISOString(),
    tsa: result.tsa,
    trustAnchor: givenTrustAnchorPem ? "given" : "embedded",
    failure: null,
    note: `timestamp: ${result.tsa} attests the checkpoint existed at ${result.genTime.toISOString()} (checked against ${source})`,
  };
}
