import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolveDispatchInputs } from "./dispatch-inputs.js";
import type { Workflow } from "./model.js";
import { parseWorkflow } from "./parse.js";

const workflow = ((): Workflow => {
  const r = parseWorkflow(
    `on:
  workflow_dispatch:
    inputs:
      target: { required: true }
      debug: { type: boolean, default: false }
      count: { type: number, default: 3 }
      level: { type: choice, options: [info, warn], default: info }
      note: { type: string }
      flag: { type: boolean }
jobs:
  a:
    runs-on: x
    steps: [{ run: "true" }]
`,
    "d.yml",
  );
  assert.ok(r.workflow);
  return r.workflow;
})();

const codes = (r: ReturnType<typeof resolveDispatchInputs>) => r.diagnostics.map((d) => d.code);

describe("resolveDispatchInputs", () => {
  test("fills defaults and the empty value of each type", () => {
    const r = resolveDispatchInputs(workflow, { target: "prod" });
    assert.deepEqual(codes(r), []);
    assert.deepEqual(r.inputs, { target: "prod", debug: false, count: 3, level: "info", note: "", flag: false });
  });

  test("coerces booleans and numbers from the given strings", () => {
    const r = resolveDispatchInputs(workflow, { target: "x", debug: "TRUE", count: "12.5", level: "warn" });
    assert.deepEqual(codes(r), []);
    assert.equal(r.inputs.debug, true);
    assert.equal(r.inputs.count, 12.5);
    assert.equal(r.inputs.level, "warn");
  });

  test("reports a missing required input", () => {
    const r = resolveDispatchInputs(workflow, {});
    assert.deepEqual(codes(r), ["input-required"]);
    assert.match(r.diagnostics[0]?.message ?? "", /'target'/);
  });

  test("reports values that do not fit the type", () => {
    const r = resolveDispatchInputs(workflow, { target: "x", debug: "yes", count: "many", level: "error" });
    assert.deepEqual(codes(r), ["input-invalid", "input-invalid", "input-invalid"]);
  });

  test("warns about and drops an undeclared input", () => {
    const r = resolveDispatchInputs(workflow, { target: "x", extra: "1" });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity]),
      [["input-unknown", "warning"]],
    );
    assert.equal("extra" in r.inputs, false);
  });

  test("returns no inputs for a workflow without workflow_dispatch inputs", () => {
    const r = parseWorkflow("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{ run: 'true' }]\n", "p.yml");
    assert.ok(r.workflow);
    assert.deepEqual(resolveDispatchInputs(r.workflow, {}).inputs, {});
  });
});
