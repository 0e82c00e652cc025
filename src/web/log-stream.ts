import type { ServerResponse } from "node:http";
import type { ApiJob, ApiLogLine } from "./api-types.js";
import type { RunsSource } from "./operator-ports.js";

const FINAL = new Set(["success", "failure", "cancelled", "skipped"]);

/**
 * Writes a job's log as NDJSON (one ApiLogLine a line) from row `from` on. Without `follow`, or once the
 * job is final, the last line says how it ended; with `follow` every new row is written as it is
 * committed, over one chunked response, until the job ends or the caller goes away.
 */
export function streamJobLog(
  res: ServerResponse,
  runs: RunsSource,
  job: ApiJob,
  options: { follow: boolean; from: number },
): void {
  res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
  let sent = Math.max(0, options.from);
  let stop = (): void => undefined;
  const write = (line: ApiLogLine) => res.write(`${JSON.stringify(line)}\n`);
  const flush = (): void => {
    const lines = runs.jobLog(job.id);
    for (; sent < lines.length; sent++) write({ index: sent, text: lines[sent] ?? "" });
    const now = runs.getJob(job.id) ?? job;
    if (options.follow && !FINAL.has(now.status)) return;
    stop();
    write({ end: true, status: now.status, ...(now.result ? { result: now.result } : {}), lines: sent });
    res.end();
  };
  if (options.follow) {
    const unwatch = runs.watch((change) => {
      if (change.jobId === job.id) flush();
    });
    stop = () => {
      stop = () => undefined;
      unwatch();
    };
    res.on("close", () => stop());
  }
  flush();
}
