import type { ApiJob, ApiRun, ApiRunListItem } from "../web/index.js";
import type { Io } from "./args.js";

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

function between(from: string | undefined, to: string | undefined): string {
  if (!from) return "-";
  return duration(Math.max(0, (to ? Date.parse(to) : Date.now()) - Date.parse(from)));
}

const shortRef = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, "");

/** `runs list`: one line a run, newest first, in columns. */
export function printRunList(io: Io, runs: ApiRunListItem[]): void {
  if (runs.length === 0) {
    io.stdout("no runs yet: push to the coordinator or `runnerpool runs dispatch WORKFLOW`\n");
    return;
  }
  const rows = runs.map((r) => [
    String(r.id),
    `${r.workflowFile.split("/").pop()} #${r.runNumber}`,
    r.event,
    shortRef(r.ref),
    r.result ?? r.status,
    duration(r.durationMs),
    r.jobs.failed > 0 ? `${r.jobs.failed}/${r.jobs.total} failed` : `${r.jobs.total} job(s)`,
  ]);
  const head = ["RUN", "WORKFLOW", "EVENT", "REF", "STATUS", "DURATION", "JOBS"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  for (const row of [head, ...rows])
    io.stdout(
      `${row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd()}\n`,
    );
}

function jobLine(j: ApiJob): string {
  const where = j.runnerName ? ` on ${j.runnerName}${j.role ? ` (role ${j.role})` : ""}` : "";
  const waited = j.startedAt ? `, waited ${between(j.queuedAt, j.startedAt)}` : "";
  return `  job ${j.id} ${j.name} [${j.runsOn.join(", ")}]: ${j.result ?? j.status}${where}${waited}, ran ${between(j.startedAt, j.stoppedAt)}\n`;
}

/** `runs show`: the run, then each job with role, runner and timings, then its steps. */
export function printRun(io: Io, run: ApiRun): void {
  io.stdout(
    `run ${run.id}: ${run.workflowName} (${run.workflowFile} #${run.runNumber}) ${run.event} ${shortRef(run.ref)} ${run.sha.slice(0, 12)} by ${run.actor}\n`,
  );
  io.stdout(`  ${run.result ?? run.status}, created ${run.createdAt}, took ${between(run.createdAt, run.stoppedAt)}\n`);
  for (const j of run.jobs) {
    io.stdout(jobLine(j));
    if (j.unservable) io.stdout(`    ${j.unservable}\n`);
    for (const s of j.steps) {
      io.stdout(
        `    ${String(s.index + 1).padStart(2)}. ${s.name}: ${s.result ?? s.status} ${between(s.startedAt, s.stoppedAt)}\n`,
      );
    }
  }
}
