// Course and policy MDX is content, never code: Markdown, the registered components and
// literal attribute values only (docs/decisions/023-mdx-without-code.md). The same rule runs
// in `courses:check` (through analyzeMdx) and inside the compiler (as a remark step), so
// nothing that reaches the server can run JavaScript, whatever path compiles it.

export interface SafetyProblem {
  line: number;
  message: string;
}

/** Lower-case HTML an author may write: inline wording only, never layout or behaviour. */
export const ALLOWED_HTML = ["abbr", "br", "kbd", "mark", "small", "sub", "sup"] as const;
const ALLOWED_HTML_ATTRIBUTES = new Set(["title", "lang", "dir"]);
/** URL schemes a Markdown link may use; a link without a scheme stays on this site. */
const LINK_SCHEMES = new Set(["http", "https", "mailto", "tel"]);
const URL_ATTRIBUTES = new Set(["href", "src", "poster", "captions", "transcript", "cite", "action", "formaction", "background", "xlink:href"]);

type EstreeNode = {
  type: string;
  value?: unknown;
  regex?: unknown;
  operator?: string;
  argument?: EstreeNode;
  elements?: Array<EstreeNode | null>;
  properties?: EstreeNode[];
  key?: EstreeNode;
  computed?: boolean;
  method?: boolean;
  shorthand?: boolean;
  kind?: string;
  expression?: EstreeNode;
  body?: EstreeNode[];
};

export type MdastNode = {
  type: string;
  name?: string | null;
  url?: string;
  attributes?: Array<{ type: string; name?: string; value?: unknown; data?: { estree?: EstreeNode } }>;
  children?: MdastNode[];
  data?: { estree?: EstreeNode };
  position?: { start: { line: number } };
};

/** A literal written as an attribute value: a string, number, boolean or null, a negative
 * number, or an array / plain object of those. Anything else is code. */
export function isLiteral(node: EstreeNode | null | undefined): boolean {
  if (!node) return false;
  switch (node.type) {
    case "Literal":
      return node.regex === undefined && (node.value === null || ["string", "number", "boolean"].includes(typeof node.value));
    case "UnaryExpression":
      return node.operator === "-" && node.argument?.type === "Literal" && typeof node.argument.value === "number";
    case "ArrayExpression":
      return (node.elements ?? []).every((e) => e !== null && isLiteral(e));
    case "ObjectExpression":
      return (node.properties ?? []).every(
        (p) =>
          p.type === "Property" &&
          p.kind === "init" &&
          !p.computed &&
          !p.method &&
          !p.shorthand &&
          (p.key?.type === "Identifier" || (p.key?.type === "Literal" && typeof p.key.value === "string")) &&
          isLiteral(p.value as EstreeNode),
      );
    default:
      return false;
  }
}

/** The one expression of `{…}`, or null when it is anything but a single expression. */
function onlyExpression(program: EstreeNode | undefined): EstreeNode | null {
  const body = program?.body ?? [];
  return body.length === 1 && body[0].type === "ExpressionStatement" ? (body[0].expression ?? null) : null;
}

function isCommentOnly(node: MdastNode): boolean {
  return (node.data?.estree?.body ?? ["?"]).length === 0;
}

function scheme(url: string): string | null {
  // Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
  const cleaned = url.replace(/[\u0000-\u0020\u007f]/g, "");
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(cleaned);
  return m ? m[1].toLowerCase() : null;
}

const FORBIDDEN_ELEMENT: Record<string, string> = {
  script: "<script> is not allowed: course content never runs code. Describe the step in words, or use <Scenario> for a choice",
  style: "<style> is not allowed: the app styles every course. Use **bold**, lists or <Callout> for emphasis",
  iframe: '<iframe> is not allowed: courses embed nothing from elsewhere. Use <Video src="…" captions="…" transcript="…" /> with files in the course folder, or a link [text](https://…)',
  object: '<object> is not allowed: use <Figure src="…" alt="…" /> or <Video …/> with files in the course folder',
  embed: '<embed> is not allowed: use <Figure src="…" alt="…" /> or <Video …/> with files in the course folder',
};

function elementProblems(n: MdastNode, line: number, problems: SafetyProblem[]) {
  const name = n.name ?? "";
  const shown = name ? `<${name}>` : "<>…</>";
  const isComponent = /^[A-Z]/.test(name);
  if (!isComponent) {
    const lower = name.toLowerCase();
    if (FORBIDDEN_ELEMENT[lower]) problems.push({ line, message: FORBIDDEN_ELEMENT[lower] });
    else if (!(ALLOWED_HTML as readonly string[]).includes(name))
      problems.push({
        line,
        message: `HTML element ${shown} is not allowed; write Markdown (**bold**, lists, > quotes, [links](https://…)) or use <Callout>. HTML you may use: ${ALLOWED_HTML.map((h) => `<${h}>`).join(", ")}`,
      });
  }
  for (const a of n.attributes ?? []) {
    if (a.type === "mdxJsxExpressionAttribute") {
      problems.push({ line, message: `${shown} spreads a JavaScript value ({...…}); write each attribute out, e.g. kind="tip"` });
      continue;
    }
    const attrName = a.name ?? "";
    if (/^on/i.test(attrName)) {
      problems.push({ line, message: `attribute '${attrName}' on ${shown} is an event handler, which courses may not have; choices are made with <Choice to="…">` });
      continue;
    }
    if (attrName === "dangerouslySetInnerHTML" || attrName === "ref") {
      problems.push({ line, message: `attribute '${attrName}' on ${shown} is not allowed; write the content between the tags` });
      continue;
    }
    if (!isComponent && !ALLOWED_HTML_ATTRIBUTES.has(attrName)) {
      problems.push({ line, message: `attribute '${attrName}' on ${shown} is not allowed; HTML elements take only ${[...ALLOWED_HTML_ATTRIBUTES].join(", ")}` });
      continue;
    }
    const value = a.value as { type?: string; value?: string; data?: { estree?: EstreeNode } } | string | null | undefined;
    if (value && typeof value === "object" && value.type === "mdxJsxAttributeValueExpression") {
      if (!isLiteral(onlyExpression(value.data?.estree)))
        problems.push({
          line,
          message: `attribute '${attrName}' on ${shown} is a JavaScript expression (${attrName}={${String(value.value ?? "").trim()}}); write a literal: ${attrName}="text", ${attrName}={3} or ${attrName}={true}`,
        });
      continue;
    }
    if (typeof value === "string" && URL_ATTRIBUTES.has(attrName.toLowerCase())) {
      const s = scheme(value);
      if (s === "javascript" || s === "vbscript" || s === "data")
        problems.push({ line, message: `attribute '${attrName}' on ${shown} is a ${s}: URL, which is not allowed; name a file in the course folder or an https:// address` });
    }
  }
}

/** Every construct in the tree that could run code or pull in something from outside. */
export function codeProblems(tree: MdastNode, lineOf: (n: MdastNode) => number): SafetyProblem[] {
  const problems: SafetyProblem[] = [];
  const walk = (n: MdastNode) => {
    const line = lineOf(n);
    switch (n.type) {
      case "mdxjsEsm":
        problems.push({ line, message: "import/export statements are not allowed; components are provided" });
        break;
      case "mdxFlowExpression":
      case "mdxTextExpression":
        if (!isCommentOnly(n))
          problems.push({ line, message: "{…} is a JavaScript expression, which course text may not contain; write the words themselves (to show a brace, write \\{)" });
        break;
      case "mdxJsxFlowElement":
      case "mdxJsxTextElement":
        elementProblems(n, line, problems);
        break;
      case "image":
      case "imageReference":
        problems.push({ line, message: 'Markdown images ![…](…) are not allowed; use <Figure src="file.svg" alt="what it shows" caption="…" /> with a file in the course folder' });
        break;
      case "link":
      case "definition": {
        const s = scheme(n.url ?? "");
        if (s && !LINK_SCHEMES.has(s))
          problems.push({ line, message: `a link to '${s}:' is not allowed; links go to https://, mailto:, tel: or a page of this site (/…)` });
        break;
      }
    }
    n.children?.forEach(walk);
  };
  walk(tree);
  return problems;
}

/** The compiler's copy of the rule: a remark step that refuses the whole file (with every
 * problem and its line) before any code is generated. */
export function remarkContentOnly() {
  return (tree: MdastNode) => {
    const problems = codeProblems(tree, (n) => n.position?.start.line ?? 1);
    if (problems.length > 0) throw new UnsafeMdxError(problems);
  };
}

export class UnsafeMdxError extends Error {
  constructor(readonly problems: SafetyProblem[]) {
    super(`course content may not contain code: ${problems.map((p) => `line ${p.line}: ${p.message}`).join("; ")}`);
    this.name = "UnsafeMdxError";
  }
}
