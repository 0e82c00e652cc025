import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createHarness, type Harness } from "../../../test/support/coordinator-harness.js";
import { git } from "../../../test/support/git-client.js";
import { isPoolError } from "../../lib/index.js";
import { Result } from "../../protocol/index.js";
import { importWorkingTree } from "./git-repos.js";

// Dispatch and re-run read the workflow from the hosted repository and take the one trigger path.

const dir = mkdtempSync(join(tmpdir(), "rp-dispatch-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const deploy = (greeting: string) => `on:
  workflow_dispatch:
    inputs:
      target: { required: true }
jobs:
  deploy:
    runs-on: [linux]
    steps: [{ run: echo ${greeting} }]
`;

const CHAIN = `on: workflow_dispatch
jobs:
  a: { runs-on: [linux], steps: [{ run: "true" }] }
  b: { needs: a, runs-on: [linux], steps: [{ run: "false" }] }
  c: { runs-on: [linux], steps: [{ run: "true" }] }
`;

async function commit(work: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), text);
  }
  await git(work, "add", "-A");
  await git(work, "commit", "-q", "-m", "c");
}

const refused = (code: string, message: RegExp) => (err: unknown) =>
  isPoolError(err) && err.code === code && message.test(err.message);

describe("runs.dispatch and runs.rerun", () => {
  let h: Harness;
  before(async () => {
    const work = join(dir, "work");
    await git(dir, "init", "-q", "-b", "main", work);
    await commit(work, {
      ".gitea/workflows/deploy.yml": deploy("old"),
      ".gitea/workflows/push.yml": "on: push\njobs:\n  x: { runs-on: [linux], steps: [{ run: 'true' }] }\n",
    });
    await git(work, "tag", "v1");
    await commit(work, { ".gitea/workflows/deploy.yml": deploy("new"), ".gitea/workflows/chain.yml": CHAIN });
    await importWorkingTree(work, join(dir, "repos"), "acme", "app", AbortSignal.timeout(10_000));
    h = createHarness({ reposDir: join(dir, "repos") });
  });
  after(() => h.close());

  test("a dispatch at a tag plans the workflow as the tag has it, with the inputs as given", async () => {
    const { runId } = await h.coordinator.runs.dispatch({
      repo: "acme/app",
      workflow: "deploy.yml",
      ref: "v1",
      inputs: { target: "prod" },
    });
    const run = h.coordinator.read.getRun(runId!)!;
    assert.equal(run.ref, "refs/tags/v1");
    assert.equal(run.event, "workflow_dispatch");
    assert.match(run.jobs[0]?.steps[0]?.name ?? "", /echo old/);
    const main = await h.coordinator.runs.dispatch({
      repo: "acme/app",
      workflow: ".gitea/workflows/deploy.yml",
      inputs: { target: "x" },
    });
    assert.equal(h.coordinator.read.getRun(main.runId!)!.ref, "refs/heads/main");
    assert.match(h.coordinator.read.getRun(main.runId!)!.jobs[0]?.steps[0]?.name ?? "", /echo new/);
  });

  test("a dispatch says why it started nothing: no such workflow, no workflow_dispatch, a missing input", async () => {
    const runs = h.coordinator.runs;
    await assert.rejects(
      runs.dispatch({ repo: "acme/app", workflow: "nope.yml" }),
      refused("NOT_FOUND", /no workflow "nope.yml" .*workflows: .*deploy.yml/),
    );
    await assert.rejects(
      runs.dispatch({ repo: "acme/app", workflow: "push.yml" }),
      refused("INVALID_ARGUMENT", /not started by workflow_dispatch/),
    );
    await assert.rejects(
      runs.dispatch({ repo: "acme/app", workflow: "deploy.yml" }),
      refused("WORKFLOW_INVALID", /target/),
    );
    await assert.rejects(
      runs.dispatch({ repo: "acme/app", workflow: "deploy.yml", ref: "nope" }),
      refused("NOT_FOUND", /no branch, tag or commit "nope"/),
    );
    await assert.rejects(
      runs.dispatch({ repo: "acme/other", workflow: "deploy.yml" }),
      refused("NOT_FOUND", /acme\/other is not hosted here/),
    );
  });

  test("a re-run waits for the run to end; --failed re-plans the failed job and what it needs, not the rest", async () => {
    const runs = h.coordinator.runs;
    const { runId } = await runs.dispatch({ repo: "acme/app", workflow: "chain.yml" });
    await assert.rejects(runs.rerun({ runId: runId! }), refused("INVALID_ARGUMENT", /cancel it or let it finish/));
    const runner = await h.register("r", ["linux"]);
    // Leftover dispatches of the test above wait too: finish whatever comes until chain's b failed.
    for (let i = 0; i < 8 && h.coordinator.read.getRun(runId!)!.status !== "failure"; i++) {
      const task = await runner.take();
      const job = h.coordinator.read
        .listRuns()
        .flatMap((r) => r.jobs)
        .find((j) => j.taskId === Number(task.id));
      await runner.finish(task, job?.runId === runId && job?.jobId === "b" ? Result.FAILURE : Result.SUCCESS);
    }
    assert.equal(h.coordinator.read.getRun(runId!)!.result, "failure");
    const again = await runs.rerun({ runId: runId!, failed: true });
    assert.deepEqual(
      h.coordinator.read
        .getRun(again.runId!)!
        .jobs.map((j) => j.jobId)
        .sort(),
      ["a", "b"],
    );
    const whole = await runs.rerun({ runId: runId! });
    assert.deepEqual(
      h.coordinator.read
        .getRun(whole.runId!)!
        .jobs.map((j) => j.jobId)
        .sort(),
      ["a", "b", "c"],
    );
  });
});
