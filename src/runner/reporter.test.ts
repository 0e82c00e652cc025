import assert from "node:assert/strict";
import { test } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { FakeForge } from "../../test/support/fake-forge.js";
import { Result, type UpdateLogRequest, type UpdateTaskRequest } from "../protocol/index.js";
import { Reporter, type ReporterOptions } from "./reporter.js";
import { waitFor } from "./wait-for.js";

// Long intervals by default so that only the behaviour under test sends anything.
function setup(steps = 1, options: Partial<ReporterOptions> = {}) {
  const forge = new FakeForge();
  const task = forge.assign(steps);
  const reporter = new Reporter({
    taskId: task.id,
    forge: forge.client(),
    stepCount: steps,
    logIntervalMs: 60_000,
    stateIntervalMs: 60_000,
    closeTimeoutMs: 5000,
    attemptTimeoutMs: 1000,
    ...options,
  });
  reporter.start();
  const fake = forge.task(task.id);
  const logCalls = () => forge.callsOf("UpdateLog").map((c) => c.request as UpdateLogRequest);
  const taskCalls = () => forge.callsOf("UpdateTask").map((c) => c.request as UpdateTaskRequest);
  return { forge, reporter, fake, logCalls, taskCalls };
}

const unavailable = () => new ConnectError("connection refused", Code.Unavailable);

test("sends a batch as soon as batchSize rows are buffered, not before", async () => {
  const { reporter, logCalls } = setup(1, { batchSize: 3 });
  reporter.log("a");
  reporter.log("b");
  await new Promise((r) => setImmediate(r));
  assert.equal(logCalls().length, 0);
  reporter.log("c");
  await waitFor(() => logCalls().length === 1, "the first batch");
  assert.deepEqual(
    logCalls()[0]?.rows.map((r) => r.content),
    ["a", "b", "c"],
  );
  await reporter.close({ result: "success" });
});

test("sends buffered rows after logIntervalMs even below the batch size", async () => {
  const { reporter, logCalls, fake } = setup(1, { logIntervalMs: 30 });
  reporter.log("only");
  await waitFor(() => logCalls().length === 1, "an interval flush");
  assert.deepEqual(fake.rows, ["only"]);
  await reporter.close({ result: "success" });
});

test("a row written while the reporter sleeps until its next heartbeat goes out within logIntervalMs", async () => {
  // Heartbeats a minute apart: only the wake-up on the first row can send it in time.
  const { reporter, logCalls, fake } = setup(1, { logIntervalMs: 30 });
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  reporter.log("after a quiet spell");
  try {
    await waitFor(() => logCalls().length === 1, "the row", 2_000);
    assert.ok(Date.now() - t0 < 1_000, `sent after ${Date.now() - t0} ms`);
    assert.deepEqual(fake.rows, ["after a quiet spell"]);
  } finally {
    await reporter.close({ result: "success" });
  }
});

test("resends from the ack when the forge accepted only part of a batch", async () => {
  const { reporter, forge, logCalls, fake } = setup(1, { batchSize: 4 });
  let first = true;
  forge.faults.updateLog = (req, t) => {
    if (!first) return undefined;
    first = false;
    t.rows.push(req.rows[0]?.content ?? "");
    return { ack: 1n };
  };
  for (const l of ["a", "b", "c", "d"]) reporter.log(l);
  await waitFor(() => fake.rows.length === 4, "the resend");
  assert.equal(logCalls()[1]?.index, 1n);
  assert.deepEqual(fake.rows, ["a", "b", "c", "d"]);
  await reporter.close({ result: "success" });
});

test("refills rows the forge lost after acknowledging them, keeping indexes aligned", async () => {
  const { reporter, forge, fake } = setup(1, { batchSize: 2 });
  reporter.log("a");
  reporter.log("b");
  await waitFor(() => fake.rows.length === 2, "the first batch");
  fake.rows.length = 1;
  let calls = 0;
  forge.faults.updateLog = () => (calls++ === 0 ? { ack: 1n } : undefined);
  reporter.log("c");
  reporter.log("d");
  await waitFor(() => fake.rows.length === 4, "the refill");
  assert.equal(fake.rows[0], "a");
  assert.match(fake.rows[1] ?? "", /lost 1 log row/);
  assert.deepEqual(fake.rows.slice(2), ["c", "d"]);
  await reporter.close({ result: "success" });
});

test("close sends no_more with one empty sentinel row before the final UpdateTask", async () => {
  const { reporter, forge, fake, logCalls, taskCalls } = setup(1);
  reporter.log("hello");
  const report = await reporter.close({ result: "failure", lastWords: "it broke" });
  assert.deepEqual(report, { logsDelivered: true, stateDelivered: true });
  assert.deepEqual(forge.events, [`log:${fake.id}:no_more`, `task:${fake.id}:final`]);
  const last = logCalls().at(-1);
  assert.equal(last?.noMore, true);
  assert.equal(last?.rows.at(-1)?.content, "");
  assert.deepEqual(fake.rows, ["hello", "it broke", ""]);
  const final = taskCalls().at(-1)?.state;
  assert.equal(final?.result, Result.FAILURE);
  assert.ok(final?.stoppedAt !== undefined);
});

test("an empty log still gets the sentinel so the forge archives it", async () => {
  const { reporter, fake } = setup(0);
  await reporter.close({ result: "success" });
  assert.deepEqual(fake.rows, [""]);
  assert.equal(fake.archived, true);
});

test("step states carry the index of their first row and their row count", async () => {
  const { reporter, taskCalls } = setup(3);
  reporter.log("setup");
  reporter.stepStarted(0, "one");
  reporter.log("a");
  reporter.log("b\nc");
  reporter.stepFinished(0, "success", "success");
  reporter.stepStarted(1, "two");
  reporter.log("d");
  await reporter.close({ result: "cancelled" });
  const steps = taskCalls().at(-1)?.state?.steps ?? [];
  assert.equal(steps.length, 3);
  assert.deepEqual(
    steps.map((s) => [s.id, s.logIndex, s.logLength, s.result]),
    [
      [0n, 1n, 3n, Result.SUCCESS],
      [1n, 4n, 1n, Result.CANCELLED],
      [2n, 0n, 0n, Result.CANCELLED],
    ],
  );
  assert.ok(steps[1]?.startedAt !== undefined);
  assert.equal(steps[2]?.startedAt, undefined);
});

test("unfinished steps of a skipped job are reported skipped", async () => {
  const { reporter, taskCalls } = setup(2);
  await reporter.close({ result: "skipped" });
  const steps = taskCalls().at(-1)?.state?.steps ?? [];
  assert.deepEqual(
    steps.map((s) => s.result),
    [Result.SKIPPED, Result.SKIPPED],
  );
});

test("reports state at once when a step starts, without waiting for the heartbeat", async () => {
  const { reporter, taskCalls } = setup(1);
  await waitFor(() => taskCalls().length === 1, "the initial state");
  reporter.stepStarted(0, "one");
  await waitFor(() => taskCalls().length === 2, "the step-start state");
  assert.ok(taskCalls()[1]?.state?.steps[0]?.startedAt !== undefined);
  assert.equal(taskCalls()[1]?.state?.result, Result.UNSPECIFIED);
  await reporter.close({ result: "success" });
});

test("sends heartbeats every stateIntervalMs while nothing changes", async () => {
  const { reporter, taskCalls } = setup(1, { stateIntervalMs: 20 });
  await waitFor(() => taskCalls().length >= 4, "several heartbeats");
  assert.ok(taskCalls().every((c) => c.state?.result === Result.UNSPECIFIED));
  await reporter.close({ result: "success" });
});

test("resends outputs until the forge lists them in sent_outputs", async () => {
  const { reporter, forge, fake, taskCalls } = setup(1, { stateIntervalMs: 10 });
  let drops = 2;
  forge.faults.updateTask = (req) => (Object.keys(req.outputs).length > 0 && drops-- > 0 ? "drop-outputs" : undefined);
  reporter.outputs({ version: "1.0" });
  await waitFor(() => fake.outputs.get("version") === "1.0", "the outputs to be stored");
  const withOutputs = taskCalls().filter((c) => c.outputs.version === "1.0");
  assert.equal(withOutputs.length, 3);
  const before = taskCalls().length;
  await waitFor(() => taskCalls().length >= before + 2, "two more heartbeats");
  assert.ok(
    taskCalls()
      .slice(before)
      .every((c) => Object.keys(c.outputs).length === 0),
  );
  await reporter.close({ result: "success" });
});

test("outputs that reach the final UpdateTask only are still resent until acknowledged", async () => {
  const { reporter, forge, fake } = setup(1);
  let drops = 1;
  forge.faults.updateTask = (req) =>
    req.state?.result !== Result.UNSPECIFIED && drops-- > 0 ? "drop-outputs" : undefined;
  reporter.outputs({ a: "1" });
  await reporter.close({ result: "success" });
  assert.equal(fake.outputs.get("a"), "1");
});

test("a result from the forge while running fires onServerCancel once", async () => {
  const cancels: string[] = [];
  const { reporter, forge, fake } = setup(1, { stateIntervalMs: 10, onServerCancel: (r) => cancels.push(r) });
  forge.cancel(fake.id);
  await waitFor(() => cancels.length === 1, "the cancel callback");
  assert.equal(reporter.serverResult, "cancelled");
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(cancels, ["cancelled"]);
  await reporter.close({ result: "cancelled" });
});

test("the final flush retries through forge failures", async () => {
  const { reporter, forge, fake } = setup(1);
  let logFails = 2;
  let taskFails = 2;
  forge.faults.updateLog = (req) => (req.noMore && logFails-- > 0 ? unavailable() : undefined);
  forge.faults.updateTask = (req) =>
    req.state?.result !== Result.UNSPECIFIED && taskFails-- > 0 ? unavailable() : undefined;
  reporter.log("x");
  const report = await reporter.close({ result: "success" });
  assert.deepEqual(report, { logsDelivered: true, stateDelivered: true });
  assert.equal(fake.result, Result.SUCCESS);
  assert.equal(fake.archived, true);
});

test("a repeated final upload refused as already archived counts as delivered", async () => {
  const { reporter, forge, fake } = setup(1);
  let lostOnce = true;
  forge.faults.updateLog = (req, t) => {
    if (!req.noMore || !lostOnce) return undefined;
    lostOnce = false;
    t.rows.push(...req.rows.map((r) => r.content));
    t.archived = true;
    return unavailable(); // stored, but the answer never reached the runner
  };
  reporter.log("x");
  const report = await reporter.close({ result: "success" });
  assert.equal(report.logsDelivered, true);
  assert.deepEqual(fake.rows, ["x", ""]);
});

test("close gives up within its bound when the forge stays down", async () => {
  const { reporter, forge } = setup(1, { closeTimeoutMs: 300, attemptTimeoutMs: 100 });
  forge.faults.updateLog = unavailable;
  forge.faults.updateTask = unavailable;
  const started = Date.now();
  const report = await reporter.close({ result: "success" });
  assert.deepEqual(report, { logsDelivered: false, stateDelivered: false });
  assert.ok(Date.now() - started < 2000);
});

test("calls after close are dropped without throwing", async () => {
  const { reporter, fake } = setup(1);
  await reporter.close({ result: "success" });
  reporter.log("late");
  reporter.stepStarted(0, "late");
  reporter.stepFinished(0, "failure", "failure");
  reporter.outputs({ late: "1" });
  assert.deepEqual(fake.rows, [""]);
});
