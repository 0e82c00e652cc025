import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkBoundaries, findCycles, formatProblem, importsOf } from "../../scripts/check-boundaries.mjs";

const fixtures = fileURLToPath(new URL("../../testdata/boundaries/", import.meta.url));
const script = fileURLToPath(new URL("../../scripts/check-boundaries.mjs", import.meta.url));
const check = (tree: string) => checkBoundaries(fixtures + tree).map(formatProblem);

test("a tree that keeps every rule has no problems", () => {
  assert.deepEqual(check("clean"), []);
});

test("an import cycle between files fails and is named as a path back to its first file", () => {
  assert.deepEqual(check("cycle"), [
    "src/workflow/matrix.ts:1: import cycle: src/workflow/matrix.ts -> src/workflow/needs.ts -> " +
      "src/workflow/plan.ts -> src/workflow/matrix.ts [cycle]",
  ]);
});

test("a cycle closed only by an import type still fails", () => {
  assert.deepEqual(check("type-cycle"), [
    "src/workflow/filter-check.ts:1: import cycle: src/workflow/filter-check.ts -> src/workflow/parse.ts -> " +
      "src/workflow/filter-check.ts [cycle]",
  ]);
});

test("a module importing one its row does not list fails", () => {
  assert.deepEqual(check("forbidden-module"), [
    'src/executor/run-job.ts:1: module "executor" may not import "runner" (../runner/index.js) [module]',
  ]);
});

test("an import past another module's index.ts fails", () => {
  assert.deepEqual(check("past-index"), [
    'src/runner/task-runner.ts:1: import "executor" through its index.ts, not ../executor/run-job.js [index]',
  ]);
});

test("product code importing test support fails, a test beside it may", () => {
  assert.deepEqual(check("test-support"), [
    "src/runner/poller.ts:1: only *.test.ts files may import test support (../../test/support/fake-forge.js) [support]",
  ]);
});

test("room code imports only the rooms its row lists and never the files that assemble them; room tests may", () => {
  assert.deepEqual(
    checkBoundaries(`${fixtures}rooms`).map((p) => `${p.rule} ${p.file}:${p.line}`),
    [
      "room src/coordinator/artifacts/artifact-store.ts:2",
      "room src/coordinator/engine/runs.ts:1",
      "cycle src/coordinator/engine/runs.ts:2",
      "room src/coordinator/service/server.ts:1",
      "room src/coordinator/store/db.ts:1",
    ],
  );
});

test("rooms that do not exist yet are not required", () => {
  // The clean tree has store, engine and service but neither git nor artifacts.
  assert.equal(checkBoundaries(`${fixtures}clean`).filter((p) => p.rule === "room").length, 0);
});

test("a folder of src/ that is not on the map fails", () => {
  assert.deepEqual(check("unmapped"), [
    "src/gadgets/index.ts:1: src/gadgets/ is not a module of the map (scripts/check-boundaries.mjs MODULES) [map]",
  ]);
});

test("reads every kind of import: static, type-only, re-export, dynamic and import types", () => {
  const text = [
    'import { a } from "./a.js";',
    'import type { B } from "./b.js";',
    'export * from "./c.js";',
    'const d = await import("./d.js");',
    'type E = typeof import("./e.js");',
    'import "./f.js";',
    '// import { g } from "./g.js";',
    "const h = \"import { h } from './h.js'\";",
  ].join("\n");
  assert.deepEqual(
    importsOf("x.ts", text).map((i) => `${i.line} ${i.spec}`),
    ["1 ./a.js", "2 ./b.js", "3 ./c.js", "4 ./d.js", "5 ./e.js", "6 ./f.js"],
  );
});

test("finds one shortest cycle per tangle and a file importing itself", () => {
  const graph = new Map([
    ["a", [{ to: "b", line: 1 }]],
    [
      "b",
      [
        { to: "c", line: 1 },
        { to: "a", line: 2 },
      ],
    ],
    ["c", [{ to: "a", line: 1 }]],
    ["d", [{ to: "d", line: 1 }]],
    ["e", [{ to: "a", line: 1 }]],
  ]);
  assert.deepEqual(findCycles(graph), [
    ["a", "b", "a"],
    ["d", "d"],
  ]);
});

test("the command exits 1 and lists the problems, 0 on a clean tree", () => {
  const failing = spawnSync(process.execPath, [script, `${fixtures}cycle`], { encoding: "utf8" });
  assert.equal(failing.status, 1);
  assert.match(failing.stderr, /import cycle: src\/workflow\/matrix\.ts -> /);
  const passing = spawnSync(process.execPath, [script, `${fixtures}clean`], { encoding: "utf8" });
  assert.equal(passing.status, 0, passing.stderr);
});
