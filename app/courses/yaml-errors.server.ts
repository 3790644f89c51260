// Where a YAML syntax error really is. The parser reports where it gave up, which for an unclosed
// quote or bracket is the start of a later line (often the end of the file); the author's mistake
// is in the key whose value swallowed those lines. Messages drop the parser's own "at line …",
// whose numbers count from the start of the YAML rather than of the file.
import { isNode, visit, type Document, type LineCounter, type YAMLError } from "yaml";

export function yamlErrorLine(doc: Document, lineCounter: LineCounter, error: YAMLError): number {
  const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
  if (at.col !== 1) return at.line;
  let best: number | null = null;
  visit(doc, {
    Pair(_key, pair) {
      const start = isNode(pair.key) ? pair.key.range?.[0] : undefined;
      const end = isNode(pair.value) ? pair.value.range?.[1] : isNode(pair.key) ? pair.key.range?.[1] : undefined;
      if (start === undefined || end === undefined || start > error.pos[0] || error.pos[0] > end) return;
      const line = lineCounter.linePos(start).line;
      if (line < at.line && (best === null || line >= best)) best = line;
    },
  });
  return best ?? at.line;
}

export function yamlErrorText(error: YAMLError): string {
  return error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}
