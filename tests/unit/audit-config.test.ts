// The audit log's anchoring settings, validated at boot like every other setting.
import path from "node:path";
import { expect, test } from "vitest";
import { readConfig } from "../../app/config.server";

const base = { NODE_ENV: "test", APP_SECRET: "x".repeat(40), DATA_DIR: "/tmp/confidant-config-test" } as const;

test("by default the log is named after the app's host and anchored in DATA_DIR, with no TSA", () => {
  const c = readConfig({ ...base, APP_ORIGIN: "https://confidant.example.com" });
  expect(c.audit).toEqual({ origin: "confidant.example.com/audit-log", anchorFile: path.resolve("/tmp/confidant-config-test/audit-anchors.jsonl"), tsaUrl: null, tsaCaFile: null });
});

test("TSA_URL, TSA_CA_FILE, AUDIT_ANCHOR_FILE and AUDIT_LOG_ORIGIN are taken as given", () => {
  const c = readConfig({ ...base, TSA_URL: "http://tsa.example/tsr", TSA_CA_FILE: "/etc/tsa-ca.pem", AUDIT_ANCHOR_FILE: "/mnt/anchors.jsonl", AUDIT_LOG_ORIGIN: "acme.example/confidant" });
  expect(c.audit).toEqual({ origin: "acme.example/confidant", anchorFile: "/mnt/anchors.jsonl", tsaUrl: "http://tsa.example/tsr", tsaCaFile: "/etc/tsa-ca.pem" });
});

test("a log name with spaces or a TSA_URL that is not a URL stops the boot with a clear message", () => {
  expect(() => readConfig({ ...base, AUDIT_LOG_ORIGIN: "my log" })).toThrow(/AUDIT_LOG_ORIGIN: one word, no spaces/);
  expect(() => readConfig({ ...base, TSA_URL: "not a url" })).toThrow(/TSA_URL/);
});
