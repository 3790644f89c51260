// An instance key and anchor settings for tests of the anchored audit log.
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fromPrivateKey, type InstanceKey } from "../../app/keys/instance-key.server";
import type { AuditAnchorConfig } from "../../app/config.server";

export function testAnchors(over: Partial<AuditAnchorConfig> = {}): { key: InstanceKey; anchors: AuditAnchorConfig; dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-anchors-"));
  const key = fromPrivateKey(generateKeyPairSync("ed25519").privateKey);
  fs.writeFileSync(path.join(dir, "instance-key.pem"), key.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 });
  return {
    key,
    dir,
    anchors: { origin: "confidant.test/audit-log", anchorFile: path.join(dir, "audit-anchors.jsonl"), tsaUrl: null, tsaCaFile: null, ...over },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
