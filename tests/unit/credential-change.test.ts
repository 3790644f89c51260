// The credential-change mark's rule, as the receipt, the pack and the offline verifier apply it.
import { expect, test } from "vitest";
import { credentialChangeMark } from "../../app/audit/credential-change";

const entry = (seq: number, at: string, actor: string | null, over: Record<string, unknown> = {}) => ({
  seq,
  at,
  actor_id: actor,
  action: "person.password_changed",
  subject_type: "user",
  subject_id: "usr_pat",
  data_json: JSON.stringify({ via: "invitation" }),
  ...over,
});
const signedAt = (at: string, over: Record<string, unknown> = {}) => ({ user_id: "usr_pat", signed_at: at, ...over });

test("a password set through someone else's link marks a signature up to exactly 24 hours later", () => {
  const entries = [entry(7, "2027-03-01T10:00:00.000Z", "usr_hr")];
  expect(credentialChangeMark(entries, signedAt("2027-03-02T10:00:00.000Z"))).toEqual({ at: "2027-03-01T10:00:00.000Z", kind: "invitation", started_by: "usr_hr", audit_seq: 7, within_hours: 24 });
  expect(credentialChangeMark(entries, signedAt("2027-03-02T10:00:00.001Z"))).toBeNull();
  // A change after the signature does not mark it.
  expect(credentialChangeMark(entries, signedAt("2027-03-01T09:59:59.999Z"))).toBeNull();
});

test("the person's own change, someone else's account, another action or a paper original never mark", () => {
  expect(credentialChangeMark([entry(1, "2027-03-01T10:00:00.000Z", "usr_pat")], signedAt("2027-03-01T11:00:00.000Z"))).toBeNull();
  expect(credentialChangeMark([entry(1, "2027-03-01T10:00:00.000Z", null)], signedAt("2027-03-01T11:00:00.000Z"))).toBeNull();
  expect(credentialChangeMark([entry(1, "2027-03-01T10:00:00.000Z", "usr_hr", { subject_id: "usr_other" })], signedAt("2027-03-01T11:00:00.000Z"))).toBeNull();
  expect(credentialChangeMark([entry(1, "2027-03-01T10:00:00.000Z", "usr_hr", { action: "person.invitation_started" })], signedAt("2027-03-01T11:00:00.000Z"))).toBeNull();
  expect(credentialChangeMark([entry(1, "2027-03-01T10:00:00.000Z", "usr_hr")], signedAt("2027-03-01T11:00:00.000Z", { recorded_by: "usr_hr" }))).toBeNull();
});

test("of several changes, the latest in the window is the one named; a reset is a reset", () => {
  const entries = [
    entry(3, "2027-03-01T08:00:00.000Z", "usr_hr"),
    entry(9, "2027-03-01T12:00:00.000Z", "usr_hr2", { data_json: JSON.stringify({ via: "reset" }) }),
    entry(11, "2027-03-01T13:00:00.000Z", "usr_pat"),
  ];
  expect(credentialChangeMark(entries, signedAt("2027-03-01T14:00:00.000Z"))).toMatchObject({ audit_seq: 9, kind: "reset", started_by: "usr_hr2" });
});
