import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parseWorkflow } from "./parse.js";

/** testdata/workflows/<name>.expected.json beside <name>.yml. */
interface Expected {
  /** Is a workflow model returned at all? */
  workflow: boolean;
  /** Exactly these diagnostics, in order; `message` is a substring. */
  diagnostics: { code: string; severity: string; line?: number; col?: number; message?: string }[];
  /** A partial model: every key given must match; arrays must have the same length. */
  model?: unknown;
}

const dir = new URL("../../testdata/workflows/", import.meta.url);

/** Asserts `actual` contains `expected` (objects: listed keys only; arrays: same length, items partial). */
function assertSubset(actual: unknown, expected: unknown, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} is not a list`);
    assert.equal(actual.length, expected.length, `${path} length`);
    expected.forEach((e, i) => {
      assertSubset(actual[i], e, `${path}[${i}]`);
    });
  } else if (expected !== null && typeof expected === "object") {
    assert.ok(actual !== null && typeof actual === "object", `${path} is not a mapping`);
    for (const [k, v] of Object.entries(expected))
      assertSubset((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".yml"))
  .sort();

describe("testdata/workflows", () => {
  test("every workflow case has its expected diagnostics file", () => {
    for (const f of cases) assert.ok(readdirSync(dir).includes(f.replace(/\.yml$/, ".expected.json")), f);
  });

  for (const file of cases) {
    test(`parses ${file} into the expected model and diagnostics`, () => {
      const expected = JSON.parse(
        readFileSync(new URL(file.replace(/\.yml$/, ".expected.json"), dir), "utf8"),
      ) as Expected;
      const result = parseWorkflow(readFileSync(new URL(file, dir), "utf8"), file);
      assert.equal(result.workflow !== undefined, expected.workflow, "workflow presence");
      const got = result.diagnostics.map((d) => `${d.code} ${d.severity} ${d.line}:${d.col}`);
      const want = expected.diagnostics.map((d) => `${d.code} ${d.severity} ${d.line}:${d.col}`);
      assert.deepEqual(got, want);
      expected.diagnostics.forEach((d, i) => {
        const actual = result.diagnostics[i];
        assert.equal(actual?.file, file);
        if (d.message) assert.ok(actual?.message.includes(d.message), `'${actual?.message}' lacks '${d.message}'`);
      });
      if (expected.model !== undefined) assertSubset(result.workflow, expected.model, "workflow");
    });
  }
});

describe("parseWorkflow", () => {
  test("keeps `on` a string key under YAML 1.2 and accepts a YAML 1.1 boolean key", () => {
    const plain = parseWorkflow("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: 'true'}]\n", "a.yml");
    assert.deepEqual(plain.workflow?.on, { push: {} });
    const legacy = parseWorkflow("true: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: 'true'}]\n", "b.yml");
    assert.deepEqual(legacy.workflow?.on, { push: {} });
  });

  test("reports a missing `on` at the document start", () => {
    const r = parseWorkflow("jobs:\n  a:\n    runs-on: x\n    steps: [{run: 'true'}]\n", "c.yml");
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line, d.col]),
      [["on-missing", 1, 1]],
    );
  });

  test("normalises schedule crons to a list under `cron`", () => {
    const r = parseWorkflow(
      "on:\n  schedule:\n    - cron: '0 1 * * *'\njobs:\n  a:\n    runs-on: x\n    steps: [{run: 'true'}]\n",
      "d.yml",
    );
    assert.deepEqual(r.workflow?.on, { schedule: { cron: ["0 1 * * *"] } });
  });

  test("treats an empty document as not a mapping", () => {
    const r = parseWorkflow("", "e.yml");
    assert.equal(r.workflow, undefined);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ["not-a-mapping"],
    );
  });
});
