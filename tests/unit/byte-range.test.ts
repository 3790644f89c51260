import { expect, test } from "vitest";
import { byteRange } from "../../app/http/byte-range.server";

test("the byte ranges a video player asks for", () => {
  expect(byteRange(null, 100)).toBe("whole");
  expect(byteRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
  expect(byteRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
  expect(byteRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
  expect(byteRange("bytes=50-500", 100)).toEqual({ start: 50, end: 99 });
  expect(byteRange("bytes=-500", 100)).toEqual({ start: 0, end: 99 });
});

test("a range that cannot be served is 416; one that is not understood gets the whole file", () => {
  expect(byteRange("bytes=100-", 100)).toBe("unsatisfiable");
  expect(byteRange("bytes=9-5", 100)).toBe("unsatisfiable");
  expect(byteRange("bytes=-0", 100)).toBe("unsatisfiable");
  expect(byteRange("bytes=0-1,5-9", 100)).toBe("whole");
  expect(byteRange("items=0-9", 100)).toBe("whole");
  expect(byteRange("bytes=-", 100)).toBe("whole");
});
