import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { defaultConfig, loadConfig, type PoolConfig } from "../../config/index.js";
import {
  ArtifactStore,
  type Coordinator,
  createArtifactHandler,
  createCoordinator,
  importWorkingTree,
  type JobView,
  startCoordinatorServer,
} from "../../coordinator/index.js";
import { isSandboxAvailable } from "../../executor/index.js";
import { createLogger, PoolError } from "../../lib/index.js";
import { startLocalPool } from "../../pool/index.js";
import {
  type Diagnostic,
  parseWorkflow,
  planJobs,
  resolveDispatchInputs,
  type TriggerEvent,
  workflowTriggers,
} from "../../workflow/index.js";
import { type Io, keyValues, parseCommandArgs } from "../args.js";
import { hostGitPolicy } from "../git-policy.js";
import { Progress } from "../progress.js";
import { inspectRepo, resolveRef } from "../repo.js";
import { resolveRoles } from "../roles.js";
import { VERSION } from "../version.js";
import { watchCoordinator } from "../watch.js";

const USAGE =
  "runnerpool run [REPO_DIR] [--workflow FILE]... [--event push|workflow_dispatch] [--ref REF] [--input K=V]... [--secret K=V]... [--var K=V]... [--config FILE] [--json]";

export interface RunSummaryJob {
  id: number;
  name: string;
  matrix: Record<string, unknown>;
  runsOn: string[];
  result: "success" | "failure" | "cancelled" | "skipped";
  role: string | null;
  runner: string | null;
  queuedAt: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  outputs: Record<string, string>;
  logFile: string;
  steps: { name: string; result: string; outcome: string }[];
}

/** An artifact the run's jobs uploaded; the files stay in `dir` after `run` exits. */
export interface RunSummaryArtifact {
  name: string;
  dir: string;
  files: { path: string; size: number; sha256: string }[];
}

export interface RunSummaryRun {
  /** The run's id in the coordinator database kept in the scratch dir (`migrate compare --db`). */
  runId?: number;
  workflow: string;
  event: string;
  ref: string;
  error?: string;
  jobs: RunSummaryJob[];
  artifacts?: RunSummaryArtifact[];
}

export interface RunSummary {
  ok: boolean;
  runs: RunSummaryRun[];
}

function finalResult(job: JobView): RunSummaryJob["result"] {
  const r = job.result ?? job.status;
  return r === "success" || r === "failure" || r === "cancelled" || r === "skipped" ? r : "failure";
}

function formatDiagnostic(d: Diagnostic): string {
  const pos = d.line === undefined ? "" : `:${d.line}${d.col === undefined ? "" : `:${d.col}`}`;
  return `${d.file}${pos}: ${d.severity}: ${d.message}`;
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      workflow: { type: "string", multiple: true },
      event: { type: "string", default: "push" },
      ref: { type: "string" },
      input: { type: "string", multiple: true },
      secret: { type: "string", multiple: true },
      var: { type: "string", multiple: true },
      config: { type: "string" },
      json: { type: "boolean", default: false },
      "no-logs": { type: "boolean", default: false },
    },
    USAGE,
  );
  if (positionals.length > 1) throw new PoolError("INVALID_ARGUMENT", `run takes one REPO_DIR\nusage: ${USAGE}`);
  const eventName = values.event;
  if (eventName !== "push" && eventName !== "workflow_dispatch") {
    throw new PoolError("INVALID_ARGUMENT", `--event "${eventName}" is not supported: use push or workflow_dispatch`);
  }
  const inputs = keyValues("input", values.input);
  const secrets = keyValues("secret", values.secret);
  const vars = keyValues("var", values.var);
  const json = values.json === true;
  // With --json, stdout carries only the summary; progress goes to stderr.
  const progress = new Progress({
    write: json ? io.stderr : io.stdout,
    tty: json ? false : io.isTTY,
    logs: values["no-logs"] !== true,
  });

  const sandbox = await isSandboxAvailable();
  const repoArg = resolve(io.cwd, positionals[0] ?? ".");
  // A repository may carry its own pool (examples/hello does); --config wins over it.
  const configFile = values.config
    ? resolve(io.cwd, values.config)
    : existsSync(join(repoArg, "runnerpool.toml"))
      ? join(repoArg, "runnerpool.toml")
      : undefined;
  const config: PoolConfig = configFile ? loadConfig(configFile) : defaultConfig(sandbox);
  const roles = resolveRoles(config, sandbox, configFile ? dirname(configFile) : io.cwd);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const signal = controller.signal;
  const scratch = mkdtempSync(join(tmpdir(), "runnerpool-run-"));
  const logDir = join(scratch, "logs");
  mkdirSync(logDir, { recursive: true });
  const logger = createLogger();

  const repo = await inspectRepo(resolve(io.cwd, positionals[0] ?? "."), scratch, signal);
  const workflowFiles = (values.workflow ?? []).map((w) => {
    const abs = isAbsolute(w) ? w : resolve(io.cwd, w);
    const inRepo = relative(repo.dir, abs);
    return inRepo.startsWith("..") ? relative(resolve(io.cwd, positionals[0] ?? "."), abs) : inRepo;
  });
  const files = workflowFiles.length > 0 ? workflowFiles : repo.workflows;
  if (files.length === 0) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `no workflows in "${repo.dir}": add .gitea/workflows/*.yml (or .github/workflows) or pass --workflow FILE`,
    );
  }
  const { ref, sha } = await resolveRef(repo, values.ref, signal);
  const event: TriggerEvent = {
    name: eventName,
    ref,
    sha,
    ...(eventName === "workflow_dispatch" ? { inputs } : {}),
  };

  const reposDir = join(scratch, "repos");
  const coordinator: Coordinator = createCoordinator({
    dbPath: join(scratch, "coordinator.db"),
    unmatchedTimeoutMs: 1_000,
    logger,
    reposDir,
  });
  // Served by the coordinator, so `actions/checkout` in a job clones it like from a forge.
  const [owner = "local", repoName = ""] = repo.fullName.split("/");
  try {
    await importWorkingTree(repo.dir, reposDir, owner, repoName, signal);
  } catch (err) {
    progress.note(`${repo.fullName} is not served to jobs, actions/checkout will fail: ${(err as Error).message}`);
  }
  // Kept after the run (only work/ is removed), so `migrate compare` and people can look at them.
  const artifacts = new ArtifactStore({ dir: join(scratch, "artifacts") });
  const server = await startCoordinatorServer(coordinator, {
    host: "127.0.0.1",
    port: 0,
    signal,
    handlers: [createArtifactHandler(coordinator.taskTokens, artifacts, { logger })],
  });
  const pool = await startLocalPool({
    forgeUrl: server.url,
    registrationToken: coordinator.runners.registrationToken(),
    roles,
    stateDir: join(scratch, "runners"),
    workdirParent: join(scratch, "work"),
    version: VERSION,
    fetchWaitMs: config.runner.fetch_wait,
    fetchIntervalMs: config.runner.fetch_interval,
    git: hostGitPolicy(config.git, join(scratch, "git-mirrors"), logger),
    ...(config.runner.min_free ? { minFreeBytes: config.runner.min_free } : {}),
    logger,
    signal,
  });
  progress.note(
    `runnerpool ${VERSION}: coordinator ${server.url}, roles ${roles
      .map((r) => `${r.name} [${r.labels.join(", ")}] ${r.backend} x${r.capacity}`)
      .join("; ")}`,
  );

  const unwatch = watchCoordinator(coordinator, progress, (n) => pool.roleOfRunner(n));

  const summary: RunSummary = { ok: true, runs: [] };
  const pending: { entry: RunSummaryRun; runId: number }[] = [];
  try {
    for (const file of files) {
      const entry: RunSummaryRun = { workflow: file, event: eventName, ref, jobs: [] };
      summary.runs.push(entry);
      let source: string;
      try {
        source = readFileSync(join(repo.dir, file), "utf8");
      } catch (err) {
        entry.error = `cannot read workflow "${file}": ${(err as Error).message}`;
        continue;
      }
      const parsed = parseWorkflow(source, file);
      const errors = parsed.diagnostics.filter((d) => d.severity === "error");
      for (const d of parsed.diagnostics) progress.note(formatDiagnostic(d));
      if (!parsed.workflow || errors.length > 0) {
        entry.error = errors.map(formatDiagnostic).join("\n") || `${file}: not a workflow`;
        continue;
      }
      const workflow = parsed.workflow;
      if (!workflowTriggers(workflow, event)) {
        progress.note(`${file}: not triggered by ${eventName} on ${ref}; skipped`);
        summary.runs.pop();
        continue;
      }
      const dispatch = resolveDispatchInputs(workflow, eventName === "workflow_dispatch" ? inputs : {});
      const inputErrors = dispatch.diagnostics.filter((d) => d.severity === "error");
      if (inputErrors.length > 0) {
        entry.error = inputErrors.map(formatDiagnostic).join("\n");
        continue;
      }
      const github = {
        event_name: eventName,
        ref,
        ref_name: ref.replace(/^refs\/(heads|tags)\//, ""),
        ref_type: ref.startsWith("refs/tags/") ? "tag" : "branch",
        sha,
        repository: repo.fullName,
        repository_owner: repo.fullName.split("/")[0],
        workflow: workflow.name ?? file,
        actor: "runnerpool",
      };
      const plan = planJobs(workflow, { github, vars, inputs: dispatch.inputs });
      const planErrors = plan.diagnostics.filter((d) => d.severity === "error");
      if (planErrors.length > 0) {
        entry.error = planErrors.map(formatDiagnostic).join("\n");
        continue;
      }
      const { runId } = coordinator.runs.create({
        repo: repo.fullName,
        workflowFile: file,
        workflowName: workflow.name ?? file,
        event: {
          ...event,
          ...(eventName === "workflow_dispatch"
            ? { inputs: Object.fromEntries(Object.entries(dispatch.inputs).map(([k, v]) => [k, String(v)])) }
            : {}),
        },
        jobs: plan.jobs,
        secrets,
        vars,
        actor: "runnerpool",
      });
      entry.runId = runId;
      pending.push({ entry, runId });
    }

    for (const { entry, runId } of pending) {
      const run = await coordinator.runs.waitForRun(runId, signal);
      entry.artifacts = artifacts.listArtifacts(runId).map((a) => ({
        name: a.name,
        dir: artifacts.artifactDir(runId, a.name),
        files: a.files,
      }));
      for (const job of run.jobs) {
        const logFile = join(logDir, `run-${runId}-job-${job.id}.log`);
        writeFileSync(logFile, `${coordinator.read.jobLog(job.id).join("\n")}\n`);
        entry.jobs.push({
          id: job.id,
          name: job.name,
          matrix: job.matrix,
          runsOn: job.runsOn,
          result: finalResult(job),
          role: job.runnerName ? (pool.roleOfRunner(job.runnerName) ?? null) : null,
          runner: job.runnerName ?? null,
          queuedAt: job.queuedAt ?? null,
          startedAt: job.startedAt ?? null,
          stoppedAt: job.stoppedAt ?? null,
          outputs: job.outputs,
          logFile,
          steps: job.steps.map((s) => ({
            name: s.name,
            result: s.result ?? "skipped",
            outcome: s.outcome ?? s.result ?? "skipped",
          })),
        });
      }
    }
  } finally {
    unwatch();
    await pool.drain().catch(() => undefined);
    await server.close().catch(() => undefined);
    coordinator.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    rmSync(join(scratch, "work"), { recursive: true, force: true });
    rmSync(join(scratch, "git-mirrors"), { recursive: true, force: true });
  }

  summary.ok =
    summary.runs.length > 0 &&
    summary.runs.every((r) => !r.error && r.jobs.every((j) => j.result === "success" || j.result === "skipped"));
  for (const r of summary.runs) if (r.error) progress.note(r.error);
  progress.table(
    summary.runs.flatMap((r) =>
      r.jobs.map((j) => ({
        name: j.name,
        result: j.result,
        role: j.role,
        runner: j.runner,
        seconds: j.startedAt && j.stoppedAt ? (Date.parse(j.stoppedAt) - Date.parse(j.startedAt)) / 1000 : null,
      })),
    ),
  );
  const failed = summary.runs.flatMap((r) => r.jobs.filter((j) => j.result !== "success" && j.result !== "skipped"));
  progress.note(
    `${summary.ok ? "ok" : "FAILED"}: ${summary.runs.reduce((n, r) => n + r.jobs.length, 0)} jobs, ${failed.length} not successful; logs in ${logDir}`,
  );
  if (summary.runs.some((r) => (r.artifacts ?? []).length > 0)) progress.note(`artifacts in ${artifacts.dir}`);
  if (json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  return summary.ok ? 0 : 1;
}
