#!/usr/bin/env node
// Enforces the dependency rules of docs/architecture.md on src/:
//   module   a module imports only the modules its row of MODULES lists (cli: all of them);
//   index    modules meet through index.ts (protocol/gen/ is generated and may be imported directly);
//   room     inside the coordinator a room's code (not its tests) imports only the rooms its row of ROOMS lists;
//   support  only *.test.ts files in src/ import from test/;
//   map      every folder under src/ is a module of the table;
//   cycle    no import cycle between files of src/.
// Every import counts, `import type` and `import()` included: a cycle made only of types still ties two
// files together, so neither can be understood or moved without the other.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { formatProblem, runAsScript, SOURCE, sourceFiles } from "./source-tree.mjs";

/** Which modules each module of src/ may import. */
export const MODULES = {
  lib: [],
  workflow: ["lib"],
  protocol: ["lib"],
  config: ["lib", "workflow"],
  executor: ["lib", "workflow"],
  runner: ["lib", "protocol", "executor", "workflow"],
  coordinator: ["lib", "protocol", "workflow"],
  pool: ["lib", "runner", "executor", "protocol", "workflow"],
  migrate: ["lib", "workflow"],
  // The operator API and metrics: they get the forge and the pool as ports the cli binds (web declares them).
  web: ["lib"],
  cli: ["lib", "config", "protocol", "workflow", "executor", "runner", "coordinator", "pool", "migrate", "web"],
};

/**
 * Rooms of a module: which other rooms of the same module each room may import. Files directly in the
 * module folder (coordinator.ts, ports.ts, index.ts) assemble the rooms and may import all of them. A room
 * that does not exist yet has no files and so nothing to check; a subfolder that is not a room is not checked.
 */
export const ROOMS = {
  coordinator: {
    store: [],
    engine: ["store"],
    service: ["engine", "store"],
    git: ["engine", "store"],
    artifacts: ["store"],
  },
};

/** Folders inside a module that other modules may import directly, besides index.ts. */
const OPEN_FOLDERS = { protocol: ["gen"] };

/** Relative module specifiers of one file, with the line each is on. */
export function importsOf(fileName, text) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const add = (node, literal) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ spec: literal.text, line });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file a relative specifier names (`./x.js` is `./x.ts`), or undefined when it is not a source file. */
function resolveFile(fromFile, spec, exists) {
  const base = resolve(dirname(fromFile), spec);
  const stem = base.replace(/\.(?:m|c)?js$/, "");
  const candidates = [base, `${stem}.ts`, `${stem}.mts`, `${stem}.cts`, `${stem}.tsx`, join(base, "index.ts")];
  return candidates.find((c) => SOURCE.test(c) && exists(c));
}

function isTestFile(file) {
  return /\.test\.(?:ts|mts|tsx)$/.test(file);
}

/**
 * Checks the tree under `root` (which holds src/ and maybe test/) and returns every problem found, sorted by
 * file and line; an empty list means the rules hold. Paths in problems are relative to `root` with `/`.
 */
export function checkBoundaries(root) {
  const rootDir = resolve(root);
  const srcDir = join(rootDir, "src");
  const testDir = join(rootDir, "test");
  const files = sourceFiles(srcDir);
  const known = new Set(files);
  const exists = (p) => known.has(p) || safeIsFile(p);
  const show = (p) => relative(rootDir, p).split(sep).join("/");
  const problems = [];
  const report = (rule, file, line, message) => problems.push({ rule, file: show(file), line, message });
  const graph = new Map();
  const unknownModules = new Set();

  for (const file of files) {
    const fromParts = relative(srcDir, file).split(sep);
    const from = fromParts.length > 1 ? fromParts[0] : "";
    if (!(from in MODULES) && !unknownModules.has(from)) {
      unknownModules.add(from);
      const where = from === "" ? "files directly in src/" : `src/${from}/`;
      report("map", file, 1, `${where} is not a module of the map (scripts/check-boundaries.mjs MODULES)`);
    }
    const edges = [];
    graph.set(file, edges);
    for (const { spec, line } of importsOf(file, readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec);
      if (target === testDir || target.startsWith(testDir + sep)) {
        if (!isTestFile(file)) report("support", file, line, `only *.test.ts files may import test support (${spec})`);
        continue;
      }
      if (!target.startsWith(srcDir + sep)) continue;
      const resolved = resolveFile(file, spec, exists);
      if (resolved && known.has(resolved)) edges.push({ to: resolved, line });
      const toParts = relative(srcDir, target).split(sep);
      const to = toParts[0];
      if (to === from) {
        // A room's test may drive the assembled coordinator: the harness in test/support does the same.
        if (isTestFile(file)) continue;
        checkRoom(from, fromParts, toParts, (message) => report("room", file, line, `${message} (${spec})`));
        continue;
      }
      if (!(from in MODULES)) continue;
      if (!MODULES[from].includes(to)) {
        report("module", file, line, `module "${from}" may not import "${to}" (${spec})`);
        continue;
      }
      const inner = toParts.slice(1).join("/");
      const throughIndex = inner === "" || /^index(?:\.[mc]?[jt]s)?$/.test(inner);
      const open = (OPEN_FOLDERS[to] ?? []).some((f) => inner.startsWith(`${f}/`));
      if (!throughIndex && !open) report("index", file, line, `import "${to}" through its index.ts, not ${spec}`);
    }
  }

  for (const cycle of findCycles(graph)) {
    const [first, second] = cycle;
    const line = graph.get(first).find((e) => e.to === second)?.line ?? 1;
    report("cycle", first, line, `import cycle: ${cycle.map(show).join(" -> ")}`);
  }

  problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  return problems;
}

function safeIsFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The room rule for an import inside one module; `fail` is called with the reason when it is broken. */
function checkRoom(module, fromParts, toParts, fail) {
  const rooms = ROOMS[module];
  if (!rooms) return;
  // fromParts/toParts: [module, room?, ..., file]; a file directly in the module folder has length 2.
  const fromRoom = fromParts.length > 2 ? fromParts[1] : undefined;
  const toRoom = toParts.length > 2 ? toParts[1] : undefined;
  if (fromRoom === undefined || !(fromRoom in rooms) || fromRoom === toRoom) return;
  if (toRoom === undefined) {
    fail(`room "${module}/${fromRoom}" may not import the top-level files of "${module}" (they assemble the rooms)`);
  } else if (!rooms[fromRoom].includes(toRoom)) {
    const may = rooms[fromRoom].length === 0 ? "no other room" : rooms[fromRoom].join(", ");
    fail(`room "${module}/${fromRoom}" may not import "${module}/${toRoom}" (it may import: ${may})`);
  }
}

/**
 * One cycle per strongly connected component of the graph (Tarjan), as a path that starts and ends at the
 * component's first file in sort order and is as short as any through that file.
 */
export function findCycles(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let next = 0;
  const nodes = [...graph.keys()].sort();
  for (const start of nodes) {
    if (index.has(start)) continue;
    // Iterative Tarjan: the call stack of a recursive one would overflow on long import chains.
    const work = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++].to;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(to)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component = [];
        let n;
        do {
          n = stack.pop();
          onStack.delete(n);
          component.push(n);
        } while (n !== frame.node);
        const selfLoop = edges.some((e) => e.to === frame.node);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components.map((c) => shortestCycle(graph, c)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function shortestCycle(graph, component) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    for (const { to } of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let n = node; n !== start; n = previous.get(n)) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

export { formatProblem };

runAsScript(import.meta.url, "check-boundaries", checkBoundaries, "the rules are in docs/architecture.md");
