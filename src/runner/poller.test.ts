import assert from "node:assert/strict";
import { test } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { pino } from "pino";
import { FakeForge } from "../../test/support/fake-forge.js";
import type { JobOutcome } from "../executor/index.js";
import { isPoolError } from "../lib/index.js";
import { type FetchTaskRequest, Result, type Task, WAIT_HEADER } from "../protocol/index.js";
import type { ExecuteJob } from "./execute-job.js";
import { Poller, type PollerOptions } from "./poller.js";
import { runTask } from "./task-runner.js";
import { waitFor } from "./wait-for.js";

function poller(forge: FakeForge, options: Partial<PollerOptions> = {}) {
  const p = new Poller({
    forge: forge.client(),
    capacity: 1,
    fetchIntervalMs: 5,
    fetchIntervalMaxMs: 10,
    runTask: async () => {},
    ...options,
  });
  return p;
}

function versionsSent(forge: FakeForge): bigint[] {
  return forge.callsOf("FetchTask").map((c) => (c.request as FetchTaskRequest).tasksVersion);
}

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg) };
}

const fast = { logIntervalMs: 20, stateIntervalMs: 20, closeTimeoutMs: 3000, attemptTimeoutMs: 1000 };

/** A poller whose tasks go through the real runTask with the given job function per task id. */
function withRunTask(forge: FakeForge, jobs: (task: Task) => ExecuteJob, options: Partial<PollerOptions> = {}) {
  const client = forge.client();
  return poller(forge, {
    runTask: (task, signal) =>
      runTask({
        task,
        forge: client,
        execute: jobs(task),
        runnerName: "r",
        signal,
        cancelGraceMs: 50,
        report: fast,
      }),
    ...options,
  });
}

test("never runs more tasks than its capacity and does not fetch while full", async () => {
  const forge = new FakeForge();
  for (let i = 0; i < 5; i++) forge.addTask();
  let running = 0;
  let most = 0;
  let done = 0;
  let release: (() => void) | undefined;
  let gate = new Promise<void>((r) => {
    release = r;
  });
  const p = poller(forge, {
    capacity: 2,
    runTask: async () => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
      done++;
    },
  });
  p.start();
  await waitFor(() => running === 2, "two running tasks");
  const fetchesWhenFull = forge.callsOf("FetchTask").length;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(forge.callsOf("FetchTask").length, fetchesWhenFull);
  assert.deepEqual(p.status(), { state: "busy", running: 2, capacity: 2 });
  release?.();
  gate = Promise.resolve();
  await waitFor(() => done === 5, "all five tasks");
  assert.equal(most, 2);
  await p.drain();
});

test("sends tasks_version 0 first, then the forge's version, and 0 again after a task", async () => {
  const forge = new FakeForge();
  let ran = 0;
  const p = poller(forge, {
    runTask: async () => {
      ran++;
    },
  });
  p.start();
  await waitFor(() => forge.callsOf("FetchTask").length >= 2, "two polls");
  forge.addTask();
  await waitFor(() => ran === 1, "the task");
  const after = forge.callsOf("FetchTask").length;
  await waitFor(() => forge.callsOf("FetchTask").length > after, "the poll after the task");
  await p.drain();
  // 0 (never asked) → 1 (the forge's version) until the task came → 0 (look again) → 2 (the new version).
  assert.match(versionsSent(forge).join(","), /^0,(1,)+0(,2)*$/);
});

test("does not store a version lower than the one it sent", async () => {
  const forge = new FakeForge();
  forge.version = 5n;
  const p = poller(forge);
  p.start();
  await waitFor(() => p.version === 5n, "the stored version");
  forge.version = 3n;
  await waitFor(() => forge.callsOf("FetchTask").length >= 4, "more polls");
  await p.drain();
  assert.equal(p.version, 5n);
});

test("asks for a long poll only when fetchWaitMs is above 0", async () => {
  const plain = new FakeForge();
  const p1 = poller(plain);
  p1.start();
  await waitFor(() => plain.callsOf("FetchTask").length >= 2, "plain polls");
  await p1.drain();
  assert.ok(plain.callsOf("FetchTask").every((c) => !c.headers.has(WAIT_HEADER)));

  const long = new FakeForge();
  const p2 = poller(long, { fetchWaitMs: 40 });
  p2.start();
  await waitFor(() => long.callsOf("FetchTask").length >= 1, "a long poll");
  await p2.drain();
  assert.equal(long.callsOf("FetchTask")[0]?.headers.get(WAIT_HEADER), "40");
});

test("a held long poll hands over a new task at once and is cut on stop", async () => {
  const forge = new FakeForge();
  let ran = 0;
  // A plain-poll pause of 60 s would make this test time out: the task must come through the held call.
  const p = poller(forge, {
    fetchWaitMs: 20_000,
    fetchIntervalMs: 60_000,
    fetchIntervalMaxMs: 60_000,
    runTask: async () => {
      ran++;
    },
  });
  p.start();
  await waitFor(() => forge.callsOf("FetchTask").length === 1, "the held poll");
  forge.addTask();
  await waitFor(() => ran === 1, "the task from the held poll");
  const started = Date.now();
  await p.drain();
  assert.ok(Date.now() - started < 1000, "drain must cut the held poll");
});

test("a forge that answers long polls at once (Gitea) gets the idle backoff instead of a busy loop", async () => {
  const forge = new FakeForge();
  forge.holdLongPolls = false;
  const p = poller(forge, { fetchWaitMs: 20_000, fetchIntervalMs: 100, fetchIntervalMaxMs: 100 });
  p.start();
  await waitFor(() => forge.callsOf("FetchTask").length >= 2, "two polls");
  const started = Date.now();
  await waitFor(() => forge.callsOf("FetchTask").length >= 3, "a third poll");
  await p.drain();
  assert.ok(Date.now() - started >= 60, "the third poll must wait for the backoff");
});

test("an unauthenticated answer stops the poller with a clear error", async () => {
  const forge = new FakeForge();
  forge.unregistered = true;
  const p = poller(forge, { runnerName: "linux-1" });
  p.start();
  await assert.rejects(
    p.done,
    (err) =>
      isPoolError(err, "FORGE_UNAUTHENTICATED") &&
      err.message.includes('"linux-1"') &&
      err.message.includes("register it again"),
  );
  assert.equal(p.status().state, "stopped");
  assert.equal(forge.callsOf("FetchTask").length, 1);
});

test("other fetch errors back off and warn once per streak", async () => {
  const forge = new FakeForge();
  const { logger, warnings } = capture();
  forge.faults.fetchTask = (n) => (n <= 3 ? new ConnectError("down", Code.Unavailable) : undefined);
  const p = poller(forge, { logger });
  p.start();
  await waitFor(() => forge.callsOf("FetchTask").length >= 5, "recovery");
  await p.drain();
  assert.deepEqual(warnings(), ["fetching a task failed; retrying with backoff"]);
});

test("a job function that throws is reported as failed and the poller takes the next task", async () => {
  const forge = new FakeForge();
  const first = forge.addTask();
  const second = forge.addTask();
  const p = withRunTask(forge, (task) =>
    task.id === first.id
      ? async () => {
          throw new Error("boom");
        }
      : async (): Promise<JobOutcome> => ({ result: "success", outputs: {}, steps: [] }),
  );
  p.start();
  await waitFor(() => forge.tasks.get(second.id)?.result === Result.SUCCESS, "the second task to succeed");
  assert.equal(forge.task(first.id).result, Result.FAILURE);
  await p.drain();
});

test("a job that ignores cancellation is abandoned, reported cancelled, and the next task runs", async () => {
  const forge = new FakeForge();
  const hung = forge.addTask();
  const next = forge.addTask();
  const p = withRunTask(forge, (task) =>
    task.id === hung.id
      ? () => new Promise<JobOutcome>(() => {})
      : async (): Promise<JobOutcome> => ({ result: "success", outputs: {}, steps: [] }),
  );
  p.start();
  await waitFor(() => forge.tasks.has(hung.id), "the hung task to start");
  forge.cancel(hung.id);
  await waitFor(() => forge.tasks.get(next.id)?.result === Result.SUCCESS, "the next task");
  assert.ok(forge.task(hung.id).rows.some((r) => r.includes("abandoned")));
  await p.drain();
});

test("kill cancels running jobs and drain resolves once they reported", async () => {
  const forge = new FakeForge();
  const t = forge.addTask();
  const p = withRunTask(
    forge,
    () => (o) =>
      new Promise<JobOutcome>((resolve) =>
        o.signal.addEventListener("abort", () => resolve({ result: "cancelled", outputs: {}, steps: [] })),
      ),
  );
  p.start();
  await waitFor(() => p.status().state === "busy", "busy");
  p.kill();
  assert.equal(p.status().state, "draining");
  await p.done;
  assert.equal(p.status().state, "stopped");
  assert.equal(forge.task(t.id).result, Result.CANCELLED);
});

test("drain lets a running task finish instead of cancelling it", async () => {
  const forge = new FakeForge();
  forge.addTask();
  let release: (() => void) | undefined;
  let finished = false;
  const p = poller(forge, {
    runTask: async (_task, signal) => {
      await new Promise<void>((r) => {
        release = r;
      });
      finished = !signal.aborted;
    },
  });
  p.start();
  await waitFor(() => release !== undefined, "the task to start");
  const drained = p.drain();
  assert.equal(p.status().state, "draining");
  release?.();
  await drained;
  assert.equal(finished, true);
  assert.equal(p.status().state, "stopped");
});

test("with maxTasks 1 it takes one task and stops", async () => {
  const forge = new FakeForge();
  forge.addTask();
  forge.addTask();
  let ran = 0;
  const p = poller(forge, {
    maxTasks: 1,
    runTask: async () => {
      ran++;
    },
  });
  p.start();
  await p.done;
  assert.equal(ran, 1);
  assert.equal(forge.callsOf("FetchTask").length, 1);
});

test("stop before start ends at once", async () => {
  const p = poller(new FakeForge());
  p.stop();
  await p.done;
  assert.equal(p.status().state, "stopped");
});
