import { PoolError } from "../lib/index.js";
import type {
  ApiJob,
  ApiPoolStatus,
  ApiQueuedJob,
  ApiRoutes,
  ApiRun,
  ApiRunListItem,
  ApiRunningJob,
} from "./api-types.js";
import { createHistory } from "./history.js";
import type { OperatorSources, RunsSource } from "./operator-ports.js";

/** What a route handler gets: the path's id, the query, the JSON body of a write. */
export interface RouteInput {
  id: number;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

type Handlers = {
  [K in keyof ApiRoutes]: (input: RouteInput) => ApiRoutes[K]["response"] | Promise<ApiRoutes[K]["response"]>;
};

const MAX_RUNS = 500;

export function runsOf(sources: OperatorSources): RunsSource {
  if (sources.runs) return sources.runs;
  throw new PoolError(
    "FORGE_UNIMPLEMENTED",
    "runs live in the forge this pool serves: see its web UI (no embedded coordinator)",
  );
}

function withRoles(sources: OperatorSources, job: ApiJob): ApiJob {
  const role = job.runnerName === undefined ? undefined : sources.pool.roleOfRunner(job.runnerName);
  return role === undefined ? job : { ...job, role };
}

function runWithRoles(sources: OperatorSources, run: ApiRun): ApiRun {
  return { ...run, jobs: run.jobs.map((j) => withRoles(sources, j)) };
}

function listItem(run: ApiRun): ApiRunListItem {
  const { jobs, ...summary } = run;
  const end = run.stoppedAt ? Date.parse(run.stoppedAt) : Date.now();
  return {
    ...summary,
    durationMs: Math.max(0, end - Date.parse(run.createdAt)),
    jobs: { total: jobs.length, failed: jobs.filter((j) => j.status === "failure").length },
  };
}

/** The pool's status with what each instance runs now, when the coordinator can say. */
function poolView(sources: OperatorSources): ApiPoolStatus {
  const status = sources.pool.status();
  if (!sources.runs) return status;
  const running = new Map<string, ApiRunningJob[]>();
  for (const run of sources.runs.listRuns({ limit: MAX_RUNS })) {
    for (const j of run.jobs) {
      if (j.status !== "running" || j.runnerName === undefined) continue;
      const list = running.get(j.runnerName) ?? [];
      list.push({ id: j.id, runId: j.runId, name: j.name, ...(j.startedAt ? { startedAt: j.startedAt } : {}) });
      running.set(j.runnerName, list);
    }
  }
  const roles = status.roles.map((r) => ({
    ...r,
    instances: r.instances.map((i) => ({ ...i, jobs: running.get(i.name) ?? [] })),
  }));
  return { ...status, roles };
}

/** Every job that has not started: waiting ones with the pool's reason, blocked ones with the needs they wait for. */
function queuedJobs(sources: OperatorSources): ApiQueuedJob[] {
  const runs = runsOf(sources);
  const out: ApiQueuedJob[] = [];
  for (const g of sources.pool.status().queue ?? []) {
    for (const id of g.jobIds) {
      const job = runs.getJob(id);
      if (!job) continue;
      const { runId, name, runsOn, queuedAt } = job;
      out.push({ id, runId, name, runsOn, status: "waiting", queuedAt, roles: g.roles ?? [], reason: g.reason ?? "" });
    }
  }
  for (const run of runs.listRuns({ limit: MAX_RUNS })) {
    if (run.status !== "waiting" && run.status !== "running") continue;
    for (const job of run.jobs.filter((j) => j.status === "blocked")) {
      const open = job.needs.filter((n) => run.jobs.some((j) => j.jobId === n && !j.result));
      const { id, runId, name, runsOn, queuedAt } = job;
      const reason = `blocked by needs: ${open.join(", ")} not finished`;
      out.push({ id, runId, name, runsOn, status: "blocked", queuedAt, roles: [], reason });
    }
  }
  return out;
}

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new PoolError("NOT_FOUND", `no ${what}: see \`runnerpool runs list\``);
  return value;
}

function text(body: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = body[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string" || v === "") throw new PoolError("INVALID_ARGUMENT", `"${key}" must be a non-empty string`);
  return v;
}

function inputsOf(body: Record<string, unknown>): Record<string, string> {
  const v = body.inputs ?? {};
  if (typeof v !== "object" || v === null || Object.values(v).some((x) => typeof x !== "string")) {
    throw new PoolError("INVALID_ARGUMENT", `"inputs" must be an object of strings`);
  }
  return v as Record<string, string>;
}

function started(o: { runId?: number; workflow: string }) {
  return { runId: found(o.runId, "run was started"), workflow: o.workflow };
}

/** The routes of the operator API, each a function of its input. */
export function apiRoutes(sources: OperatorSources): Handlers {
  const runs = () => runsOf(sources);
  const history = createHistory(sources);
  return {
    "GET history": () => ({ intervalMs: history.intervalMs, samples: history.samples() }),
    "GET pool": () => poolView(sources),
    "GET roles": () => ({ roles: poolView(sources).roles }),
    "GET instances": () => ({ instances: poolView(sources).roles.flatMap((r) => r.instances) }),
    "GET queue": () => ({ queue: queuedJobs(sources) }),
    "GET runs": ({ query }) => {
      const limit = Math.min(MAX_RUNS, Math.max(1, Number(query.get("limit") ?? 50) || 50));
      return { runs: runs().listRuns({ limit }).map(listItem) };
    },
    "GET runs/:id": ({ id }) => runWithRoles(sources, found(runs().getRun(id), `run ${id}`)),
    "GET jobs/:id": ({ id }) => withRoles(sources, found(runs().getJob(id), `job ${id}`)),
    "POST runs/:id/cancel": ({ id }) => {
      found(runs().getRun(id), `run ${id}`);
      return { cancelled: runs().cancelRun(id) };
    },
    "POST runs/:id/rerun": async ({ id, body }) =>
      started(await runs().rerun({ runId: id, failed: body.failed === true })),
    "POST dispatch": async ({ body }) => {
      const hosted = runs().repos();
      const repo = text(body, "repo", false) ?? (hosted.length === 1 ? hosted[0] : undefined);
      if (repo === undefined) {
        throw new PoolError(
          "INVALID_ARGUMENT",
          `"repo" is required: hosted repositories: ${hosted.join(", ") || "none"}`,
        );
      }
      const workflow = text(body, "workflow", true) ?? "";
      const ref = text(body, "ref", false);
      return started(await runs().dispatch({ repo, workflow, inputs: inputsOf(body), ...(ref ? { ref } : {}) }));
    },
    "POST drain": ({ body }) => sources.pool.drain(text(body, "target", true) ?? ""),
  };
}
