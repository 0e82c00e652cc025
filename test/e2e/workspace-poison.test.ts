import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { jobExecutor } from "../../src/cli/assembly/job-executor.js";
import {
  type Coordinator,
  type CoordinatorServer,
  createCoordinator,
  importWorkingTree,
  startCoordinatorServer,
} from "../../src/coordinator/index.js";
import {
  type Backend,
  createHostBackend,
  createSandboxBackend,
  isSandboxAvailable,
  MirrorCache,
} from "../../src/executor/index.js";
import { createForgeClient } from "../../src/protocol/index.js";
import { type RunnerHandle, register, startRunner } from "../../src/runner/index.js";

// Issue C, "workspaces that cannot be poisoned": job 1 leaves everything that broke the laptop runner
// in its workspace; job 2 on the same runner still checks out (a real clone from the coordinator)
// and succeeds, and nothing is left behind.

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.test",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.test",
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" }).trim();

const WORKFLOW = `on: push
jobs:
  poison:
    runs-on: poison
    steps:
      - uses: actions/checkout@v4
      - run: |
          echo "uid=$(id -u)"
          mkdir -p ro/sub && touch ro/sub/f && chmod 0555 ro/sub ro
          mkdir -p noperm/inner && touch noperm/inner/f && chmod 000 noperm/inner noperm
          chmod 000 greeting.txt
          mkfifo fifo
          python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.bind('sock')"
          test -p fifo && test -S sock
          chmod 0555 .git/objects .
  clean:
    needs: poison
    runs-on: poison
    steps:
      - uses: actions/checkout@v4
      - run: |
          test "$(cat greeting.txt)" = hello
          test "$(ls -A | sort | tr '\\n' ' ')" = ".git greeting.txt "
          touch new-file
`;

/** What is left in a workdir parent besides the host backend's shared tool cache. */
const leftovers = (parent: string) => readdirSync(parent).filter((n) => n !== ".tool-cache");

const sandboxed = (await isSandboxAvailable()) && process.getuid?.() === 0;

describe("a poisoned workspace does not break the next job", () => {
  const dir = mkdtempSync(join(tmpdir(), "rp-poison-"));
  const controller = new AbortController();
  let coordinator: Coordinator;
  let server: CoordinatorServer;
  const runners: RunnerHandle[] = [];

  before(async () => {
    // A sandbox user must be able to reach the job and mirror directories below it.
    chmodSync(dir, 0o755);
    coordinator = createCoordinator({ dbPath: join(dir, "c.db"), reposDir: join(dir, "repos") });
    server = await startCoordinatorServer(coordinator, { host: "127.0.0.1", port: 0 });
    const src = join(dir, "src");
    git(dir, "init", "-q", "-b", "main", src);
    writeFileSync(join(src, "greeting.txt"), "hello\n");
    git(src, "add", ".");
    git(src, "commit", "-q", "-m", "one");
    await importWorkingTree(src, join(dir, "repos"), "acme", "app", controller.signal);
  });
  after(async () => {
    await Promise.all(runners.map((r) => r.stop().catch(() => undefined)));
    controller.abort();
    await server.close();
    coordinator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runOn(name: string, backend: (workdirParent: string) => Backend, mirror?: MirrorCache) {
    const workdirParent = join(dir, "work", name);
    mkdirSync(workdirParent, { recursive: true });
    const registration = await register({
      client: createForgeClient({ url: server.url }),
      url: server.url,
      token: coordinator.runners.registrationToken(),
      name,
      labels: ["poison:host"],
      file: join(dir, `${name}.runner`),
      signal: controller.signal,
    });
    const runner = await startRunner({
      registration,
      capacity: 1,
      execute: jobExecutor(backend(workdirParent), mirror ? { git: { mirror } } : {}),
      settings: { version: "e2e", fetchWaitMs: 5_000 },
      signal: controller.signal,
    });
    runners.push(runner);
    const sha = git(join(dir, "src"), "rev-parse", "HEAD");
    const [outcome] = coordinator.runs.trigger({
      repo: "acme/app",
      workflows: [{ file: ".gitea/workflows/poison.yml", source: WORKFLOW }],
      event: { name: "push", ref: "refs/heads/main", sha },
    });
    const runId = outcome?.runId;
    assert.ok(runId !== undefined, outcome?.error ?? outcome?.skipped);
    const run = await coordinator.runs.waitForRun(runId, AbortSignal.timeout(60_000));
    await runner.drain();
    const logs = run.jobs.map((j) => `--- ${j.name}\n${coordinator.read.jobLog(j.id).join("\n")}`).join("\n");
    return { run, logs, workdirParent };
  }

  test("host backend as root: read-only, permissionless and root-owned trees, a FIFO and a socket", async () => {
    const { run, logs, workdirParent } = await runOn("host-runner", (p) => createHostBackend({ workdirParent: p }));
    assert.deepEqual(
      run.jobs.map((j) => [j.name, j.result]),
      [
        ["poison", "success"],
        ["clean", "success"],
      ],
      logs,
    );
    assert.match(logs, /uid=0/);
    assert.doesNotMatch(logs, /cleanup could not remove/);
    assert.deepEqual(leftovers(workdirParent), [], "no job directory and no quarantine left");
  });

  test("sandbox backend as another uid, checking out through the host's mirror cache", {
    skip: !sandboxed && "needs bubblewrap and root",
  }, async () => {
    const mirror = new MirrorCache({ dir: join(dir, "mirrors") });
    mkdirSync(mirror.dir, { recursive: true });
    const { run, logs, workdirParent } = await runOn(
      "sandbox-runner",
      (p) => createSandboxBackend({ workdirParent: p, uid: 65534 }),
      mirror,
    );
    assert.deepEqual(
      run.jobs.map((j) => [j.name, j.result]),
      [
        ["poison", "success"],
        ["clean", "success"],
      ],
      logs,
    );
    assert.match(logs, /uid=65534/);
    assert.doesNotMatch(logs, /cleanup could not remove/);
    assert.deepEqual(leftovers(workdirParent), [], "no job directory and no quarantine left");
    assert.ok(existsSync(mirror.pathFor(`${server.url}/acme/app.git`)), "the checkout went through the mirror");
  });
});
