import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createHarness, plannedJob, runInput } from "../../../test/support/coordinator-harness.js";
import { PoolError } from "../../lib/index.js";
import { Result } from "../../protocol/index.js";
import type { JobEvent } from "./events.js";

const h = createHarness();
const c = h.coordinator;
after(() => h.close());

/** `${{ e }}`, spelled so that no linter mistakes it for a broken template literal. */
const expr = (e: string) => "$" + "{{ " + e + " }}";

let n = 0;
async function runner() {
  const label = `dag-${++n}`;
  return { label, r: await h.register(label, [label]) };
}

test("a job waits blocked until its need succeeds, then gets the need's outputs", async () => {
  const { label, r } = await runner();
  const { runId, jobIds } = c.runs.create(
    runInput([plannedJob("a", { runsOn: [label] }), plannedJob("b", { runsOn: [label], needs: ["a"] })]),
  );
  const [a, b] = jobIds as [number, number];
  assert.equal(c.read.getJob(b)!.status, "blocked");
  const ta = await r.take();
  assert.equal((await r.fetch(0n)).task, undefined, "b must not be handed out before a ends");
  await r.finish(ta, Result.SUCCESS, { version: "1.2.3" });
  assert.equal(c.read.getJob(a)!.status, "success");
  assert.equal(c.read.getJob(b)!.status, "waiting");
  const tb = await r.take();
  assert.deepEqual(Object.keys(tb.needs), ["a"]);
  assert.deepEqual(tb.needs.a!.outputs, { version: "1.2.3" });
  assert.equal(tb.needs.a!.result, Result.SUCCESS);
  await r.finish(tb, Result.SUCCESS);
  assert.equal(c.read.getRun(runId)!.status, "success");
});

test("a failed need skips its dependents, transitively, and the run fails", async () => {
  const { label, r } = await runner();
  const { runId, jobIds } = c.runs.create(
    runInput([
      plannedJob("a", { runsOn: [label] }),
      plannedJob("b", { runsOn: [label], needs: ["a"] }),
      plannedJob("c", { runsOn: [label], needs: ["b"] }),
    ]),
  );
  await r.finish(await r.take(), Result.FAILURE);
  assert.deepEqual(
    jobIds.map((id) => c.read.getJob(id)!.status),
    ["failure", "skipped", "skipped"],
  );
  assert.equal(c.read.getRun(runId)!.status, "failure");
  assert.match(c.read.jobLog(jobIds[1]!).join("\n"), /job skipped: a needed job did not succeed/);
  assert.deepEqual(
    c.read.getJob(jobIds[1]!)!.steps.map((s) => s.result),
    ["skipped"],
  );
});

test("if: always() runs a job after its need failed and shows the failure in needs", async () => {
  const { label, r } = await runner();
  const { runId, jobIds } = c.runs.create(
    runInput([
      plannedJob("a", { runsOn: [label] }),
      plannedJob("report", { runsOn: [label], needs: ["a"], if: expr("always()") }),
    ]),
  );
  await r.finish(await r.take(), Result.FAILURE);
  assert.equal(c.read.getJob(jobIds[1]!)!.status, "waiting");
  const t = await r.take();
  assert.equal(t.needs.a!.result, Result.FAILURE);
  await r.finish(t, Result.SUCCESS);
  assert.equal(c.read.getRun(runId)!.status, "failure");
});

test("if: failure() runs only when a need failed", async () => {
  const { label, r } = await runner();
  const ok = c.runs.create(
    runInput([
      plannedJob("a", { runsOn: [label] }),
      plannedJob("alert", { runsOn: [label], needs: ["a"], if: "failure()" }),
    ]),
  );
  await r.finish(await r.take(), Result.SUCCESS);
  assert.equal(c.read.getJob(ok.jobIds[1]!)!.status, "skipped");
  assert.equal(c.read.getRun(ok.runId)!.status, "success");
  const bad = c.runs.create(
    runInput([
      plannedJob("a", { runsOn: [label] }),
      plannedJob("alert", { runsOn: [label], needs: ["a"], if: "failure()" }),
    ]),
  );
  await r.finish(await r.take(), Result.FAILURE);
  assert.equal(c.read.getJob(bad.jobIds[1]!)!.status, "waiting");
});

test("a job-level if can read needs outputs", async () => {
  const { label, r } = await runner();
  const { jobIds } = c.runs.create(
    runInput([
      plannedJob("a", { runsOn: [label] }),
      plannedJob("yes", { runsOn: [label], needs: ["a"], if: "needs.a.outputs.go == 'yes'" }),
      plannedJob("no", { runsOn: [label], needs: ["a"], if: expr("needs.a.outputs.go == 'no'") }),
    ]),
  );
  await r.finish(await r.take(), Result.SUCCESS, { go: "yes" });
  assert.deepEqual(
    jobIds.map((id) => c.read.getJob(id)!.status),
    ["success", "waiting", "skipped"],
  );
});

test("an if that cannot be evaluated fails the job with the reason in its log", async () => {
  const { label, r } = await runner();
  const { jobIds } = c.runs.create(
    runInput([
      plannedJob("a", { runsOn: [label] }),
      plannedJob("bad", { runsOn: [label], needs: ["a"], if: expr("nosuchfn()") }),
    ]),
  );
  await r.finish(await r.take(), Result.SUCCESS);
  assert.equal(c.read.getJob(jobIds[1]!)!.status, "failure");
  assert.match(c.read.jobLog(jobIds[1]!).join("\n"), /cannot evaluate if/);
});

test("matrix siblings must all end before a dependent runs; needs merges outputs and aggregates results", async () => {
  const { label, r } = await runner();
  const { jobIds } = c.runs.create(
    runInput([
      plannedJob("build", { name: "build (1)", runsOn: [label], matrix: { n: 1 } }),
      plannedJob("build", { name: "build (2)", runsOn: [label], matrix: { n: 2 } }),
      plannedJob("test", { runsOn: [label], needs: ["build"], if: "always()" }),
    ]),
  );
  const t1 = await r.take();
  const t2 = await r.take();
  await r.finish(t1, Result.SUCCESS, { one: "1", shared: "" });
  assert.equal(c.read.getJob(jobIds[2]!)!.status, "blocked");
  await r.finish(t2, Result.FAILURE, { two: "2", shared: "set" });
  const t = await r.take();
  assert.deepEqual(t.needs.build!.outputs, { one: "1", two: "2", shared: "set" });
  assert.equal(t.needs.build!.result, Result.FAILURE);
});

test("a job's events go waiting, running, success", async () => {
  const { label, r } = await runner();
  const seen: JobEvent[] = [];
  const on = (e: JobEvent) => seen.push(e);
  c.events.on("job", on);
  try {
    const { jobIds } = c.runs.create(runInput([plannedJob("a", { runsOn: [label] })]));
    await r.finish(await r.take(), Result.SUCCESS);
    assert.deepEqual(
      seen.filter((e) => e.jobId === jobIds[0]).map((e) => e.status),
      ["waiting", "running", "success"],
    );
  } finally {
    c.events.off("job", on);
  }
});

test("cancelling a waiting job cancels it and skips its dependents", async () => {
  const { label } = await runner();
  const { runId, jobIds } = c.runs.create(
    runInput([plannedJob("a", { runsOn: [label] }), plannedJob("b", { runsOn: [label], needs: ["a"] })]),
  );
  assert.equal(c.runs.cancelJob(jobIds[0]!), true);
  assert.equal(c.runs.cancelJob(jobIds[0]!), false);
  assert.deepEqual(
    jobIds.map((id) => c.read.getJob(id)!.status),
    ["cancelled", "skipped"],
  );
  assert.equal(c.read.getRun(runId)!.status, "cancelled");
});

test("cancelling a run cancels blocked jobs too, even with if: always()", async () => {
  const { label } = await runner();
  const { runId, jobIds } = c.runs.create(
    runInput([
      plannedJob("a", { runsOn: [label] }),
      plannedJob("b", { runsOn: [label], needs: ["a"], if: "always()" }),
    ]),
  );
  c.runs.cancelRun(runId);
  assert.deepEqual(
    jobIds.map((id) => c.read.getJob(id)!.status),
    ["cancelled", "cancelled"],
  );
});

test("waitForRun resolves with the final run view", async () => {
  const { label, r } = await runner();
  const { runId, jobIds } = c.runs.create(runInput([plannedJob("a", { runsOn: [label] })]));
  const waiting = c.runs.waitForRun(runId, AbortSignal.timeout(5_000));
  await r.finish(await r.take(), Result.SUCCESS, { k: "v" });
  const run = await waiting;
  assert.equal(run.status, "success");
  assert.equal(run.result, "success");
  const job = run.jobs[0]!;
  assert.equal(job.id, jobIds[0]);
  assert.equal(job.runnerName, label);
  assert.deepEqual(job.outputs, { k: "v" });
  assert.deepEqual(
    job.steps.map((s) => [s.name, s.result]),
    [["echo hi", "success"]],
  );
  for (const t of [job.queuedAt, job.startedAt, job.stoppedAt, run.createdAt, run.stoppedAt]) {
    assert.match(t ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
});

test("waitForRun rejects when its signal aborts", async () => {
  const { label } = await runner();
  const { runId } = c.runs.create(runInput([plannedJob("a", { runsOn: [label] })]));
  const ctl = new AbortController();
  const waiting = c.runs.waitForRun(runId, ctl.signal);
  ctl.abort();
  await assert.rejects(waiting, (err: unknown) => err instanceof PoolError && err.code === "TASK_CANCELLED");
});

test("a run with an unknown need or a needs cycle is refused", () => {
  assert.throws(
    () => c.runs.create(runInput([plannedJob("a", { needs: ["ghost"] })])),
    (err: unknown) => err instanceof PoolError && /needs unknown job "ghost"/.test(err.message),
  );
  assert.throws(
    () => c.runs.create(runInput([plannedJob("a", { needs: ["b"] }), plannedJob("b", { needs: ["a"] })])),
    (err: unknown) => err instanceof PoolError && /cycle "a -> b -> a"/.test(err.message),
  );
});
