import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openConfig } from "../../config/index.js";
import { isSandboxAvailable } from "../../executor/index.js";
import { createLogger, errorMessage } from "../../lib/index.js";
import { guardedLabels, type Supervisor } from "../../pool/index.js";
import { formatDiagnostic, type TriggerEvent } from "../../workflow/index.js";
import type { Io } from "../args.js";
import { assemblePool, poolSettings, singleInstanceRoles } from "../assembly/pool.js";
import { resolveRoles } from "../assembly/roles.js";
import { Progress } from "../progress.js";
import { inspectRepo, resolveRef } from "../repo.js";
import { type RunForge, startRunForge } from "../run/run-forge.js";
import { parseRunArgs, type RunRequest, workflowFilesOf } from "../run/run-request.js";
import { printSummary, type RunSummary, type RunSummaryRun, recordRun, summaryOk } from "../run/run-summary.js";
import { VERSION } from "../version.js";
import { watchCoordinator } from "../watch.js";

/** Runs a repository's workflows once, on a pool of one instance per role, against a scratch embedded forge. */
export async function runCommand(argv: string[], io: Io): Promise<number> {
  const request = parseRunArgs(argv, io);
  // With --json, stdout carries only the summary; progress goes to stderr.
  const progress = new Progress({
    write: request.json ? io.stderr : io.stdout,
    tty: request.json ? false : io.isTTY,
    logs: request.logs,
  });
  const sandbox = await isSandboxAvailable();
  // A repository may carry its own pool (examples/hello does); --config wins over it.
  const { config, baseDir } = openConfig({
    given: request.config,
    dirs: [request.repoArg],
    cwd: io.cwd,
    sandboxAvailable: sandbox,
  });
  const roles = resolveRoles(config, sandbox, baseDir);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const signal = controller.signal;
  const scratch = mkdtempSync(join(tmpdir(), "runnerpool-run-"));
  const logDir = join(scratch, "logs");
  mkdirSync(logDir, { recursive: true });
  const logger = createLogger();

  const repo = await inspectRepo(request.repoArg, scratch, signal);
  const files = workflowFilesOf(request, repo);
  const { ref, sha } = await resolveRef(repo, request.ref, signal);
  const event: TriggerEvent = {
    name: request.event,
    ref,
    sha,
    ...(request.event === "workflow_dispatch" ? { inputs: request.inputs } : {}),
  };
  const forge = await startRunForge(scratch, repo, {
    logger,
    signal,
    note: (t) => progress.note(t),
    guardedLabels: guardedLabels(roles),
  });
  const pool = assemblePool({
    ...poolSettings(
      config,
      { runners: join(scratch, "runners"), work: join(scratch, "work"), mirrors: join(scratch, "git-mirrors") },
      true,
      logger,
    ),
    forgeUrl: forge.server.url,
    registrationToken: () => forge.coordinator.runners.registrationToken(),
    roles: singleInstanceRoles(roles),
    logger,
    signal,
  });
  await pool.start();
  progress.note(
    `runnerpool ${VERSION}: coordinator ${forge.server.url}, roles ${roles
      .map((r) => `${r.name} [${r.labels.join(", ")}] ${r.backend} x${r.capacity}`)
      .join("; ")}`,
  );

  const unwatch = watchCoordinator(forge.coordinator, progress, (n) => pool.roleOfRunner(n));
  const summary: RunSummary = { ok: true, runs: [] };
  try {
    summary.runs = await runWorkflows({ request, repo, files, event, forge, pool, progress, logDir, signal });
  } finally {
    unwatch();
    await pool.drainAll().catch(() => undefined);
    await forge.server.close().catch(() => undefined);
    forge.coordinator.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    rmSync(join(scratch, "work"), { recursive: true, force: true });
    rmSync(join(scratch, "git-mirrors"), { recursive: true, force: true });
  }

  summary.ok = summaryOk(summary.runs);
  printSummary(progress, summary, { logs: logDir, artifacts: forge.artifacts.dir });
  if (request.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  return summary.ok ? 0 : 1;
}

interface RunContext {
  request: RunRequest;
  repo: { dir: string; fullName: string };
  files: string[];
  event: TriggerEvent;
  forge: RunForge;
  pool: Supervisor;
  progress: Progress;
  logDir: string;
  signal: AbortSignal;
}

/** Triggers the workflows, waits for their runs, and records each in the summary, in the order of `files`. */
async function runWorkflows(ctx: RunContext): Promise<RunSummaryRun[]> {
  const { event, forge, progress } = ctx;
  const entry = (workflow: string): RunSummaryRun => ({ workflow, event: event.name, ref: event.ref, jobs: [] });
  const sources: { file: string; source: string }[] = [];
  const unreadable = new Map<string, string>();
  for (const file of ctx.files) {
    try {
      sources.push({ file, source: readFileSync(join(ctx.repo.dir, file), "utf8") });
    } catch (err) {
      unreadable.set(file, `cannot read workflow "${file}": ${errorMessage(err)}`);
    }
  }
  const outcomes = forge.coordinator.runs.trigger({
    repo: ctx.repo.fullName,
    workflows: sources,
    event,
    vars: ctx.request.vars,
    secrets: ctx.request.secrets,
  });
  const runs: RunSummaryRun[] = [];
  const pending: { entry: RunSummaryRun; runId: number }[] = [];
  for (const file of ctx.files) {
    const read = unreadable.get(file);
    if (read !== undefined) {
      runs.push({ ...entry(file), error: read });
      continue;
    }
    const outcome = outcomes.find((o) => o.workflow === file);
    if (!outcome) continue;
    for (const d of outcome.diagnostics) progress.note(formatDiagnostic(d));
    if (outcome.skipped !== undefined) {
      progress.note(`${file}: ${outcome.skipped}; skipped`);
      continue;
    }
    const run = entry(file);
    runs.push(run);
    const errors = outcome.diagnostics.filter((d) => d.severity === "error");
    if (outcome.error !== undefined) run.error = errors.map((d) => formatDiagnostic(d)).join("\n") || outcome.error;
    else if (outcome.runId !== undefined) {
      run.runId = outcome.runId;
      pending.push({ entry: run, runId: outcome.runId });
    }
  }
  const place = { ...forge, logDir: ctx.logDir, roleOf: (n: string) => ctx.pool.roleOfRunner(n) };
  for (const { entry: run, runId } of pending) {
    recordRun(run, await forge.coordinator.runs.waitForRun(runId, ctx.signal), place);
  }
  return runs;
}
