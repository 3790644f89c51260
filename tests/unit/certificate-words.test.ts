// The certificate names the cycle in words, and its own name only where it adds something.
import { expect, test } from "vitest";
import { cycleWords } from "../../app/recognition/certificate.server";

test("a cycle named after its reason is not repeated; a named cycle is shown in brackets", () => {
  expect(cycleWords({ reason: "onboarding", cycle: "onboarding" })).toBe("Onboarding");
  expect(cycleWords({ reason: "annual", cycle: "renewal-2027" })).toBe("Annual renewal (renewal-2027)");
  expect(cycleWords({ reason: "manual", cycle: "incident-2027-03" })).toBe("Assigned by HR (incident-2027-03)");
});
