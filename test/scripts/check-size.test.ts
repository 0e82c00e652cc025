import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkSize, countLines, formatProblem, functionsOf } from "../../scripts/check-size.mjs";

const script = fileURLToPath(new URL("../../scripts/check-size.mjs", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "check-size-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A tree under the scratch dir with the given files (path relative to the tree -> text). */
function tree(name: string, files: Record<string, string>): string {
  const root = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** `n` lines of statements, each its own line. */
const filler = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};\n`).join("");
/** A function declaration spanning exactly `n` lines. */
const fn = (name: string, n: number) => `export function ${name}() {\n${filler(n - 2)}}\n`;
/** A file of exactly `n` lines. */
const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const c${i} = ${i};\n`).join("");

test("a tree within every limit has no problems, limits included", () => {
  const root = tree("within", {
    "src/lib/long.ts": lines(400),
    "src/lib/fn.ts": fn("exactlyHundred", 100),
    "src/cli/commands/run.ts": lines(200),
  });
  assert.deepEqual(checkSize(root), []);
});

test("a file over 400 lines fails", () => {
  const root = tree("file", { "src/pool/supervisor.ts": lines(401) });
  assert.deepEqual(checkSize(root).map(formatProblem), [
    "src/pool/supervisor.ts:1: file has 401 lines (max 400) [file]",
  ]);
});

test("a function over 100 lines fails, named and placed", () => {
  const root = tree("function", { "src/runner/task.ts": `// why\n${fn("superviseTask", 101)}` });
  assert.deepEqual(checkSize(root).map(formatProblem), [
    "src/runner/task.ts:2: function superviseTask has 101 lines, 2-102 (max 100) [function]",
  ]);
});

test("a factory counts the closures it returns", () => {
  const body = `  return {\n    start: () => {\n${filler(60)}    },\n    stop() {\n${filler(40)}    },\n  };\n`;
  const root = tree("factory", {
    "src/coordinator/coordinator.ts": `export function createCoordinator() {\n${body}}\n`,
  });
  assert.deepEqual(checkSize(root).map(formatProblem), [
    "src/coordinator/coordinator.ts:1: function createCoordinator has 108 lines, 1-108 (max 100) [function]",
  ]);
});

test("a command file over 200 lines fails, files below commands/ do not", () => {
  const root = tree("command", {
    "src/cli/commands/up.ts": lines(201),
    "src/cli/commands/up/helpers.ts": lines(300),
    "src/cli/assembly.ts": lines(300),
  });
  assert.deepEqual(checkSize(root).map(formatProblem), [
    "src/cli/commands/up.ts:1: command file has 201 lines (max 200) [command]",
  ]);
});

test("tests and generated code are not hand-written code", () => {
  const root = tree("skipped", {
    "src/protocol/gen/runner_pb.ts": lines(900),
    "src/runner/runner.test.ts": `${lines(500)}${fn("table", 150)}`,
  });
  assert.deepEqual(checkSize(root), []);
});

test("finds every kind of function and names the anonymous ones by what holds them", () => {
  const text = [
    "function a() {}",
    "const b = () => 1;",
    "const c = function () {};",
    "class D {",
    "  constructor() {}",
    "  e() {}",
    "  get f() { return 1; }",
    "}",
    "const g = { h: () => {}, i() {} };",
    "[1].map((x) => x);",
    "declare function j(): void;",
  ].join("\n");
  assert.deepEqual(
    functionsOf("x.ts", text).map((f) => `${f.start} ${f.name}`),
    ["1 a", "2 b", "3 c", "5 D.constructor", "6 D.e", "7 D.f", "9 h", "9 i", "10 (anonymous)"],
  );
});

test("counts lines as an editor numbers them", () => {
  assert.equal(countLines(""), 0);
  assert.equal(countLines("a"), 1);
  assert.equal(countLines("a\n"), 1);
  assert.equal(countLines("a\nb"), 2);
});

test("the command exits 1 and lists the problems", () => {
  const root = tree("cli", { "src/lib/big.ts": lines(401) });
  const r = spawnSync(process.execPath, [script, root], { encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /src\/lib\/big\.ts:1: file has 401 lines/);
});
