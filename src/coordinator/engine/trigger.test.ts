import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createHarness } from "../../../test/support/coordinator-harness.js";

const h = createHarness();
after(() => h.close());
const sha = "c".repeat(40);

const DISPATCH = `name: Release
on:
  workflow_dispatch:
    inputs:
      level:
        required: true
      dry:
        type: boolean
        default: true
jobs:
  go:
    name: \${{ github.workflow }} \${{ inputs.level }} \${{ inputs.dry }} \${{ github.event.inputs.level }}
    runs-on: linux
    steps:
      - run: echo hi
`;

test("one outcome per workflow: a run, a skip with its reason, or an error with the diagnostics", () => {
  const outcomes = h.coordinator.runs.trigger({
    repo: "acme/app",
    workflows: [
      {
        file: ".gitea/workflows/ci.yml",
        source: "on: push\njobs:\n  a:\n    runs-on: linux\n    steps:\n      - run: x\n",
      },
      {
        file: ".gitea/workflows/tags.yml",
        source: "on:\n  push:\n    tags: ['v*']\njobs:\n  a:\n    runs-on: linux\n    steps:\n      - run: x\n",
      },
      { file: ".gitea/workflows/bad.yml", source: "on: push\njobs:\n  a: [unclosed\n" },
    ],
    event: { name: "push", ref: "refs/heads/main", sha },
  });
  assert.deepEqual(
    outcomes.map((o) => [o.workflow, o.runId !== undefined, o.skipped, o.error === undefined]),
    [
      [".gitea/workflows/ci.yml", true, undefined, true],
      [".gitea/workflows/tags.yml", false, "not triggered by push on refs/heads/main", true],
      [".gitea/workflows/bad.yml", false, undefined, false],
    ],
  );
  assert.match(outcomes[2]?.error ?? "", /^\.gitea\/workflows\/bad\.yml:\d+/);
  assert.ok(outcomes[2]?.diagnostics.some((d) => d.severity === "error"));
  const run = h.coordinator.read.getRun(outcomes[0]!.runId!)!;
  assert.deepEqual(
    [run.workflowFile, run.workflowName, run.actor],
    [".gitea/workflows/ci.yml", ".gitea/workflows/ci.yml", "runnerpool"],
  );
});

test("a dispatch is planned with its resolved inputs and the github context its jobs will see", () => {
  const event = { name: "workflow_dispatch" as const, ref: "refs/heads/main", sha, inputs: { level: "7" } };
  const [ok] = h.coordinator.runs.trigger({
    repo: "acme/app",
    workflows: [{ file: ".gitea/workflows/release.yml", source: DISPATCH }],
    event,
    actor: "alice",
  });
  const run = h.coordinator.read.getRun(ok!.runId!)!;
  assert.deepEqual(
    [run.workflowName, run.event, run.actor, run.jobs[0]?.name],
    ["Release", "workflow_dispatch", "alice", "release.yml 7 true 7"],
  );

  const [missing] = h.coordinator.runs.trigger({
    repo: "acme/app",
    workflows: [{ file: ".gitea/workflows/release.yml", source: DISPATCH }],
    event: { ...event, inputs: {} },
  });
  assert.equal(missing?.runId, undefined);
  assert.match(missing?.error ?? "", /input 'level' is required/);
});
