import assert from "node:assert/strict";
import { test } from "node:test";
import { createHarness, plannedJob, runInput, until } from "../../../test/support/coordinator-harness.js";
import { REQUEST_KEY_HEADER, Result } from "../../protocol/index.js";

test("a task silent for its lease is lost and its job runs again as attempt 2; the first log stays", async () => {
  const h = createHarness({ defaultLossPolicy: { leaseMs: 150, retries: 1 } });
  try {
    const r = await h.register("lease", ["lease"]);
    const { runId, jobIds } = h.coordinator.runs.create(runInput([plannedJob("job", { runsOn: ["lease"] })]));
    const jobId = jobIds[0]!;
    const first = await r.take();
    await r.log(first.id, 0, ["first attempt line"]);
    const lostAt = Date.now();
    await until(() => h.coordinator.read.getJob(jobId)?.status === "waiting", 5_000);
    assert.ok(Date.now() - lostAt < 1_500, "lost within the lease and one sweep");
    assert.equal(h.coordinator.read.getJob(jobId)?.attempt, 2);
    const second = await r.take();
    assert.notEqual(second.id, first.id);
    await r.finish(second, Result.SUCCESS);
    const run = await h.coordinator.runs.waitForRun(runId, AbortSignal.timeout(5_000));
    assert.equal(run.status, "success");
    const log = h.coordinator.read.jobLog(jobId).join("\n");
    assert.match(log, /first attempt line\nrunner lease lost: no update for [\d.]+ s \(lease 0\.2 s/);
    assert.match(log, /job queued again as attempt 2 \(retry_on_loss 1\)\nhello/);
    // A late report of the lost attempt learns it is over.
    assert.equal((await r.update(first.id)).state?.result, Result.FAILURE);
  } finally {
    h.close();
  }
});

test("a lost job fails once its retries are used, with the reason in its log", async () => {
  const h = createHarness({ defaultLossPolicy: { leaseMs: 100, retries: 1 } });
  try {
    const r = await h.register("twice", ["twice"]);
    const { runId, jobIds } = h.coordinator.runs.create(runInput([plannedJob("job", { runsOn: ["twice"] })]));
    await r.take();
    await until(() => h.coordinator.read.getJob(jobIds[0]!)?.status === "waiting", 5_000);
    await r.take();
    const run = await h.coordinator.runs.waitForRun(runId, AbortSignal.timeout(5_000));
    assert.equal(run.status, "failure");
    assert.equal(run.jobs[0]?.attempt, 2);
    assert.match(
      h.coordinator.read.jobLog(jobIds[0]!).join("\n"),
      /job failed: its runner was lost \(attempt 2 of 2\)/,
    );
  } finally {
    h.close();
  }
});

test("a runner that declares itself again loses the tasks it held at once; queued jobs stay queued", async () => {
  const h = createHarness({ defaultLossPolicy: { leaseMs: 60_000, retries: 0 } });
  try {
    const r = await h.register("phoenix", ["phoenix"]);
    const jobs = [plannedJob("a", { runsOn: ["phoenix"] }), plannedJob("b", { runsOn: ["phoenix"] })];
    const { jobIds } = h.coordinator.runs.create(runInput(jobs));
    await r.take();
    await h.client.declare({ version: "v-test", labels: ["phoenix"] }, { headers: r.headers });
    const a = h.coordinator.read.getJob(jobIds[0]!)!;
    assert.equal(a.status, "failure");
    assert.match(h.coordinator.read.jobLog(a.id).join("\n"), /runner phoenix lost: it restarted without task \d+/);
    assert.equal(h.coordinator.read.getJob(jobIds[1]!)?.status, "waiting");
    assert.equal(h.coordinator.read.getJob(jobIds[1]!)?.attempt, 1);
  } finally {
    h.close();
  }
});

test("a FetchTask repeated with the same request key gets the same task with a fresh token", async () => {
  const h = createHarness();
  try {
    const r = await h.register("retry", ["retry"]);
    h.coordinator.runs.create(
      runInput([plannedJob("a", { runsOn: ["retry"] }), plannedJob("b", { runsOn: ["retry"] })]),
    );
    const keyed = (key: string) =>
      h.client.fetchTask({ tasksVersion: 0n }, { headers: { ...r.headers, [REQUEST_KEY_HEADER]: key } });
    const first = await keyed("key-1");
    const again = await keyed("key-1");
    assert.ok(first.task && again.task);
    assert.equal(again.task.id, first.task.id);
    assert.equal(again.tasksVersion, 0n, "Forgejo answers a recovery with tasks_version 0");
    assert.notEqual(again.task.secrets.GITHUB_TOKEN!, first.task.secrets.GITHUB_TOKEN!);
    assert.equal(h.coordinator.taskTokens.authenticate(first.task.secrets.GITHUB_TOKEN!), undefined);
    assert.equal(
      h.coordinator.taskTokens.authenticate(again.task.secrets.GITHUB_TOKEN!)?.taskId,
      Number(again.task.id),
    );
    const next = await keyed("key-2");
    assert.notEqual(next.task?.id, first.task.id, "a new key picks the next job");
  } finally {
    h.close();
  }
});
