import assert from "node:assert/strict";
import { test } from "node:test";
import { createHarness, plannedJob, runInput } from "../../../test/support/coordinator-harness.js";

test("a job no runner can serve is failed after the timeout with the labels in its log", async () => {
  const h = createHarness({ unmatchedTimeoutMs: 100 });
  try {
    await h.register("linux-1", ["self-hosted", "linux"]);
    await h.register("iso-1", ["self-hosted", "iso"]);
    const { runId, jobIds } = h.coordinator.runs.create(
      runInput([
        plannedJob("a", { runsOn: ["self-hosted", "arm64"] }),
        plannedJob("b", { runsOn: ["linux"], needs: ["a"] }),
      ]),
    );
    const expected =
      "no runner serves runs-on [self-hosted, arm64]; runners: linux-1 [self-hosted, linux], iso-1 [self-hosted, iso]";
    assert.equal(h.coordinator.read.unservableReason(jobIds[0]!), expected);
    assert.equal(h.coordinator.read.getJob(jobIds[0]!)!.status, "waiting");
    const run = await h.coordinator.runs.waitForRun(runId, AbortSignal.timeout(5_000));
    assert.equal(run.status, "failure");
    assert.deepEqual(
      run.jobs.map((j) => j.status),
      ["failure", "skipped"],
    );
    assert.equal(run.jobs[0]!.unservable, expected);
    assert.deepEqual(h.coordinator.read.jobLog(jobIds[0]!), [expected]);
    assert.equal(h.coordinator.read.unservableReason(jobIds[0]!), expected);
  } finally {
    h.close();
  }
});

test("a servable job is left waiting however long it waits", async () => {
  const h = createHarness({ unmatchedTimeoutMs: 20 });
  try {
    const r = await h.register("linux-1", ["linux"]);
    const { jobIds } = h.coordinator.runs.create(runInput([plannedJob("a", { runsOn: ["linux"] })]));
    const unservable = h.coordinator.runs.create(runInput([plannedJob("z", { runsOn: ["zzz"] })]));
    // The unservable job's failure proves the sweep ran more than the timeout after both were queued.
    await h.coordinator.runs.waitForRun(unservable.runId, AbortSignal.timeout(5_000));
    assert.equal(h.coordinator.read.getJob(jobIds[0]!)!.status, "waiting");
    assert.equal(h.coordinator.read.unservableReason(jobIds[0]!), undefined);
    assert.ok(await r.take());
  } finally {
    h.close();
  }
});

test("without runners the reason says so and the queue shows nobody serves the job", async () => {
  const h = createHarness();
  try {
    const { jobIds } = h.coordinator.runs.create(runInput([plannedJob("a", { runsOn: ["x"] })]));
    assert.equal(h.coordinator.read.unservableReason(jobIds[0]!), "no runner serves runs-on [x]; runners: none");
    assert.deepEqual(
      h.coordinator.read.queueByLabels().map((g) => [g.runsOn, g.jobIds, g.runners]),
      [[["x"], jobIds, []]],
    );
  } finally {
    h.close();
  }
});

test("a runner registering with the right labels makes the job servable again", async () => {
  const h = createHarness({ unmatchedTimeoutMs: 60_000 });
  try {
    const { jobIds } = h.coordinator.runs.create(runInput([plannedJob("a", { runsOn: ["gpu"] })]));
    assert.ok(h.coordinator.read.unservableReason(jobIds[0]!));
    await h.register("gpu-1", ["gpu"]);
    assert.equal(h.coordinator.read.unservableReason(jobIds[0]!), undefined);
    assert.deepEqual(h.coordinator.read.queueByLabels()[0]!.runners, ["gpu-1"]);
  } finally {
    h.close();
  }
});
