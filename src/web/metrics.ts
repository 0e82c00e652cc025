import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { hasBearer, isLocalRequest, sendJson } from "../lib/index.js";
import type { ApiError, ApiJob } from "./api-types.js";
import type { OperatorSources } from "./operator-ports.js";

export const METRICS_PATH = "/metrics";

const FINAL = new Set(["success", "failure", "cancelled", "skipped"]);
const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** Gauges read the pool and the queue at scrape time, so a scrape is never staler than the request. */
function poolGauges(registry: Registry, sources: OperatorSources): void {
  new Gauge({
    name: "runnerpool_queue_depth",
    help: "Jobs waiting for a runner, by the first role whose labels cover them (none: no role does)",
    labelNames: ["role"],
    registers: [registry],
    collect() {
      this.reset();
      const status = sources.pool.status();
      for (const r of status.roles) this.set({ role: r.name }, 0);
      for (const g of status.queue ?? []) this.inc({ role: g.roles?.[0] ?? "none" }, g.jobIds.length);
    },
  });
  new Gauge({
    name: "runnerpool_instances",
    help: "Instances of each role by state",
    labelNames: ["role", "state"],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of sources.pool.status().roles) {
        for (const i of r.instances) this.inc({ role: r.name, state: i.state });
      }
    },
  });
  new Gauge({
    name: "runnerpool_slots",
    help: "Job slots of live instances by role, busy or idle",
    labelNames: ["role", "state"],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of sources.pool.status().roles) {
        this.set({ role: r.name, state: "busy" }, r.busySlots);
        this.set({ role: r.name, state: "idle" }, r.idleSlots);
      }
    },
  });
}

/** One built-in checkout, as the host's git policy reports it. */
export interface CheckoutSample {
  bytes: number;
  /** hit, fetched, built, failed (went around the mirror) or off (no mirror cache). */
  mirror: string;
}

function checkoutMetrics(registry: Registry): (checkout: CheckoutSample) => void {
  const bytes = new Counter({
    name: "runnerpool_checkout_bytes_total",
    help: "Bytes of objects checkouts put into job clones (objects borrowed from the mirror cache not counted)",
    registers: [registry],
  });
  const checkouts = new Counter({
    name: "runnerpool_checkouts_total",
    help: "Built-in checkouts by what the mirror cache did: hit, fetched, built, failed, off",
    labelNames: ["mirror"],
    registers: [registry],
  });
  return (c) => {
    bytes.inc(c.bytes);
    checkouts.inc({ mirror: c.mirror });
  };
}

/** Histograms and counters follow the coordinator's committed changes; only the embedded forge has them. */
function runMetrics(registry: Registry, sources: OperatorSources): () => void {
  const runs = sources.runs;
  if (!runs) return () => undefined;
  const pickup = new Histogram({
    name: "runnerpool_pickup_latency_seconds",
    help: "From a job entering the queue to a runner claiming it, by role",
    labelNames: ["role"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "runnerpool_job_duration_seconds",
    help: "From a job's start to its end, by role and result",
    labelNames: ["role", "result"],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers: [registry],
  });
  const rows = new Counter({
    name: "runnerpool_log_rows_received_total",
    help: "Log rows runners sent with UpdateLog",
    registers: [registry],
  });
  const roleOf = (job: ApiJob) => (job.runnerName && sources.pool.roleOfRunner(job.runnerName)) || "unknown";
  return runs.watch((change) => {
    if (change.kind === "log") {
      rows.inc(change.rows);
      return;
    }
    const job = runs.getJob(change.jobId);
    if (!job?.startedAt) return;
    if (job.status === "running") pickup.observe({ role: roleOf(job) }, seconds(job.queuedAt, job.startedAt));
    else if (FINAL.has(job.status) && job.stoppedAt) {
      duration.observe({ role: roleOf(job), result: job.result ?? job.status }, seconds(job.startedAt, job.stoppedAt));
    }
  });
}

/**
 * The pool's Prometheus metrics at /metrics, with the process's default metrics; `close` stops following
 * runs. Like the API's reads: free from loopback, the admin token (a bearer) from anywhere else.
 */
export function createMetrics(sources: OperatorSources, token: string) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "runnerpool_process_" });
  poolGauges(registry, sources);
  const close = runMetrics(registry, sources);
  const recordCheckout = checkoutMetrics(registry);
  const handler = (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? "").split("?", 1)[0] !== METRICS_PATH) return false;
    if (!isLocalRequest(req) && !hasBearer(req, token)) {
      const message = "scrapes from beyond loopback need the admin token as a bearer token";
      sendJson(res, 401, { error: { code: "UNAUTHENTICATED", message } } satisfies ApiError);
      return true;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(String(err)),
    );
    return true;
  };
  return { registry, handler, close, recordCheckout };
}
