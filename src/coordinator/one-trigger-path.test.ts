import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { createHarness, type Harness, type TestRunner } from "../../test/support/coordinator-harness.js";
import { git } from "../../test/support/git-client.js";
import { Result, type Task } from "../protocol/index.js";
import { type CoordinatorServer, startCoordinatorServer } from "./service/server.js";

const FILE = ".gitea/workflows/ci.yml";
// `github.*` is read while planning (job name, runs-on, matrix) and by the job itself (if:, steps).
const WORKFLOW = `name: CI
on:
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      level:
        default: "3"
jobs:
  build:
    name: build \${{ matrix.os }} on \${{ github.ref_name }} of \${{ github.workflow }}
    if: github.event_name == 'push' && github.workflow == 'ci.yml'
    runs-on: [linux, "\${{ github.repository_owner }}"]
    strategy:
      matrix:
        os: [a, b]
        repo: ["\${{ github.repository }}@\${{ github.server_url }}"]
    steps:
      - run: echo '\${{ toJSON(github) }}'
      - run: echo "\${{ github.workflow }} \${{ github.actor }} \${{ inputs.level }}"
  report:
    needs: build
    runs-on: linux
    steps:
      - run: echo done
`;

let dir = "";
let h: Harness;
let server: CoordinatorServer;
let runner: TestRunner;

/** Runs every job of the run to success; returns its tasks in the order they were picked. */
async function runAll(count: number): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < count; i++) {
    const task = await runner.take();
    tasks.push(task);
    await runner.finish(task, Result.SUCCESS);
  }
  return tasks;
}

/** A task as the runner sees it, without what differs between any two runs (ids, numbers, tokens). */
function comparable(task: Task) {
  const { run_id, run_number, token, ...context } = task.context as Record<string, unknown>;
  assert.match(String(run_id), /^\d+$/);
  assert.match(String(run_number), /^\d+$/);
  assert.match(String(token), /^[0-9a-f]{40}$/);
  return { context, payload: new TextDecoder().decode(task.workflowPayload), needs: Object.keys(task.needs) };
}

function jobsOf(runId: number) {
  const run = h.coordinator.read.getRun(runId)!;
  return {
    run: {
      file: run.workflowFile,
      name: run.workflowName,
      event: run.event,
      ref: run.ref,
      sha: run.sha,
      actor: run.actor,
    },
    jobs: run.jobs.map((j) => ({
      jobId: j.jobId,
      name: j.name,
      matrix: j.matrix,
      runsOn: j.runsOn,
      needs: j.needs,
      result: j.result,
    })),
  };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "one-trigger-path-"));
  h = createHarness({ reposDir: join(dir, "repos") });
  server = await startCoordinatorServer(h.coordinator);
  runner = await h.register("r", ["linux", "acme"]);
});

after(async () => {
  await server.close();
  h.close();
  await rm(dir, { recursive: true, force: true });
});

test("a git push and a direct trigger of the same workflow give the same jobs, matrix, github context and payload", async () => {
  const work = join(dir, "work");
  await git(dir, "init", "-q", "-b", "main", work);
  await mkdir(dirname(join(work, FILE)), { recursive: true });
  await writeFile(join(work, FILE), WORKFLOW);
  await git(work, "add", ".");
  await git(work, "commit", "-q", "-m", "ci");
  const sha = await git(work, "rev-parse", "HEAD");
  const token = h.coordinator.git.createPushToken();
  await git(work, "push", "-q", `${server.url.replace("://", `://runnerpool:${token}@`)}/acme/app.git`, "main");

  const [pushed] = h.coordinator.git.pushOutcomes();
  assert.equal(pushed?.error, undefined);
  const pushedRun = pushed!.runId!;
  const pushedTasks = await runAll(3);

  const [direct] = h.coordinator.runs.trigger({
    repo: "acme/app",
    workflows: [{ file: FILE, source: WORKFLOW }],
    event: { name: "push", ref: "refs/heads/main", sha, changedFiles: [FILE] },
  });
  assert.deepEqual(
    direct?.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const directRun = direct!.runId!;
  const directTasks = await runAll(3);

  assert.notEqual(pushedRun, directRun);
  assert.deepEqual(jobsOf(directRun), jobsOf(pushedRun));
  const { jobs } = jobsOf(pushedRun);
  assert.deepEqual(
    jobs.map((j) => [j.name, j.matrix, j.runsOn, j.result]),
    [
      ["build a on main of ci.yml", { os: "a", repo: "acme/app@http://forge.test/" }, ["linux", "acme"], "success"],
      ["build b on main of ci.yml", { os: "b", repo: "acme/app@http://forge.test/" }, ["linux", "acme"], "success"],
      ["report", {}, ["linux"], "success"],
    ],
  );
  assert.deepEqual(directTasks.map(comparable), pushedTasks.map(comparable));
  const github = comparable(pushedTasks[0]!).context;
  assert.equal(github.workflow, "ci.yml");
  assert.equal(github.server_url, "http://forge.test/");
  assert.equal(github.sha, sha);
});
