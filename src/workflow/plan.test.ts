import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import type { Workflow } from "./model.js";
import { parseWorkflow } from "./parse.js";
import { type PlanContext, planJob, planJobs } from "./plan.js";

const ctx: PlanContext = {
  github: { ref: "refs/heads/main", ref_name: "main", event_name: "push" },
  vars: { RUNNER: "big" },
  inputs: {},
};

function workflowOf(source: string): Workflow {
  const r = parseWorkflow(source, "ci.yml");
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, []);
  assert.ok(r.workflow);
  return r.workflow;
}

type PayloadDoc = { jobs: Record<string, Record<string, unknown>> } & Record<string, unknown>;

const MATRIX_WORKFLOW = `name: CI
run-name: build \${{ github.ref_name }}
on: push
env: { A: "1" }
defaults: { run: { shell: bash } }
permissions: { contents: read }
concurrency: ci
jobs:
  lint:
    runs-on: \${{ vars.RUNNER }}
    steps: [{ run: "true" }]
  build:
    needs: lint
    runs-on: [self-hosted, "\${{ matrix.os }}"]
    continue-on-error: \${{ matrix.node == 20 }}
    strategy:
      fail-fast: false
      matrix:
        os: [linux, mac]
        node: [18, 20]
        exclude: [{ os: mac, node: 18 }]
        include: [{ os: linux, node: 20, npm: 10 }]
    steps: [{ run: "echo \${{ matrix.os }}" }]
`;

describe("planJobs", () => {
  planningTests();
  deferredAndFailedTests();
});

/** Jobs, matrix combinations, names, runs-on and payloads of a plan. */
function planningTests(): void {
  test("plans a job without a matrix under its id with the labels as written", () => {
    const wf = workflowOf("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{ run: 'true' }]\n");
    const { jobs, diagnostics } = planJobs(wf, ctx);
    assert.deepEqual(diagnostics, []);
    assert.equal(jobs.length, 1);
    assert.deepEqual(
      { ...jobs[0], payload: undefined },
      { jobId: "test", name: "test", matrix: {}, runsOn: ["ubuntu-latest"], needs: [], payload: undefined },
    );
  });

  test("expands the matrix into one job per combination named like Gitea, sorted by that name", () => {
    const { jobs } = planJobs(workflowOf(MATRIX_WORKFLOW), ctx);
    assert.deepEqual(
      jobs.map((j) => [j.jobId, j.name, j.runsOn]),
      [
        ["lint", "lint", ["big"]],
        ["build", "build (18, linux)", ["self-hosted", "linux"]],
        ["build", "build (20, 10, linux)", ["self-hosted", "linux"]],
        ["build", "build (20, mac)", ["self-hosted", "mac"]],
      ],
    );
    assert.deepEqual(jobs[2]?.matrix, { os: "linux", node: 20, npm: 10 });
    assert.deepEqual(jobs[2]?.needs, ["lint"]);
  });

  test("writes a single-job payload with needs erased and the matrix pinned", () => {
    const { jobs } = planJobs(workflowOf(MATRIX_WORKFLOW), ctx);
    const build = jobs.find((j) => j.name === "build (20, 10, linux)");
    assert.ok(build);
    const doc = parse(build.payload) as PayloadDoc;
    assert.deepEqual(Object.keys(doc), ["name", "on", "env", "defaults", "permissions", "run-name", "jobs"]);
    assert.equal(doc["run-name"], "build main");
    assert.deepEqual(Object.keys(doc.jobs), ["build"]);
    const job = doc.jobs.build ?? {};
    assert.equal(job.needs, undefined);
    assert.equal(job.name, "build (20, 10, linux)");
    assert.deepEqual(job["runs-on"], ["self-hosted", "linux"]);
    assert.deepEqual(job.strategy, { "fail-fast": false, matrix: { os: ["linux"], node: [20], npm: [10] } });
    assert.equal(job["continue-on-error"], true);
    assert.deepEqual(job.steps, [{ run: `echo \${{ matrix.os }}` }]);
  });

  test("writes a single label as a scalar runs-on in the payload", () => {
    const { jobs } = planJobs(workflowOf(MATRIX_WORKFLOW), ctx);
    const doc = parse(jobs[0]?.payload ?? "") as PayloadDoc;
    assert.equal(doc.jobs.lint?.["runs-on"], "big");
  });

  test("interpolates a name holding an expression instead of appending the combination", () => {
    const wf = workflowOf(
      `on: push\njobs:\n  t:\n    name: Test on \${{ matrix.os }}\n    runs-on: x\n    strategy: { matrix: { os: [a, b] } }\n    steps: [{ run: 'true' }]\n`,
    );
    assert.deepEqual(
      planJobs(wf, ctx).jobs.map((j) => j.name),
      ["Test on a", "Test on b"],
    );
  });

  test("evaluates fromJSON in a matrix vector and in the whole matrix", () => {
    const vector = workflowOf(
      `on: push\njobs:\n  t:\n    runs-on: x\n    strategy:\n      matrix:\n        v: \${{ fromJSON(inputs.versions) }}\n    steps: [{ run: 'true' }]\n`,
    );
    const whole = workflowOf(
      `on: push\njobs:\n  t:\n    runs-on: x\n    strategy:\n      matrix: \${{ fromJSON(vars.M) }}\n    steps: [{ run: 'true' }]\n`,
    );
    const a = planJobs(vector, { ...ctx, inputs: { versions: '["1","2"]' } });
    assert.deepEqual(
      a.jobs.map((j) => j.matrix),
      [{ v: "1" }, { v: "2" }],
    );
    const b = planJobs(whole, { ...ctx, vars: { M: '{"os":["x"],"include":[{"os":"y"}]}' } });
    assert.deepEqual(
      b.jobs.map((j) => j.name),
      ["t (x)", "t (y)"],
    );
  });

  test("flattens a runs-on expression that yields a list", () => {
    const wf = workflowOf(
      `on: push\njobs:\n  t:\n    runs-on: \${{ fromJSON('["a","b"]') }}\n    steps: [{ run: 'true' }]\n`,
    );
    assert.deepEqual(planJobs(wf, ctx).jobs[0]?.runsOn, ["a", "b"]);
  });
}

/** What waits for needs, and what a plan reports instead of a job. */
function deferredAndFailedTests(): void {
  test("defers a matrix that reads needs, then expands it once needs are known", () => {
    const wf = workflowOf(
      `on: push\njobs:\n  gen:\n    runs-on: x\n    steps: [{ run: 'true' }]\n  use:\n    needs: gen\n    runs-on: x\n    strategy:\n      matrix:\n        v: \${{ fromJSON(needs.gen.outputs.list) }}\n    steps: [{ run: 'true' }]\n`,
    );
    const planned = planJobs(wf, ctx).jobs.filter((j) => j.jobId === "use");
    assert.equal(planned.length, 1);
    assert.equal(planned[0]?.deferredMatrix, true);
    assert.equal(planned[0]?.name, "use");
    const doc = parse(planned[0]?.payload ?? "") as PayloadDoc;
    assert.deepEqual(doc.jobs.use?.strategy, { matrix: { v: `\${{ fromJSON(needs.gen.outputs.list) }}` } });

    const job = wf.jobs.find((j) => j.id === "use");
    assert.ok(job);
    const later = planJob(wf, job, { ...ctx, needs: { gen: { result: "success", outputs: { list: "[1,2]" } } } });
    assert.deepEqual(
      later.jobs.map((j) => [j.name, j.deferredMatrix]),
      [
        ["use (1)", undefined],
        ["use (2)", undefined],
      ],
    );
  });

  test("reports a bad matrix as a diagnostic at the job and plans no job for it", () => {
    const wf = workflowOf(
      "on: push\njobs:\n  t:\n    runs-on: x\n    strategy: { matrix: { os: [a], exclude: [{ arch: b }] } }\n    steps: [{ run: 'true' }]\n",
    );
    const { jobs, diagnostics } = planJobs(wf, ctx);
    assert.deepEqual(jobs, []);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.file, d.line, d.col]),
      [["matrix-invalid", "ci.yml", 3, 3]],
    );
  });

  test("reports an evaluation error in runs-on as a diagnostic", () => {
    const wf = workflowOf(`on: push\njobs:\n  t:\n    runs-on: \${{ fromJSON('{') }}\n    steps: [{ run: 'true' }]\n`);
    const { diagnostics } = planJobs(wf, ctx);
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ["expression-error"],
    );
  });

  test("keeps a name that reads needs unevaluated until the needs are known", () => {
    const wf = workflowOf(
      `on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{ run: 'true' }]\n  b:\n    needs: a\n    name: deploy \${{ needs.a.outputs.env }} from \${{ gitea.ref_name }}\n    runs-on: x\n    steps: [{ run: 'true' }]\n`,
    );
    assert.equal(planJobs(wf, ctx).jobs[1]?.name, `deploy \${{ needs.a.outputs.env }} from \${{ gitea.ref_name }}`);
    const job = wf.jobs[1];
    assert.ok(job);
    const later = planJob(wf, job, { ...ctx, needs: { a: { result: "success", outputs: { env: "prod" } } } });
    assert.equal(later.jobs[0]?.name, "deploy prod from main");
  });

  test("keeps the job if unevaluated for the coordinator", () => {
    const wf = workflowOf(
      "on: push\njobs:\n  t:\n    if: github.ref == 'refs/heads/main'\n    runs-on: x\n    steps: [{ run: 'true' }]\n",
    );
    assert.equal(planJobs(wf, ctx).jobs[0]?.if, "github.ref == 'refs/heads/main'");
  });
}
