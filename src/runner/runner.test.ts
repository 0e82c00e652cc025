import assert from "node:assert/strict";
import { test } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { FAKE_TOKEN, FAKE_UUID, FakeForge } from "../../test/support/fake-forge.js";
import type { JobOutcome } from "../executor/index.js";
import { isPoolError } from "../lib/index.js";
import { type DeclareRequest, Result } from "../protocol/index.js";
import type { JobExecution } from "./execute-job.js";
import type { Registration } from "./registration.js";
import { type StartRunnerOptions, startRunner, type TaskFinishedEvent } from "./runner.js";
import { waitFor } from "./wait-for.js";

const registration: Registration = {
  id: 7,
  uuid: FAKE_UUID,
  name: "linux-1",
  token: FAKE_TOKEN,
  address: "http://fake.invalid",
  labels: ["linux:host", "ubuntu-latest:docker://node:20"],
  ephemeral: false,
};

async function succeed(o: JobExecution): Promise<JobOutcome> {
  o.sink.log("ran");
  return { result: "success", outputs: {}, steps: [] };
}

function options(forge: FakeForge, extra: Partial<StartRunnerOptions> = {}): StartRunnerOptions {
  return {
    registration,
    forge: forge.client(),
    capacity: 1,
    execute: succeed,
    settings: { version: "9.9.9", fetchIntervalMs: 5, fetchIntervalMaxMs: 10 },
    report: { logIntervalMs: 20, stateIntervalMs: 20, closeTimeoutMs: 3000, attemptTimeoutMs: 1000 },
    signal: new AbortController().signal,
    ...extra,
  };
}

test("declares the label names, version and the cancelling capability, then polls", async () => {
  const forge = new FakeForge();
  const handle = await startRunner(options(forge));
  await waitFor(() => forge.callsOf("FetchTask").length > 0, "a poll");
  const declare = forge.callsOf("Declare")[0]?.request as DeclareRequest;
  assert.deepEqual(declare.labels, ["linux", "ubuntu-latest"]);
  assert.equal(declare.version, "9.9.9");
  assert.deepEqual(declare.capabilities, ["cancelling"]);
  assert.equal(
    forge.calls.findIndex((c) => c.method === "Declare"),
    0,
  );
  assert.deepEqual(handle.status(), { name: "linux-1", state: "idle", running: 0, capacity: 1 });
  await handle.drain();
  assert.equal(handle.status().state, "stopped");
});

test("a forge without Declare (Gitea < 1.21) is warned about and polled anyway", async () => {
  const forge = new FakeForge();
  forge.faults.declare = () => new ConnectError("404 page not found", Code.Unimplemented);
  const handle = await startRunner(options(forge));
  await waitFor(() => forge.callsOf("FetchTask").length > 0, "a poll");
  await handle.drain();
});

test("a runner the forge does not know fails to start with a clear error", async () => {
  const forge = new FakeForge();
  forge.unregistered = true;
  await assert.rejects(
    startRunner(options(forge)),
    (err) => isPoolError(err, "FORGE_UNAUTHENTICATED") && err.message.includes("register it again"),
  );
  assert.equal(forge.callsOf("FetchTask").length, 0);
});

test("an unreachable forge at start is retried in the background before polling", async () => {
  const forge = new FakeForge();
  let fails = 2;
  forge.faults.declare = () => (fails-- > 0 ? new ConnectError("down", Code.Unavailable) : undefined);
  const handle = await startRunner(options(forge));
  assert.equal(handle.status().state, "starting");
  await waitFor(() => forge.callsOf("FetchTask").length > 0, "polling after the declare went through", 10_000);
  assert.equal(forge.callsOf("Declare").length, 3);
  await handle.drain();
});

test("emits task-started and task-finished with the task's id and result", async () => {
  const forge = new FakeForge();
  const task = forge.addTask();
  const handle = await startRunner(options(forge));
  const started: bigint[] = [];
  const finished: TaskFinishedEvent[] = [];
  handle.on("task-started", (e) => started.push(e.id));
  handle.on("task-finished", (e) => finished.push(e));
  await waitFor(() => finished.length === 1, "the task to finish");
  assert.deepEqual(started, [task.id]);
  assert.deepEqual(finished, [{ id: task.id, result: "success", abandoned: false }]);
  assert.equal(forge.task(task.id).result, Result.SUCCESS);
  await handle.drain();
});

test("a listener that throws does not disturb the task", async () => {
  const forge = new FakeForge();
  const task = forge.addTask();
  const handle = await startRunner(options(forge));
  handle.on("task-started", () => {
    throw new Error("display broke");
  });
  await waitFor(() => forge.tasks.get(task.id)?.result === Result.SUCCESS, "the task to succeed");
  await handle.drain();
});

test("an ephemeral runner takes one task and stops", async () => {
  const forge = new FakeForge();
  forge.addTask();
  forge.addTask();
  const handle = await startRunner(options(forge, { registration: { ...registration, ephemeral: true } }));
  await handle.done;
  assert.equal(forge.tasks.size, 1);
});

test("stop cancels the running job and resolves after its final report", async () => {
  const forge = new FakeForge();
  const task = forge.addTask();
  const handle = await startRunner(
    options(forge, {
      execute: (o) =>
        new Promise((resolve) =>
          o.signal.addEventListener("abort", () => resolve({ result: "cancelled", outputs: {}, steps: [] })),
        ),
    }),
  );
  await waitFor(() => handle.status().state === "busy", "busy");
  await handle.stop();
  assert.equal(forge.task(task.id).result, Result.CANCELLED);
  assert.equal(handle.status().state, "stopped");
});

test("aborting the start signal stops the runner", async () => {
  const forge = new FakeForge();
  const ac = new AbortController();
  const handle = await startRunner(options(forge, { signal: ac.signal }));
  ac.abort();
  await handle.done;
  assert.equal(handle.status().state, "stopped");
});

test("a forge that deletes the runner while it polls ends it with an error on done", async () => {
  const forge = new FakeForge();
  const handle = await startRunner(options(forge));
  await waitFor(() => forge.callsOf("FetchTask").length > 0, "a poll");
  forge.unregistered = true;
  await assert.rejects(handle.done, (err) => isPoolError(err, "FORGE_UNAUTHENTICATED"));
});
