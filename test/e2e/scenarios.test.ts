import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type Coordinator,
  type CoordinatorServer,
  createCoordinator,
  // Test-only: the coordinator's git hosting serves the remote actions of the scenarios.
  createGitHttpHandler,
  type JobView,
  type RunView,
  startCoordinatorServer,
} from "../../src/coordinator/index.js";
import { createHostBackend, runJob } from "../../src/executor/index.js";
import { createForgeClient } from "../../src/protocol/index.js";
import { type ExecuteJob, type RunnerHandle, register, startRunner } from "../../src/runner/index.js";

// Every folder of testdata/scenarios/ is one workflow (push.yml) with its expected outcome
// (expected.json), run through the real coordinator and real runners over HTTP on 127.0.0.1 with
// the host backend. The folder's files are the job's workspace (as if checked out); remote actions
// come from testdata/scenarios/_actions/<owner>/<repo>/, served as git repositories (tag v1).

const SCENARIOS = fileURLToPath(new URL("../../testdata/scenarios/", import.meta.url));
const LABELS = ["self-hosted", "linux", "ubuntu-latest"];
const RUNNERS = Number(process.env.SCENARIO_RUNNERS ?? 3);
const CAPACITY = Number(process.env.SCENARIO_CAPACITY ?? 2);

type Result = "success" | "failure" | "cancelled" | "skipped";

interface JobExpectation {
  result: Result;
  /** Results of the job's steps, in order. */
  steps?: Result[];
  outputs?: Record<string, string>;
  /** Lines that must appear in this order; `/re/` is a regular expression, else a substring. */
  log?: string[];
  /** Lines that must not appear anywhere (same matching). */
  notLog?: string[];
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir !== "" && existsSync(join(dir, program)));
}

interface Expectation {
  description: string;
  /** Why the scenario is not run (also listed in SKIPPED.md). */
  skip?: string;
  /** A program the scenario needs; without it on PATH, `withoutRequired` is what must happen instead. */
  requires?: string;
  withoutRequired?: Record<string, JobExpectation>;
  event?: { name: "push" | "workflow_dispatch"; inputs?: Record<string, string> };
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Send push.yml as the payload of one job `broken` without parsing it here (malformed workflows). */
  raw?: boolean;
  /** Keyed by job name, or job id when the name differs. */
  jobs: Record<string, JobExpectation>;
}

interface Scenario {
  name: string;
  dir: string;
  source: string;
  expected: Expectation;
}

function loadScenarios(): Scenario[] {
  return readdirSync(SCENARIOS, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("_"))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = join(SCENARIOS, name);
      return {
        name,
        dir,
        source: readFileSync(join(dir, "push.yml"), "utf8"),
        expected: JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Expectation,
      };
    });
}

function git(args: string[], cwd: string): void {
  execFileSync("git", args, {
    cwd,
    stdio: "ignore",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: cwd,
      GIT_AUTHOR_NAME: "scenario",
      GIT_AUTHOR_EMAIL: "scenario@example.invalid",
      GIT_COMMITTER_NAME: "scenario",
      GIT_COMMITTER_EMAIL: "scenario@example.invalid",
      GIT_CONFIG_NOSYSTEM: "1",
    },
  });
}

/** Turns each testdata/scenarios/_actions/<owner>/<repo> folder into a bare repository with tag v1. */
function buildActionRepos(reposDir: string, workDir: string): void {
  const source = join(SCENARIOS, "_actions");
  if (!existsSync(source)) return;
  for (const owner of readdirSync(source)) {
    for (const repo of readdirSync(join(source, owner))) {
      const work = join(workDir, owner, repo);
      mkdirSync(work, { recursive: true });
      cpSync(join(source, owner, repo), work, { recursive: true });
      git(["init", "-q", "-b", "main"], work);
      git(["add", "-A"], work);
      git(["commit", "-q", "-m", "action"], work);
      git(["tag", "v1"], work);
      mkdirSync(join(reposDir, owner), { recursive: true });
      git(["clone", "-q", "--bare", work, join(reposDir, owner, `${repo}.git`)], workDir);
    }
  }
}

function matches(line: string, pattern: string): boolean {
  if (pattern.length > 1 && pattern.startsWith("/") && pattern.endsWith("/")) {
    return new RegExp(pattern.slice(1, -1)).test(line);
  }
  return line.includes(pattern);
}

function checkJob(job: JobView, log: string[], want: JobExpectation, label: string): void {
  const text = `${label} log:\n${log.join("\n")}`;
  assert.equal(job.result ?? job.status, want.result, `${label} result\n${text}`);
  if (want.steps) {
    assert.deepEqual(
      job.steps.map((s) => s.result ?? s.status),
      want.steps,
      `${label} step results\n${text}`,
    );
  }
  if (want.outputs) assert.deepEqual(job.outputs, want.outputs, `${label} outputs`);
  let from = 0;
  for (const pattern of want.log ?? []) {
    const at = log.findIndex((line, i) => i >= from && matches(line, pattern));
    assert.ok(at >= 0, `${label}: no line matching ${JSON.stringify(pattern)} after line ${from}\n${text}`);
    from = at + 1;
  }
  for (const pattern of want.notLog ?? []) {
    const bad = log.find((line) => matches(line, pattern));
    assert.equal(bad, undefined, `${label}: a line matches ${JSON.stringify(pattern)}\n${text}`);
  }
}

function findJob(run: RunView, key: string): JobView | undefined {
  return run.jobs.find((j) => j.name === key) ?? run.jobs.find((j) => j.jobId === key);
}

describe("testdata/scenarios through the real coordinator and runners", () => {
  const scenarios = loadScenarios();
  const dir = mkdtempSync(join(tmpdir(), "rp-scenarios-"));
  const controller = new AbortController();
  const runners: RunnerHandle[] = [];
  const runs = new Map<string, Promise<RunView>>();
  let coordinator: Coordinator;
  let server: CoordinatorServer;
  let gitServer: Server;

  before(async () => {
    const reposDir = join(dir, "repos");
    buildActionRepos(reposDir, join(dir, "action-work"));
    const handler = createGitHttpHandler({ reposDir, signal: controller.signal });
    gitServer = createServer((req, res) => {
      if (!handler(req, res)) {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => gitServer.listen(0, "127.0.0.1", resolve));
    const gitUrl = `http://127.0.0.1:${(gitServer.address() as AddressInfo).port}`;

    coordinator = createCoordinator({ dbPath: ":memory:", defaultActionsUrl: gitUrl });
    server = await startCoordinatorServer(coordinator, { host: "127.0.0.1", port: 0 });
    const byRepo = new Map(scenarios.map((s) => [`scenarios/${s.name}`, s.dir]));
    const seeded = (workdirParent: string): ExecuteJob => {
      const backend = createHostBackend({ workdirParent });
      return (job) => {
        const seed = byRepo.get(String(job.request.context.repository ?? ""));
        return runJob({
          ...job,
          backend,
          ...(seed ? { seedWorkspace: seed } : {}),
          actions: { cacheDir: join(dir, "actions-cache") },
        });
      };
    };
    for (let i = 0; i < RUNNERS; i++) {
      const name = `scenario-${i}`;
      const registration = await register({
        client: createForgeClient({ url: server.url }),
        url: server.url,
        token: coordinator.runners.registrationToken(),
        name,
        labels: LABELS.map((l) => `${l}:host`),
        file: join(dir, `${name}.runner`),
        signal: controller.signal,
      });
      runners.push(
        await startRunner({
          registration,
          capacity: CAPACITY,
          execute: seeded(join(dir, "work", name)),
          settings: { version: "scenarios", fetchWaitMs: 10_000 },
          cancelGraceMs: 3_000,
          report: { logIntervalMs: 200, stateIntervalMs: 200 },
          signal: controller.signal,
        }),
      );
    }
    for (const s of scenarios) {
      if (s.expected.skip !== undefined) continue;
      // A scenario that cannot even be submitted fails its own test, not the whole file.
      const run = Promise.resolve().then(() => submit(coordinator, s));
      run.catch(() => undefined);
      runs.set(s.name, run);
    }
  });

  after(async () => {
    await Promise.all(runners.map((r) => r.stop().catch(() => undefined)));
    controller.abort();
    await server?.close();
    coordinator?.close();
    await new Promise<void>((resolve) => (gitServer ? gitServer.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test("there are at least 40 scenarios, each with a description", () => {
    assert.ok(scenarios.length >= 40, `${scenarios.length} scenarios`);
    for (const s of scenarios) assert.ok(s.expected.description, `${s.name} has a description`);
  });

  for (const s of scenarios) {
    test(`${s.name}: ${s.expected.description}`, { skip: s.expected.skip ?? false }, async () => {
      const run = await runs.get(s.name);
      assert.ok(run, "the run was submitted");
      // SCENARIO_LOGS=1 prints every job log, for writing a new scenario's expectations.
      if (process.env.SCENARIO_LOGS) {
        for (const j of run.jobs)
          process.stdout.write(`--- ${s.name}/${j.name}\n${coordinator.read.jobLog(j.id).join("\n")}\n`);
      }
      const expected =
        s.expected.requires && s.expected.withoutRequired && !onPath(s.expected.requires)
          ? s.expected.withoutRequired
          : s.expected.jobs;
      for (const [key, want] of Object.entries(expected)) {
        const job = findJob(run, key);
        assert.ok(job, `job '${key}' exists among ${run.jobs.map((j) => j.name).join(", ")}`);
        checkJob(job, coordinator.read.jobLog(job.id), want, `${s.name}/${key}`);
      }
    });
  }

  test("after every scenario, including the broken ones, the runners still take jobs", async () => {
    await Promise.allSettled(runs.values());
    const after = await submit(coordinator, {
      name: "after-all",
      dir: SCENARIOS,
      source: "on: push\njobs:\n  last:\n    runs-on: self-hosted\n    steps:\n      - run: echo still here\n",
      expected: { description: "", jobs: {} },
    });
    assert.equal(after.jobs[0]?.result, "success");
    for (const r of runners) assert.notEqual(r.status().state, "stopped", `${r.name} is up`);
  });
});

/** Starts the scenario through the coordinator's trigger path, like a forge event; resolves when the run is final. */
function submit(coordinator: Coordinator, s: Scenario): Promise<RunView> {
  const event = s.expected.event ?? { name: "push" };
  const triggerEvent = {
    name: event.name,
    ref: "refs/heads/main",
    sha: "c0ffee".padEnd(40, "0"),
    ...(event.inputs ? { inputs: event.inputs } : {}),
  };
  const secrets = s.expected.secrets ?? {};
  const vars = s.expected.vars ?? {};
  let runId: number | undefined;
  if (s.expected.raw) {
    // A payload no planner would produce: only the runner can report what is wrong with it.
    const jobs = [
      { jobId: "broken", name: "broken", matrix: {}, runsOn: ["self-hosted"], needs: [], payload: s.source },
    ];
    const repo = `scenarios/${s.name}`;
    runId = coordinator.runs.create({
      repo,
      workflowFile: "push.yml",
      workflowName: s.name,
      event: triggerEvent,
      jobs,
      secrets,
      vars,
    }).runId;
  } else {
    const [outcome] = coordinator.runs.trigger({
      repo: `scenarios/${s.name}`,
      workflows: [{ file: ".gitea/workflows/push.yml", source: s.source }],
      event: triggerEvent,
      secrets,
      vars,
    });
    runId = outcome?.runId;
    if (runId === undefined)
      throw new Error(`${s.name}: ${outcome?.error ?? outcome?.skipped ?? "no run was started"}`);
  }
  return coordinator.runs.waitForRun(runId, AbortSignal.timeout(60_000));
}
