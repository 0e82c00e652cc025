import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isProcessAlive } from "../../src/lib/index.js";
import type { ApiError, ApiInstance, ApiJob, ApiRun, ApiRunListItem } from "../../src/web/index.js";
import { runCli, startCli } from "../support/cli.js";
import { until } from "../support/pool-harness.js";
import { UpSession } from "../support/up-session.js";

// Issue J: the operator's runs CLI and the API under it, against a real `up` on 127.0.0.1 with
// pushed workflows: dispatch with inputs, live logs, cancel, re-run of failed jobs, history after restart.

const dir = mkdtempSync(join(tmpdir(), "rp-runs-e2e-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const state = join(dir, "state");
const config = join(dir, "pool.toml");
const marker = join(dir, "flaky-passed-once");
const pidFile = join(dir, "sleep.pid");
/** The deploy job waits between its two ticks until the test creates this file. */
const release = join(dir, "release");

const WORKFLOWS: Record<string, string> = {
  ".gitea/workflows/deploy.yml": `on:
  workflow_dispatch:
    inputs:
      target: { required: true }
      level: { default: "3" }
jobs:
  deploy:
    runs-on: [self-hosted, linux]
    steps:
      - run: echo "deploying to \${{ inputs.target }} at level \${{ inputs.level }}"
      - run: |
          echo "tick 1"
          for i in $(seq 600); do test -f ${release} && break; sleep 0.1; done
          echo "tick 2"
`,
  ".gitea/workflows/flaky.yml": `on: workflow_dispatch
jobs:
  build:
    runs-on: [self-hosted, linux]
    outputs: { v: "\${{ steps.v.outputs.v }}" }
    steps: [{ id: v, run: 'echo v=42 >> "$GITHUB_OUTPUT"' }]
  test:
    needs: build
    runs-on: [self-hosted, linux]
    steps:
      - run: test "\${{ needs.build.outputs.v }}" = 42
      - run: test -f ${marker} || { touch ${marker}; echo "failing once"; exit 1; }
  report:
    needs: test
    runs-on: [self-hosted, linux]
    steps: [{ run: echo reported }]
  docs:
    runs-on: [self-hosted, linux]
    steps: [{ run: echo docs }]
`,
  ".gitea/workflows/slow.yml": `on: workflow_dispatch
jobs:
  slow:
    runs-on: [self-hosted, linux]
    steps:
      - run: |
          sleep 300 &
          echo $! > ${pidFile}
          echo sleeping
          wait
`,
  ".gitea/workflows/gpu.yml": `on: workflow_dispatch
jobs:
  train:
    runs-on: [self-hosted, gpu]
    steps: [{ run: echo never }]
`,
};

const cli = (...args: string[]) => runCli(["runs", ...args, "--config", config], { timeoutMs: 60_000 });

describe("runnerpool runs: dispatch, follow, cancel, re-run and history over the operator API", () => {
  const up = new UpSession(config, state);
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${up.url}/api/v1/${path}`)).json()) as T;
  const dispatch = async (...args: string[]): Promise<number> => {
    const r = await cli("dispatch", ...args);
    assert.equal(r.code, 0, r.stderr);
    const m = /^run (\d+) started/.exec(r.stdout);
    assert.ok(m, r.stdout);
    return Number(m[1]);
  };
  const finalRun = async (id: number): Promise<ApiRun> => {
    const end = Date.now() + 60_000;
    for (;;) {
      const run = await api<ApiRun>(`runs/${id}`);
      if (run.result || Date.now() > end) return run;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    writeFileSync(
      config,
      `[runner]\nstate_dir = "${state}"\nworkdir_parent = "${join(dir, "work")}"\n` +
        '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\nbackend = "host"\ncapacity = 2\n',
    );
    await up.start();
    await up.push("acme/app", WORKFLOWS);
  });
  after(() => up.stop());

  test("dispatch with inputs starts a run, and logs --follow prints its lines while the job runs", async () => {
    const runId = await dispatch("deploy.yml", "--input", "target=prod");
    const job = (await api<ApiRun>(`runs/${runId}`)).jobs[0];
    assert.ok(job);
    const follow = startCli(["runs", "logs", String(job.id), "--follow", "--config", config]);
    await until(() => follow.stdout().includes("tick 1"), "the first tick is streamed", 30_000);
    // Live: the line arrived while the job was still running (it waits for the release file).
    assert.equal((await api<ApiJob>(`jobs/${job.id}`)).status, "running");
    const { instances } = await api<{ instances: ApiInstance[] }>("instances");
    assert.deepEqual(
      instances.flatMap((i) => (i.jobs ?? []).map((j) => [i.name, j.id, j.runId])),
      [["linux-1", job.id, runId]],
      "the pool view says what each instance runs",
    );
    assert.doesNotMatch(follow.stdout(), /tick 2/);
    writeFileSync(release, "");
    const r = await follow.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deploying to prod at level 3/);
    assert.match(r.stdout, /tick 2/);
    const show = await cli("show", String(runId));
    assert.match(show.stdout, /deploy\.yml #1\) workflow_dispatch main/);
    assert.match(show.stdout, /job \d+ deploy \[self-hosted, linux\]: success on linux-1 \(role linux\)/);
  });

  test("dispatch refuses a missing required input with the workflow's message", async () => {
    const r = await cli("dispatch", "deploy.yml");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /target.*required.*\[WORKFLOW_INVALID\]/i);
  });

  test("cancel stops a running job: its processes are gone within 2 s", async () => {
    const runId = await dispatch("slow.yml");
    await until(() => existsSync(pidFile), "the job started its sleep", 30_000);
    const pid = Number(readFileSync(pidFile, "utf8"));
    assert.ok(isProcessAlive(pid));
    const r = await cli("cancel", String(runId));
    assert.equal(r.code, 0, r.stderr);
    const t0 = Date.now();
    await until(() => !isProcessAlive(pid), "the job's sleep is gone", 2_000);
    assert.ok(Date.now() - t0 < 2_000);
    assert.equal((await finalRun(runId)).result, "cancelled");
  });

  test("rerun --failed starts a new run of the failed job, what needs it and what it needs, not the rest", async () => {
    const first = await finalRun(await dispatch("flaky.yml"));
    assert.equal(first.result, "failure");
    const r = await cli("rerun", String(first.id), "--failed");
    assert.equal(r.code, 0, r.stderr);
    const again = await finalRun(Number(/as run (\d+)/.exec(r.stdout)?.[1]));
    assert.notEqual(again.id, first.id);
    assert.equal(again.result, "success");
    assert.deepEqual(again.jobs.map((j) => j.jobId).sort(), ["build", "report", "test"]);
    assert.equal(again.event, "workflow_dispatch");
    assert.equal(again.sha, first.sha);
  });

  test("pool status and the queue say why a job waits: no role has its labels", async () => {
    const runId = await dispatch("gpu.yml");
    const r = await runCli(["pool", "status", "--config", config]);
    assert.match(
      r.stdout,
      /no role:\n {2}queued \[self-hosted, gpu\] #\d+ since .*: no role has labels \[self-hosted, gpu\]/,
    );
    const { queue } = await api<{ queue: { runId: number; reason: string }[] }>("queue");
    assert.match(queue.find((q) => q.runId === runId)?.reason ?? "", /no role has labels/);
    // It waits on up (a reload may add the role) and up's log says why.
    const note = new RegExp(`job train \\(#\\d+, run ${runId}\\) waits: no role has labels \\[self-hosted, gpu\\]`);
    assert.ok(
      up.events().some((e) => e.event === "note" && note.test(e.text ?? "")),
      up.output.slice(-2000),
    );
    assert.equal((await api<ApiRun>(`runs/${runId}`)).status, "waiting");
    assert.equal((await cli("cancel", String(runId))).code, 0);
  });

  test("writes need the admin token; errors carry a stable code", async () => {
    const res = await fetch(`${up.url}/api/v1/runs/1/cancel`, { method: "POST" });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as ApiError).error.code, "UNAUTHENTICATED");
    const missing = await fetch(`${up.url}/api/v1/runs/9999`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as ApiError).error.code, "NOT_FOUND");
  });

  test("runs list shows the history after up restarts", async () => {
    const before = JSON.parse((await cli("list", "--json")).stdout) as ApiRunListItem[];
    assert.ok(before.length >= 5);
    await up.stop();
    await up.start();
    const r = await cli("list", "--json");
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as ApiRunListItem[];
    assert.deepEqual(
      listed.map((x) => [x.id, x.result]),
      before.map((x) => [x.id, x.result]),
    );
    const text = await cli("list");
    assert.match(text.stdout, /RUN\s+WORKFLOW\s+EVENT\s+REF\s+STATUS\s+DURATION\s+JOBS/);
    assert.match(text.stdout, /flaky\.yml #2\s+workflow_dispatch\s+main\s+success/);
  });
});
