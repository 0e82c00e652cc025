import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ArtifactStore, Coordinator, JobView, RunView } from "../../coordinator/index.js";
import type { JobResult } from "../../lib/index.js";
import type { Progress } from "../progress.js";

export interface RunSummaryJob {
  id: number;
  name: string;
  matrix: Record<string, unknown>;
  runsOn: string[];
  result: JobResult;
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

/** What `run --json` prints; `migrate compare` reads it back. */
export interface RunSummary {
  ok: boolean;
  runs: RunSummaryRun[];
}

function finalResult(job: JobView): JobResult {
  const r = job.result ?? job.status;
  return r === "success" || r === "failure" || r === "cancelled" || r === "skipped" ? r : "failure";
}

/** Where a finished run's logs go, and who ran its jobs. */
export interface RunRecordPlace {
  coordinator: Coordinator;
  artifacts: ArtifactStore;
  logDir: string;
  roleOf: (runner: string) => string | undefined;
}

/** Fills a summary entry from its finished run: jobs with a plain-text copy of each log, and artifacts. */
export function recordRun(entry: RunSummaryRun, run: RunView, place: RunRecordPlace): void {
  const { coordinator, artifacts } = place;
  const runId = run.id;
  entry.artifacts = artifacts.listArtifacts(runId).map((a) => ({
    name: a.name,
    dir: artifacts.artifactDir(runId, a.name),
    files: a.files,
  }));
  for (const job of run.jobs) {
    const logFile = join(place.logDir, `run-${runId}-job-${job.id}.log`);
    writeFileSync(logFile, `${coordinator.read.jobLog(job.id).join("\n")}\n`);
    entry.jobs.push({
      id: job.id,
      name: job.name,
      matrix: job.matrix,
      runsOn: job.runsOn,
      result: finalResult(job),
      role: job.runnerName ? (place.roleOf(job.runnerName) ?? null) : null,
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

/** A run is ok when it started something and every run and job succeeded (or was skipped). */
export function summaryOk(runs: RunSummaryRun[]): boolean {
  return (
    runs.length > 0 &&
    runs.every((r) => !r.error && r.jobs.every((j) => j.result === "success" || j.result === "skipped"))
  );
}

/** The end of a run for people: errors, a table of jobs, the verdict and where logs and artifacts are. */
export function printSummary(progress: Progress, summary: RunSummary, dirs: { logs: string; artifacts: string }): void {
  for (const r of summary.runs) if (r.error) progress.note(r.error);
  progress.table(
    summary.runs.flatMap((r) =>
      r.jobs.map((j) => ({
        // The same prefix as the progress lines, so two runs' jobs of the same name stay apart.
        name: r.runId === undefined ? j.name : `run ${r.runId} ${j.name}`,
        result: j.result,
        role: j.role,
        runner: j.runner,
        seconds: j.startedAt && j.stoppedAt ? (Date.parse(j.stoppedAt) - Date.parse(j.startedAt)) / 1000 : null,
      })),
    ),
  );
  const failed = summary.runs.flatMap((r) => r.jobs.filter((j) => j.result !== "success" && j.result !== "skipped"));
  progress.note(
    `${summary.ok ? "ok" : "FAILED"}: ${summary.runs.reduce((n, r) => n + r.jobs.length, 0)} jobs, ${failed.length} not successful; logs in ${dirs.logs}`,
  );
  if (summary.runs.some((r) => (r.artifacts ?? []).length > 0)) progress.note(`artifacts in ${dirs.artifacts}`);
}
