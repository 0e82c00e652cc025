#!/usr/bin/env node
// Enforces the size limits of docs/architecture.md on hand-written code in src/ (not gen/, not *.test.ts):
//   file      a file is at most MAX_FILE_LINES lines;
//   function  a function (declaration, expression, arrow, method, constructor, accessor) is at most
//             MAX_FUNCTION_LINES lines from the line it starts on to the line it ends on, nested closures
//             included, so a factory cannot hide its length in the functions it returns;
//   command   a file directly in src/cli/commands/ is at most MAX_COMMAND_LINES lines.
// Tests are left out: a table of cases is long for a good reason.
import { readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { formatProblem, runAsScript, sourceFiles } from "./source-tree.mjs";

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 100;
export const MAX_COMMAND_LINES = 200;

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
  for (const file of sourceFiles(srcDir, { tests: false, skip: ["gen"] })) {
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

export { formatProblem };

runAsScript(import.meta.url, "check-size", checkSize, "the limits are in docs/architecture.md");
