import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FakeForge } from "../../test/support/fake-forge.js";
import { createHostBackend, runJob } from "../executor/index.js";
import { Result, type UpdateTaskRequest } from "../protocol/index.js";
import type { ExecuteJob } from "./execute-job.js";
import { runTask } from "./task-runner.js";
import { waitFor } from "./wait-for.js";

// The real executor on the real host backend, reporting through the reporter to the fake forge.
const parent = mkdtempSync(join(tmpdir(), "runner-executor-"));
after(() => rmSync(parent, { recursive: true, force: true }));

const fast = { logIntervalMs: 20, stateIntervalMs: 20, closeTimeoutMs: 5000, attemptTimeoutMs: 2000 };

function payload(steps: string, jobExtra = ""): Uint8Array {
  const yaml = `name: ci\non: push\njobs:\n  build:\n    runs-on: linux\n${jobExtra}    steps:\n${steps}`;
  return new TextEncoder().encode(yaml);
}

/** The real executor on a host backend under `parent`, as the composition root binds it. */
const onHost: ExecuteJob = (job) => runJob({ ...job, backend: createHostBackend({ workdirParent: parent }) });

const context = {
  repository: "owner/repo",
  repository_owner: "owner",
  sha: "0123456789abcdef0123456789abcdef01234567",
  ref: "refs/heads/main",
  event_name: "push",
  run_id: "1",
  run_number: "1",
  run_attempt: "1",
  token: "task-token",
  event: {},
};

test("a real job streams its rows, step ranges and outputs to the forge", async () => {
  const forge = new FakeForge();
  const task = forge.assign(2, {
    workflowPayload: payload(
      '      - run: echo hello\n      - id: s\n        run: echo "out=42" >> "$GITHUB_OUTPUT"\n',
      "    outputs:\n      x: ${{ steps.s.outputs.out }}\n",
    ),
    context,
  });
  const summary = await runTask({
    task,
    forge: forge.client(),
    execute: onHost,
    runnerName: "linux-1",
    signal: new AbortController().signal,
    report: fast,
  });
  const fake = forge.task(task.id);
  assert.equal(summary.result, "success", fake.rows.join("\n"));
  assert.equal(fake.result, Result.SUCCESS);
  assert.equal(fake.outputs.get("x"), "42");
  assert.equal(fake.archived, true);
  const final = forge
    .callsOf("UpdateTask")
    .map((c) => (c.request as UpdateTaskRequest).state)
    .find((s) => s?.result === Result.SUCCESS);
  const first = final?.steps[0];
  assert.ok(first);
  const rows = fake.rows.slice(Number(first.logIndex), Number(first.logIndex + first.logLength));
  assert.ok(rows.includes("hello"), rows.join("\n"));
  assert.deepEqual(
    final?.steps.map((s) => s.result),
    [Result.SUCCESS, Result.SUCCESS],
  );
  assert.deepEqual(
    readdirSync(parent).filter((n) => n.startsWith("task-")),
    [],
    "the job directory is removed",
  );
});

test("a cancel on the forge stops a real running step", async () => {
  const forge = new FakeForge();
  const task = forge.assign(1, { workflowPayload: payload("      - run: echo started; sleep 30\n"), context });
  const started = Date.now();
  const run = runTask({
    task,
    forge: forge.client(),
    execute: onHost,
    runnerName: "linux-1",
    signal: new AbortController().signal,
    report: fast,
  });
  await waitFor(() => forge.task(task.id).rows.includes("started"), "the step to start", 10_000);
  forge.cancel(task.id);
  const summary = await run;
  assert.equal(summary.result, "cancelled");
  assert.equal(summary.abandoned, false);
  assert.ok(Date.now() - started < 15_000);
});
