/**
 * Live progress of jobs and steps: one line per event, colour and symbols on a terminal, plain lines
 * otherwise. Every job line starts with `[run 12 build (linux)]` (run id and job name; ` #2` from a
 * job's second attempt on, when a claim was given back), so runs with the same job names stay apart.
 */
export interface ProgressJob {
  id: number;
  name: string;
  /** The run the job belongs to. */
  runId: number;
  /** 1 for the job's first task; one more each time it is handed to a runner again. */
  attempt: number;
}

export interface ProgressOptions {
  write: (text: string) => void;
  tty: boolean;
  /** Print job log lines too (on by default; the summary still has log files). */
  logs: boolean;
  /** One JSON object per line instead of text, for machines. */
  json?: boolean;
}

const COLORS = [36, 35, 33, 34, 32, 96, 95, 93];
const SYMBOL: Record<string, string> = {
  success: "✓",
  failure: "✗",
  cancelled: "⊘",
  skipped: "↷",
};

/** `run 12 build (linux)`, and ` #2` on a job's later attempts. */
export function jobLabel(job: ProgressJob): string {
  return `run ${job.runId} ${job.name}${job.attempt > 1 ? ` #${job.attempt}` : ""}`;
}

export class Progress {
  private readonly colorOf = new Map<number, number>();
  private readonly startTimes = new Map<number, number>();

  constructor(private readonly options: ProgressOptions) {}

  private paint(code: number, text: string): string {
    return this.options.tty ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  private prefix(job: ProgressJob): string {
    let c = this.colorOf.get(job.id);
    if (c === undefined) {
      c = COLORS[this.colorOf.size % COLORS.length] ?? 36;
      this.colorOf.set(job.id, c);
    }
    return this.paint(c, `[${jobLabel(job)}]`);
  }

  private line(job: ProgressJob, text: string): void {
    this.options.write(`${this.prefix(job)} ${text}\n`);
  }

  /** JSON events name the job as `{ id, run, name, attempt }` and carry `run` at the top level too. */
  private emit(event: string, fields: Record<string, unknown> & { job?: ProgressJob }): boolean {
    if (!this.options.json) return false;
    const { job, ...rest } = fields;
    const who = job
      ? { run: job.runId, job: { id: job.id, run: job.runId, name: job.name, attempt: job.attempt } }
      : {};
    this.options.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...who, ...rest })}\n`);
    return true;
  }

  ready(info: {
    version: string;
    forge: string;
    embedded: boolean;
    roles: { role: string; runner: string; labels: string[] }[];
  }): void {
    if (this.emit("ready", info)) return;
    this.note(`runnerpool ${info.version} is up`);
    this.note(`  ${info.embedded ? "coordinator (embedded forge)" : "forge"}: ${info.forge}`);
    for (const r of info.roles) this.note(`  role ${r.role}: runner ${r.runner} [${r.labels.join(", ")}]`);
    this.note("press Ctrl-C to drain and stop");
  }

  queued(job: ProgressJob, runsOn: string[]): void {
    if (this.emit("queued", { job, runsOn })) return;
    this.line(job, `queued for [${runsOn.join(", ")}]`);
  }

  started(job: ProgressJob, runner: string, role: string | undefined): void {
    if (this.emit("started", { job, runner, role })) return;
    this.startTimes.set(job.id, Date.now());
    this.line(job, `started on ${runner}${role ? ` (role ${role})` : ""}`);
  }

  stepStarted(job: ProgressJob, index: number, name: string): void {
    if (this.emit("stepStarted", { job, step: index, name })) return;
    this.line(job, this.paint(1, `▶ step ${index + 1}: ${name}`));
  }

  stepFinished(job: ProgressJob, index: number, name: string, result: string): void {
    if (this.emit("stepFinished", { job, step: index, name, result })) return;
    const sym = SYMBOL[result] ?? "?";
    const colored = result === "success" ? this.paint(32, sym) : result === "failure" ? this.paint(31, sym) : sym;
    this.line(job, `${colored} step ${index + 1}: ${name} (${result})`);
  }

  log(job: ProgressJob, text: string): void {
    if (this.emit("log", { job, line: text })) return;
    if (this.options.logs) this.line(job, this.paint(2, "│ ") + text);
  }

  finished(job: ProgressJob, result: string): void {
    if (this.emit("finished", { job, result })) return;
    const t0 = this.startTimes.get(job.id);
    const took = t0 === undefined ? "" : ` in ${((Date.now() - t0) / 1000).toFixed(1)}s`;
    const sym = SYMBOL[result] ?? "?";
    const text = `${sym} job ${result}${took}`;
    this.line(job, result === "success" ? this.paint(32, text) : result === "skipped" ? text : this.paint(31, text));
  }

  note(text: string): void {
    if (this.emit("note", { text })) return;
    this.options.write(`${text}\n`);
  }

  /** A closing table: one line per job with result, role, runner and wall time. */
  table(
    rows: { name: string; result: string; role: string | null; runner: string | null; seconds: number | null }[],
  ): void {
    if (this.emit("summary", { jobs: rows }) || rows.length === 0) return;
    const width = Math.max(4, ...rows.map((r) => r.name.length));
    this.note(`${"job".padEnd(width)}  result     role        runner        time`);
    for (const r of rows) {
      const sym = SYMBOL[r.result] ?? "?";
      const result = `${sym} ${r.result}`.padEnd(10);
      const colored =
        r.result === "success" ? this.paint(32, result) : r.result === "skipped" ? result : this.paint(31, result);
      const time = r.seconds === null ? "-" : `${r.seconds.toFixed(1)}s`;
      this.note(
        `${r.name.padEnd(width)}  ${colored} ${(r.role ?? "-").padEnd(11)} ${(r.runner ?? "-").padEnd(13)} ${time}`,
      );
    }
  }
}
