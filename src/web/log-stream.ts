import type { ServerResponse } from "node:http";
import type { ApiJob, ApiLogLine } from "./api-types.js";
import type { RunsSource } from "./operator-ports.js";

const FINAL = new Set(["success", "failure", "cancelled", "skipped"]);

/**
 * Writes a job's log from row `from` on, as NDJSON (one ApiLogLine a line) or, for a browser's
 * EventSource (`sse`), as server-sent events whose data is the same JSON. Without `follow`, or once the
 * job is final, the last line says how it ended; with `follow` every new row is written as it is
 * committed, over one chunked response, until the job ends or the caller goes away.
 */
export function streamJobLog(
  res: ServerResponse,
  runs: RunsSource,
  job: ApiJob,
  options: { follow: boolean; from: number; sse: boolean },
): void {
  const type = options.sse ? "text/event-stream" : "application/x-ndjson";
  res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
  let sent = Math.max(0, options.from);
  let stop = (): void => undefined;
  const write = (line: ApiLogLine) =>
    res.write(options.sse ? `data: ${JSON.stringify(line)}\n\n` : `${JSON.stringify(line)}\n`);
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
