import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { createHarness, plannedJob, runInput } from "../../../test/support/coordinator-harness.js";
import type { LogEvent } from "../engine/events.js";

const h = createHarness();
const c = h.coordinator;
after(() => h.close());

async function started(label: string) {
  const r = await h.register(label, [label]);
  const { runId, jobIds } = c.runs.create(runInput([plannedJob("job", { runsOn: [label] })]));
  const task = await r.take();
  return { r, task, runId, jobId: jobIds[0]! };
}

const archived = (err: unknown) =>
  err instanceof ConnectError && err.code === Code.AlreadyExists && err.rawMessage === "log file has been archived";

test("rows are acknowledged, and re-sent rows are kept only from the ack on", async () => {
  const { r, task, jobId } = await started("ack");
  assert.equal((await r.log(task.id, 0, ["a", "b", "c"])).ackIndex, 3n);
  // The runner rewinds to 1 and resends b, c with a new row d: only d is new.
  assert.equal((await r.log(task.id, 1, ["b", "c", "d"])).ackIndex, 4n);
  assert.equal((await r.log(task.id, 0, ["a", "b"])).ackIndex, 4n);
  assert.deepEqual(c.read.jobLog(jobId), ["a", "b", "c", "d"]);
});

test("a gap writes nothing and returns the ack so the runner rewinds", async () => {
  const { r, task, jobId } = await started("gap");
  await r.log(task.id, 0, ["a"]);
  assert.equal((await r.log(task.id, 5, ["f", "g"])).ackIndex, 1n);
  assert.deepEqual(c.read.jobLog(jobId), ["a"]);
  assert.equal((await r.log(task.id, 1, ["b", "c"])).ackIndex, 3n);
  assert.deepEqual(c.read.jobLog(jobId), ["a", "b", "c"]);
});

test("no_more archives the log; new rows are refused and the final request is idempotent", async () => {
  const { r, task, jobId } = await started("archive");
  await r.log(task.id, 0, ["a"]);
  assert.equal((await r.log(task.id, 1, ["b", ""], true)).ackIndex, 3n);
  assert.equal((await r.log(task.id, 1, ["b", ""], true)).ackIndex, 3n);
  await assert.rejects(r.log(task.id, 3, ["late"]), archived);
  assert.deepEqual(c.read.jobLog(jobId), ["a", "b", ""]);
});

test("a zero-row no_more archives too", async () => {
  const { r, task } = await started("zero");
  await r.log(task.id, 0, ["a", "b"]);
  assert.equal((await r.log(task.id, 2, [], true)).ackIndex, 2n);
  await assert.rejects(r.log(task.id, 2, ["c"]), archived);
});

test("logs are still accepted after the job was cancelled, until no_more", async () => {
  const { r, task, runId, jobId } = await started("after-cancel");
  c.runs.cancelRun(runId);
  assert.equal((await r.log(task.id, 0, ["cleanup"], true)).ackIndex, 1n);
  assert.ok(c.read.jobLog(jobId).includes("cleanup"));
  assert.ok(c.read.jobLog(jobId).some((l) => /cancelled while running/.test(l)));
});

test("new rows are announced as a log event with their task-wide index", async () => {
  const { r, task, jobId } = await started("events");
  const seen: LogEvent[] = [];
  const on = (e: LogEvent) => seen.push(e);
  c.events.on("log", on);
  try {
    await r.log(task.id, 0, ["x", "y"]);
    await r.log(task.id, 1, ["y", "z"]);
  } finally {
    c.events.off("log", on);
  }
  assert.deepEqual(
    seen.map((e) => [e.jobId, e.index, e.rows.map((row) => row.content)]),
    [
      [jobId, 0, ["x", "y"]],
      [jobId, 2, ["z"]],
    ],
  );
});

test("a runner cannot write into another runner's task log", async () => {
  const { task } = await started("log-owner");
  const other = await h.register("log-thief", ["log-thief"]);
  await assert.rejects(
    other.log(task.id, 0, ["x"]),
    (err: unknown) => err instanceof ConnectError && err.code === Code.PermissionDenied,
  );
});
