import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createHarness, plannedJob, pushEvent, runInput, until } from "../../../test/support/coordinator-harness.js";
import { MAX_WAIT_MS } from "../../protocol/index.js";

const h = createHarness();
const c = h.coordinator;
after(() => h.close());

test("tasks_version is never 0 and a new run bumps it", async () => {
  const r = await h.register("v", ["nothing-matches"]);
  const first = await r.fetch(0n);
  assert.ok(first.tasksVersion >= 1n);
  c.runs.create(runInput([plannedJob("a", { runsOn: ["elsewhere"] })]));
  const second = await r.fetch(first.tasksVersion);
  assert.ok(second.tasksVersion > first.tasksVersion);
  assert.equal(second.task, undefined);
});

test("a fetch with the latest tasks_version skips the queue, an older one picks", async () => {
  const r = await h.register("skip", ["before"]);
  const { jobIds } = c.runs.create(runInput([plannedJob("a", { runsOn: ["skip-label"] })]));
  const seen = await r.fetch(0n);
  assert.equal(seen.task, undefined);
  // Declare does not bump tasks_version (Gitea), so the same version must not see the now-matching job.
  await h.client.declare({ version: "v", labels: ["skip-label"] }, { headers: r.headers });
  const same = await r.fetch(seen.tasksVersion);
  assert.equal(same.task, undefined);
  assert.equal(c.read.getJob(jobIds[0]!)!.status, "waiting");
  const reset = await r.fetch(0n);
  assert.ok(reset.task);
  assert.equal(reset.tasksVersion, seen.tasksVersion);
  assert.equal(c.read.getJob(jobIds[0]!)!.status, "running");
});

test("the oldest waiting job is picked first", async () => {
  const r = await h.register("fifo", ["fifo"]);
  const one = c.runs.create(runInput([plannedJob("first", { runsOn: ["fifo"] })]));
  c.runs.create(runInput([plannedJob("second", { runsOn: ["fifo"] })]));
  const task = await r.take();
  assert.equal(c.read.getJob(one.jobIds[0]!)!.taskId, Number(task.id));
});

// How fast is bench/pickup's business; here only that the parked call is woken, not timed out.
test("a held-open fetch is woken by createRun and returns the new job before its hold ends", async () => {
  const r = await h.register("held", ["held"]);
  const { tasksVersion } = await r.fetch(0n);
  const pending = r.fetch(tasksVersion, 20_000);
  await until(() => c.read.heldFetches() === 1);
  const start = performance.now();
  const { jobIds } = c.runs.create(runInput([plannedJob("fast", { runsOn: ["held"] })]));
  const res = await pending;
  const elapsed = performance.now() - start;
  assert.ok(res.task, "no task");
  assert.equal(c.read.getJob(jobIds[0]!)!.taskId, Number(res.task.id));
  assert.ok(elapsed < 10_000, `the fetch waited out its hold (${elapsed.toFixed(0)} ms)`);
});

test("a held-open fetch ignores jobs for other labels and ends empty with the latest version", async () => {
  const r = await h.register("held2", ["held2"]);
  const { tasksVersion } = await r.fetch(0n);
  const pending = r.fetch(tasksVersion, 300);
  await until(() => c.read.heldFetches() === 1);
  c.runs.create(runInput([plannedJob("other", { runsOn: ["not-held2"] })]));
  const res = await pending;
  assert.equal(res.task, undefined);
  assert.ok(res.tasksVersion > tasksVersion);
});

test("an aborted held-open fetch is released at once", async () => {
  const r = await h.register("abort", ["abort"]);
  const { tasksVersion } = await r.fetch(0n);
  const ctl = new AbortController();
  const pending = r.fetch(tasksVersion, MAX_WAIT_MS, ctl.signal);
  await until(() => c.read.heldFetches() === 1);
  ctl.abort();
  await assert.rejects(pending);
  await until(() => c.read.heldFetches() === 0);
});

test("the task carries the payload, Gitea's context keys, the token as secrets and the vars", async () => {
  const r = await h.register("ctx", ["ctx"]);
  const job = plannedJob("build", { runsOn: ["ctx"], steps: ["make", "make test"] });
  const { runId, jobIds } = c.runs.create(
    runInput([job], { secrets: { DEPLOY_KEY: "s3cret", GITHUB_TOKEN: "ignored" }, vars: { LEVEL: "3" } }),
  );
  const task = await r.take();
  assert.equal(new TextDecoder().decode(task.workflowPayload), job.payload);
  const ctx = task.context!;
  const token = ctx.token as string;
  assert.match(token, /^[0-9a-f]{40}$/);
  assert.deepEqual(task.secrets, { DEPLOY_KEY: "s3cret", GITHUB_TOKEN: token, GITEA_TOKEN: token });
  assert.deepEqual(task.vars, { LEVEL: "3" });
  assert.deepEqual(task.needs, {});
  for (const key of [
    "action",
    "action_path",
    "base_ref",
    "head_ref",
    "env",
    "event_path",
    "graphql_url",
    "workspace",
  ]) {
    assert.equal(ctx[key], "", key);
  }
  assert.deepEqual(
    {
      actor: ctx.actor,
      api_url: ctx.api_url,
      event_name: ctx.event_name,
      job: ctx.job,
      ref: ctx.ref,
      ref_name: ctx.ref_name,
      ref_type: ctx.ref_type,
      repository: ctx.repository,
      repository_owner: ctx.repository_owner,
      run_id: ctx.run_id,
      run_attempt: ctx.run_attempt,
      server_url: ctx.server_url,
      sha: ctx.sha,
      workflow: ctx.workflow,
      gitea_default_actions_url: ctx.gitea_default_actions_url,
    },
    {
      actor: "alice",
      api_url: "http://forge.test/api/v1",
      event_name: "push",
      job: "build",
      ref: "refs/heads/main",
      ref_name: "main",
      ref_type: "branch",
      repository: "acme/app",
      repository_owner: "acme",
      run_id: String(runId),
      run_attempt: "1",
      server_url: "http://forge.test/",
      sha: pushEvent.sha,
      workflow: "ci.yml",
      gitea_default_actions_url: "https://github.com",
    },
  );
  assert.match(ctx.run_number as string, /^[1-9][0-9]*$/);
  const event = ctx.event as Record<string, unknown>;
  assert.equal(event.ref, "refs/heads/main");
  assert.equal(event.after, pushEvent.sha);
  assert.deepEqual((event.repository as Record<string, unknown>).owner, { login: "acme", username: "acme" });
  assert.deepEqual(event.head_commit, { id: pushEvent.sha });
  const view = c.read.getJob(jobIds[0]!)!;
  assert.deepEqual(
    view.steps.map((s) => [s.index, s.name, s.status]),
    [
      [0, "make", "waiting"],
      [1, "make test", "waiting"],
    ],
  );
  assert.deepEqual(c.taskTokens.authenticate(token), {
    taskId: Number(task.id),
    jobId: jobIds[0],
    runId,
    repo: "acme/app",
  });
});

test("a workflow_dispatch task carries the inputs in the event", async () => {
  const r = await h.register("dispatch", ["dispatch"]);
  c.runs.create({
    ...runInput([plannedJob("d", { runsOn: ["dispatch"] })]),
    event: { name: "workflow_dispatch", ref: "refs/tags/v1", sha: pushEvent.sha, inputs: { level: "2" } },
  });
  const ctx = (await r.take()).context!;
  assert.equal(ctx.event_name, "workflow_dispatch");
  assert.equal(ctx.ref_type, "tag");
  assert.equal(ctx.ref_name, "v1");
  const event = ctx.event as Record<string, unknown>;
  assert.deepEqual(event.inputs, { level: "2" });
  assert.equal(event.ref, "refs/tags/v1");
});

test("an ephemeral runner gets exactly one task", async () => {
  const r = await h.register("eph", ["eph"], { ephemeral: true });
  c.runs.create(runInput([plannedJob("one", { runsOn: ["eph"] }), plannedJob("two", { runsOn: ["eph"] })]));
  await r.take();
  const second = await r.fetch(0n);
  assert.equal(second.task, undefined);
});
