import { readdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Coordinator, JobEvent, LogEvent } from "../../coordinator/index.js";
import type { Logger } from "../../lib/index.js";
import type { Runbook, Supervisor } from "../../pool/index.js";
import {
  type CheckoutSample,
  createDashboard,
  createMetrics,
  createOperatorApi,
  type OperatorSources,
  type RunsSource,
} from "../../web/index.js";

/** `owner/name` of every bare repository under the coordinator's reposDir. */
function hostedRepos(reposDir: string | undefined): string[] {
  if (reposDir === undefined) return [];
  const dirs = (path: string) => {
    try {
      return readdirSync(path, { withFileTypes: true }).filter((d) => d.isDirectory());
    } catch {
      return [];
    }
  };
  return dirs(reposDir).flatMap((owner) =>
    dirs(join(reposDir, owner.name))
      .filter((d) => d.name.endsWith(".git"))
      .map((d) => `${owner.name}/${d.name.slice(0, -4)}`),
  );
}

/** The web module's view of the embedded coordinator. */
function runsSource(c: Coordinator): RunsSource {
  return {
    listRuns: (options) => c.read.listRuns(options),
    getRun: (id) => c.read.getRun(id),
    getJob: (id) => c.read.getJob(id),
    jobLog: (id) => c.read.jobLog(id),
    cancelRun: (id) => c.runs.cancelRun(id),
    rerun: (request) => c.runs.rerun(request),
    dispatch: (request) => c.runs.dispatch(request),
    repos: () => hostedRepos(c.git.reposDir),
    watch(listener) {
      const job = (e: JobEvent) => listener({ kind: "job", jobId: e.jobId });
      const log = (e: LogEvent) => listener({ kind: "log", jobId: e.jobId, rows: e.rows.length });
      c.events.on("job", job);
      c.events.on("log", log);
      return () => {
        c.events.off("job", job);
        c.events.off("log", log);
      };
    },
  };
}

/** What `up` serves to operators, and where the pool's checkouts report to the metrics. */
export interface OperatorSurface {
  handler: (req: IncomingMessage, res: ServerResponse) => boolean;
  recordCheckout: (checkout: CheckoutSample) => void;
}

/**
 * The operator API (/api/v1/), /metrics and the dashboard (/) of `up`, beside the admin API on the same address: over the
 * embedded coordinator's runs when there is one, and always over the pool.
 */
export function operatorSurface(
  coordinator: Coordinator | undefined,
  runbook: Runbook,
  pool: () => Supervisor | undefined,
  token: string,
  logger: Logger,
): OperatorSurface {
  const sources: OperatorSources = {
    pool: {
      status: () => runbook.status(),
      drain: (target) => runbook.drain(target),
      roleOfRunner: (runner) => pool()?.roleOfRunner(runner),
    },
    ...(coordinator ? { runs: runsSource(coordinator) } : {}),
  };
  const api = createOperatorApi(sources, { token, logger });
  const metrics = createMetrics(sources, token);
  const dashboard = createDashboard();
  return {
    handler: (req, res) => api(req, res) || metrics.handler(req, res) || dashboard(req, res),
    recordCheckout: metrics.recordCheckout,
  };
}
