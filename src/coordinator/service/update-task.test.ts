import assert from "node:assert/strict";
import { after, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { createHarness, plannedJob, runInput } from "../../../test/support/coordinator-harness.js";
import { Result, StepStateSchema } from "../../protocol/index.js";

const h = createHarness();
const c = h.coordinator;
after(() => h.close());

async function started(label: string, steps = ["one"]) {
  const r = await h.register(label, [label]);
  const { runId, jobIds } = c.runs.create(runInput([plannedJob("job", { runsOn: [label], steps })]));
  const task = await r.take();
  return { r, task, runId, jobId: jobIds[0]! };
}

test("outputs keep their first value and sent_outputs lists every stored key", async () => {
  const { r, task, jobId } = await started("outputs");
  const first = await r.update(task.id, Result.UNSPECIFIED, { outputs: { a: "1" } });
  assert.deepEqual(first.sentOutputs, ["a"]);
  const second = await r.update(task.id, Result.UNSPECIFIED, { outputs: { a: "changed", b: "2" } });
  assert.deepEqual([...second.sentOutputs].sort(), ["a", "b"]);
  const third = await r.update(task.id);
  assert.deepEqual([...third.sentOutputs].sort(), ["a", "b"]);
  await r.update(task.id, Result.SUCCESS, { outputs: { c: "3" } });
  assert.deepEqual(c.read.getJob(jobId)!.outputs, { a: "1", b: "2", c: "3" });
});

test("an output with a key over 255 bytes or a value over 1 MiB is dropped", async () => {
  const { r, task, jobId } = await started("big-outputs");
  const res = await r.update(task.id, Result.UNSPECIFIED, {
    outputs: { ["k".repeat(256)]: "x", big: "v".repeat(1024 * 1024 + 1), ok: "fine", ["k".repeat(255)]: "edge" },
  });
  assert.deepEqual([...res.sentOutputs].sort(), ["k".repeat(255), "ok"].sort());
  assert.deepEqual(Object.keys(c.read.getJob(jobId)!.outputs).sort(), ["k".repeat(255), "ok"].sort());
});

test("step states are copied by index and a started step runs", async () => {
  const { r, task, jobId } = await started("steps", ["a", "b", "c"]);
  const t0 = Date.now();
  await r.update(task.id, Result.UNSPECIFIED, {
    steps: [
      create(StepStateSchema, {
        id: 0n,
        result: Result.SUCCESS,
        startedAt: timestampFromMs(t0),
        stoppedAt: timestampFromMs(t0 + 5),
        logIndex: 0n,
        logLength: 3n,
      }),
      create(StepStateSchema, { id: 1n, startedAt: timestampFromMs(t0 + 6), logIndex: 3n, logLength: 1n }),
    ],
  });
  const steps = c.read.getJob(jobId)!.steps;
  assert.deepEqual(
    steps.map((s) => [s.status, s.result, s.logIndex, s.logLength]),
    [
      ["success", "success", 0, 3],
      ["running", undefined, 3, 1],
      ["waiting", undefined, 0, 0],
    ],
  );
  assert.equal(steps[0]!.stoppedAt, new Date(t0 + 5).toISOString());
});

test("a final result ends the task, the job and the run; later updates change nothing", async () => {
  const { r, task, jobId, runId } = await started("final");
  const res = await r.update(task.id, Result.FAILURE);
  assert.equal(res.state!.result, Result.FAILURE);
  assert.equal(c.read.getJob(jobId)!.status, "failure");
  assert.equal(c.read.getRun(runId)!.status, "failure");
  const again = await r.update(task.id, Result.SUCCESS);
  assert.equal(again.state!.result, Result.FAILURE);
  assert.equal(c.read.getJob(jobId)!.status, "failure");
});

test("a running task answers UNSPECIFIED", async () => {
  const { r, task } = await started("running");
  const res = await r.update(task.id);
  assert.equal(res.state!.id, task.id);
  assert.equal(res.state!.result, Result.UNSPECIFIED);
});

test("cancelling a run tells the runner through the UpdateTask response", async () => {
  const { r, task, runId, jobId } = await started("cancel", ["a", "b"]);
  await r.update(task.id, Result.UNSPECIFIED, {
    steps: [create(StepStateSchema, { id: 0n, startedAt: timestampFromMs(Date.now()) })],
  });
  assert.equal(c.runs.cancelRun(runId), true);
  const res = await r.update(task.id, Result.UNSPECIFIED);
  assert.equal(res.state!.result, Result.CANCELLED);
  const job = c.read.getJob(jobId)!;
  assert.equal(job.status, "cancelled");
  assert.deepEqual(
    job.steps.map((s) => s.status),
    ["cancelled", "cancelled"],
  );
  assert.equal(c.read.getRun(runId)!.status, "cancelled");
  // The runner's own final report cannot turn a cancelled task into a success.
  const last = await r.update(task.id, Result.SUCCESS);
  assert.equal(last.state!.result, Result.CANCELLED);
});

test("another runner cannot update a task it does not own", async () => {
  const { task } = await started("owner");
  const thief = await h.register("thief", ["thief"]);
  await assert.rejects(thief.update(task.id), (err: unknown) => {
    assert.ok(err instanceof ConnectError);
    assert.equal(err.code, Code.PermissionDenied);
    return true;
  });
  await assert.rejects(
    thief.update(987654n),
    (err: unknown) => err instanceof ConnectError && err.code === Code.NotFound,
  );
});

test("an ephemeral runner is removed by its final UpdateTask", async () => {
  const r = await h.register("eph-final", ["eph-final"], { ephemeral: true });
  c.runs.create(runInput([plannedJob("job", { runsOn: ["eph-final"] })]));
  const task = await r.take();
  await r.update(task.id, Result.SUCCESS);
  assert.equal(
    c.runners.list().some((x) => x.uuid === r.uuid),
    false,
  );
  await assert.rejects(r.fetch(0n), (err: unknown) => err instanceof ConnectError && err.code === Code.Unauthenticated);
});

test("a silent task is lost after its lease and fails when retry_on_loss is 0", async () => {
  const z = createHarness({ defaultLossPolicy: { leaseMs: 100, retries: 0 } });
  try {
    const r = await z.register("zombie", ["zombie"]);
    const { runId, jobIds } = z.coordinator.runs.create(runInput([plannedJob("job", { runsOn: ["zombie"] })]));
    await r.take();
    const run = await z.coordinator.runs.waitForRun(runId, AbortSignal.timeout(5_000));
    assert.equal(run.status, "failure");
    assert.match(
      z.coordinator.read.jobLog(jobIds[0]!).join("\n"),
      /runner zombie lost: no update for [\d.]+ s \(lease 0\.1 s, task \d+\)\n.*retry_on_loss is 0/,
    );
  } finally {
    z.close();
  }
});
