import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeForge } from "../../test/support/fake-forge.js";
import type { JobOutcome } from "../executor/index.js";
import { Result, type UpdateTaskRequest } from "../protocol/index.js";
import type { ExecuteJob, JobExecution } from "./execute-job.js";
import { type RunTaskOptions, runTask } from "./task-runner.js";

// execute is the injection point; these stand-ins play the executor's part of the contract.
const fast = { logIntervalMs: 20, stateIntervalMs: 20, closeTimeoutMs: 3000, attemptTimeoutMs: 1000 };

function setup(execute: ExecuteJob, options: Partial<RunTaskOptions> = {}) {
  const forge = new FakeForge();
  const task = forge.assign(2);
  const run = runTask({
    task,
    forge: forge.client(),
    execute,
    runnerName: "linux-1",
    signal: new AbortController().signal,
    report: fast,
    ...options,
  });
  const fake = forge.task(task.id);
  const finalState = () =>
    forge
      .callsOf("UpdateTask")
      .map((c) => (c.request as UpdateTaskRequest).state)
      .find((s) => s?.result !== Result.UNSPECIFIED);
  return { forge, task, run, fake, finalState };
}

function outcome(result: JobOutcome["result"], outputs: Record<string, string> = {}): JobOutcome {
  return { result, outputs, steps: [] };
}

function untilAborted(o: JobExecution): Promise<JobOutcome> {
  return new Promise((resolve) => {
    if (o.signal.aborted) resolve(outcome("cancelled"));
    else o.signal.addEventListener("abort", () => resolve(outcome("cancelled")));
  });
}

test("hands the decoded task to execute", async () => {
  let seen: JobExecution | undefined;
  const forge = new FakeForge();
  const task = forge.assign(1);
  task.secrets = { S: "secret" };
  task.vars = { V: "var" };
  task.needs = { build: { $typeName: "runner.v1.TaskNeed", outputs: { o: "1" }, result: Result.SKIPPED } };
  await runTask({
    task,
    forge: forge.client(),
    execute: async (o) => {
      seen = o;
      return outcome("success");
    },
    runnerName: "linux-1",
    signal: new AbortController().signal,
    report: fast,
  });
  assert.match(seen?.request.payload ?? "", /runs-on: linux/);
  assert.deepEqual(seen?.request.context, { repository: "o/r", token: "task-token" });
  assert.deepEqual(seen?.request.secrets, { S: "secret" });
  assert.deepEqual(seen?.request.vars, { V: "var" });
  assert.deepEqual(seen?.request.needs, { build: { outputs: { o: "1" }, result: "skipped" } });
  assert.equal(seen?.runnerName, "linux-1");
});

test("reports the job's result and outputs", async () => {
  const { run, fake } = setup(async (o) => {
    o.sink.stepStarted(0, "one");
    o.sink.log("hi");
    o.sink.stepFinished(0, "success", "success");
    return outcome("success", { out: "v" });
  });
  assert.deepEqual(await run, { id: fake.id, result: "success", abandoned: false });
  assert.equal(fake.result, Result.SUCCESS);
  assert.equal(fake.outputs.get("out"), "v");
  assert.ok(fake.rows.includes("hi"));
});

test("a job function that throws is reported as a failure with the error as the last log row", async () => {
  const { run, fake } = setup(async () => {
    throw new Error("executor exploded");
  });
  assert.equal((await run).result, "failure");
  assert.equal(fake.result, Result.FAILURE);
  assert.ok(fake.rows.some((r) => r.includes("executor exploded")));
});

test("a job function that throws synchronously is caught too", async () => {
  const { run, fake } = setup(() => {
    throw new Error("sync boom");
  });
  assert.equal((await run).result, "failure");
  assert.ok(fake.rows.some((r) => r.includes("sync boom")));
});

test("a cancel on the forge aborts the job and the task ends cancelled", async () => {
  let aborted = false;
  const { forge, run, fake } = setup(async (o) => {
    const r = await untilAborted(o);
    aborted = true;
    return r;
  });
  setTimeout(() => forge.cancel(fake.id), 30);
  const summary = await run;
  assert.equal(aborted, true);
  assert.equal(summary.result, "cancelled");
  assert.equal(fake.result, Result.CANCELLED);
});

test("a job that ignores its abort is abandoned after the grace and reported cancelled", async () => {
  const kill = new AbortController();
  const { run, fake, finalState } = setup(() => new Promise<JobOutcome>(() => {}), {
    signal: kill.signal,
    cancelGraceMs: 50,
  });
  setTimeout(() => kill.abort(), 20);
  const summary = await run;
  assert.deepEqual(summary, { id: fake.id, result: "cancelled", abandoned: true });
  assert.equal(finalState()?.result, Result.CANCELLED);
  assert.ok(fake.rows.some((r) => r.includes("abandoned")));
});

test("a job past the runner timeout is cancelled and reported as a failure", async () => {
  const { run, fake } = setup(untilAborted, { timeoutMs: 40 });
  assert.equal((await run).result, "failure");
  assert.equal(fake.result, Result.FAILURE);
  assert.ok(fake.rows.some((r) => r.includes("runner timeout")));
});

test("the runner's kill signal cancels the job", async () => {
  const kill = new AbortController();
  kill.abort();
  const { run, fake } = setup(untilAborted, { signal: kill.signal });
  assert.deepEqual(await run, { id: fake.id, result: "cancelled", abandoned: false });
  assert.equal(fake.result, Result.CANCELLED);
});

test("unstarted steps are reported when the job fails before reaching them", async () => {
  const { run, finalState } = setup(async () => outcome("failure"));
  await run;
  assert.deepEqual(
    finalState()?.steps.map((s) => s.result),
    [Result.CANCELLED, Result.CANCELLED],
  );
});

test("a task the runner cannot even decode is still ended on the forge as a failure", async () => {
  const forge = new FakeForge();
  const task = forge.assign(1);
  Object.defineProperty(task, "needs", {
    get() {
      throw new Error("corrupt needs");
    },
  });
  const summary = await runTask({
    task,
    forge: forge.client(),
    execute: async () => outcome("success"),
    runnerName: "linux-1",
    signal: new AbortController().signal,
    report: fast,
  });
  assert.equal(summary.result, "failure");
  const fake = forge.task(task.id);
  assert.equal(fake.result, Result.FAILURE);
  assert.ok(fake.rows.some((r) => r.includes("corrupt needs")));
});
