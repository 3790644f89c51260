// One byte range from a Range header (`bytes=0-1023`, `bytes=1024-`, `bytes=-500`), as browsers
// ask for video. Several ranges are answered with the whole file; a range past the end is 416.
export type ByteRange = { start: number; end: number } | "whole" | "unsatisfiable";

export function byteRange(header: string | null, size: number): ByteRange {
  if (!header) return "whole";
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "whole";
  if (m[1] === "") {
    const suffix = Number(m[2]);
    return suffix === 0 || size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
