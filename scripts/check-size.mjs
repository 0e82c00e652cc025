#!/usr/bin/env node
// Enforces the size limits of docs/architecture.md on hand-written code in src/ (not gen/, not *.test.ts):
//   file      a file is at most MAX_FILE_LINES lines;
//   function  a function (declaration, expression, arrow, method, constructor, accessor) is at most
//             MAX_FUNCTION_LINES lines from the line it starts on to the line it ends on, nested closures
//             included, so a factory cannot hide its length in the functions it returns;
//   command   a file directly in src/cli/commands/ is at most MAX_COMMAND_LINES lines.
// Tests are left out: a table of cases is long for a good reason.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 100;
export const MAX_COMMAND_LINES = 200;

function walk(dir, acc) {
  let names;
  try {
    names = readdirSync(dir).sort();
  } catch {
    return acc;
  }
  for (const name of names) {
    if (name === "node_modules" || name === "gen") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (/\.(?:ts|mts|cts|tsx)$/.test(name) && !/\.test\.[mc]?tsx?$/.test(name) && !name.endsWith(".d.ts"))
      acc.push(p);
  }
  return acc;
}

/** Lines of a text as an editor numbers them: a final newline does not start another line. */
export function countLines(text) {
  if (text === "") return 0;
  const n = text.split("\n").length;
  return text.endsWith("\n") ? n - 1 : n;
}

/** Every function with a body in a source text: its name, first and last line (1-based) and length. */
export function functionsOf(fileName, text) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      found.push({ name: nameOf(node), start, end, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function nameOf(node) {
  if (ts.isConstructorDeclaration(node)) return `${classNameOf(node)}constructor`;
  if (node.name && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name) || ts.isStringLiteral(node.name)))
    return ts.isMethodDeclaration(node) || ts.isAccessor(node)
      ? `${classNameOf(node)}${node.name.text}`
      : node.name.text;
  // An anonymous function takes the name of what it is assigned to: `const f = () => {}`, `{ f: () => {} }`.
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  )
    if (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name)) return parent.name.text;
  return "(anonymous)";
}

function classNameOf(node) {
  const owner = node.parent;
  return owner && ts.isClassLike(owner) && owner.name ? `${owner.name.text}.` : "";
}

/**
 * Checks the hand-written files under `root`/src and returns every problem, sorted by file and line; an empty
 * list means every limit holds. Paths in problems are relative to `root` with `/`.
 */
export function checkSize(root) {
  const rootDir = resolve(root);
  const srcDir = join(rootDir, "src");
  const commandsDir = join(srcDir, "cli", "commands");
  const problems = [];
  for (const file of walk(srcDir, [])) {
    const shown = relative(rootDir, file).split(sep).join("/");
    const text = readFileSync(file, "utf8");
    const lines = countLines(text);
    const inCommands =
      relative(commandsDir, file).split(sep).length === 1 && !relative(commandsDir, file).startsWith("..");
    if (inCommands && lines > MAX_COMMAND_LINES)
      problems.push({
        rule: "command",
        file: shown,
        line: 1,
        lines,
        message: `command file has ${lines} lines (max ${MAX_COMMAND_LINES})`,
      });
    else if (lines > MAX_FILE_LINES)
      problems.push({
        rule: "file",
        file: shown,
        line: 1,
        lines,
        message: `file has ${lines} lines (max ${MAX_FILE_LINES})`,
      });
    for (const f of functionsOf(file, text)) {
      if (f.lines <= MAX_FUNCTION_LINES) continue;
      problems.push({
        rule: "function",
        file: shown,
        line: f.start,
        lines: f.lines,
        message: `function ${f.name} has ${f.lines} lines, ${f.start}-${f.end} (max ${MAX_FUNCTION_LINES})`,
      });
    }
  }
  problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  return problems;
}

export function formatProblem(p) {
  return `${p.file}:${p.line}: ${p.message} [${p.rule}]`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const problems = checkSize(process.argv[2] ?? ".");
  if (problems.length > 0) {
    console.error(problems.map(formatProblem).join("\n"));
    console.error(`check-size: ${problems.length} problem(s); the limits are in docs/architecture.md`);
    process.exit(1);
  }
}
