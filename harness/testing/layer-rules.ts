import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, sep } from "node:path";
import ts from "typescript";

/**
 * The layers of docs/architecture.md, lowest first. A file may import its own layer and the layers below it;
 * `bench/` and `bin/` stand above all of them; `examples/` are independent peers written from the spec alone: they
 * import nothing of hilfarm, and only tests import them.
 */
export const layers = ["harness", "emulators", "reports", "scenarios", "cli"] as const;
const tools = ["bench", "bin"];
const peers = ["examples"];

export interface ImportEdge {
  /** Repository-relative path of the importing file, `/`-separated. */
  file: string;
  /** The specifier as written. */
  specifier: string;
  /** Repository-relative path it resolves to. */
  target: string;
  line: number;
}

export interface LayerViolation extends ImportEdge {
  rule: string;
}

/** Every relative import of one source text: static, re-exports, `import()` calls and `import("...")` types. */
export function importsOf(file: string, source: string): ImportEdge[] {
  const parsed = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (literal: ts.Node): void => {
    if (!ts.isStringLiteralLike(literal) || !literal.text.startsWith(".")) return;
    const target = normalize(join(dirname(file), literal.text))
      .split(sep)
      .join("/");
    const line = parsed.getLineAndCharacterOfPosition(literal.getStart()).line + 1;
    edges.push({ file, specifier: literal.text, target, line });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      add(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [first] = node.arguments;
      if (first !== undefined) add(first);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(parsed);
  return edges;
}

const isTest = (file: string): boolean => /\.(test|check|bench)\.ts$/.test(file);
const inTesting = (file: string): boolean => file.split("/").includes("testing");
const topOf = (file: string): string => file.split("/")[0] ?? "";

/** The one rule an import breaks, if any. */
export function ruleBroken(edge: ImportEdge): string | undefined {
  const from = topOf(edge.file);
  const to = topOf(edge.target);
  if (peers.includes(from)) {
    return peers.includes(to)
      ? undefined
      : `${from}/ is written from the spec alone and imports nothing of hilfarm`;
  }
  if (tools.includes(from)) return undefined;
  const fromLayer = layers.indexOf(from as (typeof layers)[number]);
  const toLayer = layers.indexOf(to as (typeof layers)[number]);
  if (fromLayer >= 0 && toLayer > fromLayer) return `${from}/ may not import ${to}/ (a layer above it)`;
  // Tests may run against the independent peers of examples/, the way a user's own client would.
  if (peers.includes(to) && isTest(edge.file)) return undefined;
  if (toLayer < 0 && to !== from) return `${from}/ may not import ${to}/`;
  if (inTesting(edge.target) && !isTest(edge.file) && !inTesting(edge.file)) {
    return "testing/ support is for tests only";
  }
  return undefined;
}

export function layerViolations(edges: Iterable<ImportEdge>): LayerViolation[] {
  const found: LayerViolation[] = [];
  for (const edge of edges) {
    const rule = ruleBroken(edge);
    if (rule !== undefined) found.push({ ...edge, rule });
  }
  return found;
}

/** `harness/protocol` -> the folders it imports, for the folder-cycle check. */
export function folderGraph(edges: Iterable<ImportEdge>, depth = 2): Map<string, Set<string>> {
  const folderOf = (file: string): string => file.split("/").slice(0, depth).join("/");
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (isTest(edge.file) || inTesting(edge.file)) continue;
    const a = folderOf(edge.file);
    const b = folderOf(edge.target);
    if (a === b || a.split("/").length < depth || b.split("/").length < depth) continue;
    const targets = graph.get(a) ?? new Set<string>();
    targets.add(b);
    graph.set(a, targets);
  }
  return graph;
}

/** Cycles among folders, each as the path that closes it (`a -> b -> a`). */
export function folderCycles(graph: Map<string, Set<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    path.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), next].join(" -> "));
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

/** Every TypeScript and JavaScript source under the given top-level folders of `root`. */
export function sourceFiles(
  root: string,
  folders: readonly string[],
): Array<{ file: string; source: string }> {
  const found: Array<{ file: string; source: string }> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "out" || entry.name.startsWith(".")) continue;
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|mjs|js)$/.test(entry.name)) {
        found.push({ file: path, source: readFileSync(join(root, path), "utf8") });
      }
    }
  };
  for (const folder of folders) walk(folder);
  return found;
}

export const checkedFolders = [...layers, ...tools, ...peers];

export function describeViolation(violation: LayerViolation): string {
  return `${violation.file}:${violation.line} imports "${violation.specifier}" (${violation.target}): ${violation.rule}`;
}
