import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { Code, ConnectError, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { type Logger, PoolError, silentLogger } from "../lib/index.js";
import { API_PREFIX, PingService, RunnerService } from "../protocol/index.js";
import { type CoordinatorEvents, createCoordinatorEvents, Outbox, type RunEvent } from "./engine/events.js";
import { withTrailingSlash } from "./engine/github-context.js";
import { Picker } from "./engine/picker.js";
import { WakeQueue } from "./engine/queue.js";
import { reapZombies } from "./engine/reaper.js";
import { type CreatedRun, type CreateRunInput, RunEngine } from "./engine/run-engine.js";
import { UnservableWatch } from "./engine/unservable.js";
import {
  type JobView,
  jobView,
  type QueueGroup,
  queueByLabels,
  type RunnerView,
  type RunView,
  runnerView,
  runView,
} from "./engine/views.js";
import { createGitHttpHandler } from "./git/git-http.js";
import { type PushOutcome, triggerPush } from "./git/push-trigger.js";
import { RunnerAuth } from "./service/auth.js";
import { createPingService } from "./service/ping-service.js";
import { createRunnerService } from "./service/runner-service.js";
import { TokenPool } from "./service/token-pool.js";
import { newSaltedToken, randomToken, verifyToken } from "./service/tokens.js";
import { openStore } from "./store/db.js";
import { PushTokenStore } from "./store/push-tokens.js";
import { isFinal } from "./store/records.js";

/** A request handler that answers the requests it recognises and returns false for the rest. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface CoordinatorOptions {
  /** SQLite file, or ":memory:". */
  dbPath: string;
  /** Instance URL runners and jobs see (server_url); default: set by startCoordinatorServer. */
  serverUrl?: string;
  /** Fail a waiting job no registered runner can serve after this long; 0 (default) = never. */
  unmatchedTimeoutMs?: number;
  /** Fail a running task whose runner has been silent this long; default 10 min (Gitea's), 0 = never. */
  zombieTimeoutMs?: number;
  /** `gitea_default_actions_url`: where `uses: owner/repo@v` actions are fetched; default https://github.com. */
  defaultActionsUrl?: string;
  /**
   * Serve the bare repositories `<reposDir>/<owner>/<name>.git` over git smart HTTP on `handler`:
   * jobs clone with their task token, `git push` with a push token creates runs for the workflows it
   * triggers. Unset: no git hosting.
   */
  reposDir?: string;
  logger?: Logger;
}

/** What a valid task token (GITHUB_TOKEN) grants: the job it belongs to. */
export interface TaskTokenInfo {
  taskId: number;
  jobId: number;
  runId: number;
  repo: string;
}

export interface Coordinator {
  /** Serves `${API_PREFIX}/runner.v1.RunnerService/*` and `${API_PREFIX}/ping.v1.PingService/*` (POST only). */
  readonly handler: RouteHandler;
  /** The Connect routes, for `createRouterTransport(coordinator.routes)` in tests. */
  readonly routes: (router: ConnectRouter) => void;
  readonly events: CoordinatorEvents;
  readonly serverUrl: string | undefined;
  setServerUrl(url: string): void;
  /** The active registration token, created on first use (reusable, like Gitea >= 1.21). */
  registrationToken(): string;
  /** Replaces the registration token; the old one stops working for new registrations. */
  createRegistrationToken(): string;
  createRun(input: CreateRunInput): CreatedRun;
  cancelRun(runId: number): boolean;
  cancelJob(jobId: number): boolean;
  getRun(runId: number): RunView | undefined;
  /** Newest first. */
  listRuns(options?: { limit?: number }): RunView[];
  getJob(jobId: number): JobView | undefined;
  /** The job's log lines: rows streamed by the runner, merged with the coordinator's own messages. */
  jobLog(jobId: number): string[];
  listRunners(): RunnerView[];
  /** Removes a runner: its uuid/token stop working at once; a task it was running ends by the zombie reaper. */
  deleteRunner(runnerId: number): boolean;
  queueByLabels(): QueueGroup[];
  unservableReason(jobId: number): string | undefined;
  /** Where the served repositories live, when git hosting is on. */
  readonly reposDir: string | undefined;
  /** A new push token (the only valid one from now on); only its hash is stored. */
  createPushToken(): string;
  verifyPushToken(token: string): boolean;
  /** What recent pushes started or failed to start (newest last, at most 100). */
  pushOutcomes(): PushOutcome[];
  /** Resolves a task token of a running task; undefined for unknown, wrong or finished ones. */
  authenticateTaskToken(token: string): TaskTokenInfo | undefined;
  /** FetchTask calls currently held open waiting for work (runners idle right now). */
  heldFetches(): number;
  /** Resolves when the run is final; rejects when `signal` aborts or the coordinator closes. */
  waitForRun(runId: number, signal?: AbortSignal): Promise<RunView>;
  close(): void;
}

const MAX_PUSH_OUTCOMES = 100;
const SERVICE_PATHS = [`${API_PREFIX}/${RunnerService.typeName}/`, `${API_PREFIX}/${PingService.typeName}/`];

export function createCoordinator(options: CoordinatorOptions): Coordinator {
  const logger = options.logger ?? silentLogger;
  const store = openStore(options.dbPath);
  const events = createCoordinatorEvents();
  const queue = new WakeQueue();
  const outbox = new Outbox(events, queue, logger);
  const shutdown = new AbortController();
  let serverUrl = options.serverUrl === undefined ? undefined : withTrailingSlash(options.serverUrl);
  const currentUrl = () => serverUrl ?? "http://127.0.0.1/";
  const defaultActionsUrl = options.defaultActionsUrl ?? "https://github.com";
  const engine = new RunEngine({ store, outbox, logger, serverUrl: currentUrl, defaultActionsUrl });
  const tokens = new TokenPool();
  const picker = new Picker({ store, engine, outbox, tokens, serverUrl: currentUrl, defaultActionsUrl });
  const auth = new RunnerAuth(store);
  const unmatchedMs = options.unmatchedTimeoutMs ?? 0;
  const zombieMs = options.zombieTimeoutMs ?? 10 * 60_000;
  const unservable = new UnservableWatch(store, engine, unmatchedMs, logger);
  const closed = () => shutdown.signal.aborted;

  const sweep = () => {
    if (closed()) return;
    try {
      unservable.check();
      reapZombies(store, engine, zombieMs, logger);
    } catch (err) {
      logger.error({ err }, "coordinator sweep failed");
    }
  };
  const periods = [unmatchedMs, zombieMs].filter((n) => n > 0).map((n) => Math.min(5_000, Math.max(10, n / 4)));
  const timer = periods.length > 0 ? setInterval(sweep, Math.min(...periods)) : undefined;
  timer?.unref();

  const runnerService = createRunnerService({
    store,
    auth,
    engine,
    picker,
    queue,
    outbox,
    logger,
    closed,
    onRunnersChanged: () => unservable.check(),
  });
  // After close the database is gone: answer Unavailable (runners retry) instead of an internal error.
  const refuseWhenClosed: Interceptor = (next) => (req) => {
    if (closed()) throw new ConnectError("coordinator is shutting down", Code.Unavailable);
    return next(req);
  };
  const routes = (router: ConnectRouter) => {
    router.service(RunnerService, runnerService, { interceptors: [refuseWhenClosed] });
    router.service(PingService, createPingService());
  };
  // No response compression: runners reach the embedded coordinator over loopback or a LAN, where gzip
  // costs more time than it saves (it was a tenth of the pickup path). Clients still send Accept-Encoding.
  const adapter = connectNodeAdapter({
    routes,
    requestPathPrefix: API_PREFIX,
    shutdownSignal: shutdown.signal,
    acceptCompression: [],
  });
  const pushTokens = new PushTokenStore(store.db);
  const verifyPushToken = (token: string): boolean =>
    token.length >= 8 &&
    !closed() &&
    pushTokens.byLastEight(token.slice(-8)).some((t) => verifyToken(token, t.salt, t.hash));
  const outcomes: PushOutcome[] = [];
  const reposDir = options.reposDir;
  const git =
    reposDir === undefined
      ? undefined
      : createGitHttpHandler({
          reposDir,
          createOnPush: true,
          logger,
          signal: shutdown.signal,
          // Pushing needs the push token; fetching also takes the task token of a job of that repository.
          authorize: ({ repo, service, password }) => {
            if (password === undefined || closed()) return false;
            if (verifyPushToken(password)) return true;
            return service === "upload-pack" && authenticateTaskToken(password)?.repo === repo;
          },
          onPush: async (event) => {
            const found = await triggerPush(
              {
                repoPath: join(reposDir, `${event.repo}.git`),
                createRun: (input) => api.createRun(input),
                serverUrl: currentUrl,
                logger,
                signal: shutdown.signal,
              },
              event,
            );
            for (const o of found) {
              outcomes.push(o);
              events.emit("push", o);
            }
            outcomes.splice(0, Math.max(0, outcomes.length - MAX_PUSH_OUTCOMES));
          },
        });
  const handler: RouteHandler = (req, res) => {
    const path = (req.url ?? "").split("?", 1)[0] ?? "";
    if (!SERVICE_PATHS.some((p) => path.startsWith(p))) return git?.(req, res) ?? false;
    if (req.method !== "POST") {
      // Gitea registers these routes for POST only.
      res.writeHead(405, { allow: "POST" }).end();
      return true;
    }
    adapter(req, res);
    return true;
  };

  const runWaiters = new Set<(err: Error) => void>();
  const ensureOpen = () => {
    if (closed()) throw new PoolError("INTERNAL", "coordinator is closed: create a new one");
  };

  function authenticateTaskToken(token: string): TaskTokenInfo | undefined {
    if (token.length < 8) return undefined;
    for (const task of store.tasks.byTokenLastEight(token.slice(-8))) {
      if (isFinal(task.status) || !verifyToken(token, task.tokenSalt, task.tokenHash)) continue;
      const job = store.jobs.get(task.jobId)!;
      const run = store.runs.get(job.runId)!;
      return { taskId: task.id, jobId: job.id, runId: run.id, repo: run.repo };
    }
    return undefined;
  }

  const api: Coordinator = {
    handler,
    routes,
    events,
    get serverUrl() {
      return serverUrl;
    },
    setServerUrl(url) {
      serverUrl = withTrailingSlash(url);
    },
    registrationToken() {
      ensureOpen();
      return (
        store.registrationTokens.active()?.token ?? store.registrationTokens.replace(randomToken(), Date.now()).token
      );
    },
    createRegistrationToken() {
      ensureOpen();
      return store.registrationTokens.replace(randomToken(), Date.now()).token;
    },
    createRun(input) {
      ensureOpen();
      const created = engine.createRun(input);
      unservable.check();
      return created;
    },
    cancelRun: (runId) => engine.cancelRun(runId),
    cancelJob: (jobId) => engine.cancelJob(jobId),
    getRun(runId) {
      const run = store.runs.get(runId);
      return run && runView(store, run);
    },
    listRuns(o = {}) {
      return store.runs.list(o.limit ?? 100).map((r) => runView(store, r));
    },
    getJob(jobId) {
      const job = store.jobs.get(jobId);
      return job && jobView(store, job);
    },
    jobLog(jobId) {
      const job = store.jobs.get(jobId);
      if (!job) return [];
      const rows = job.taskId === null ? [] : store.logs.rows(job.taskId);
      const notes = store.logs.messages(jobId);
      // Coordinator notes go where they happened in time; runner rows keep their order.
      const out: string[] = [];
      let n = 0;
      for (const row of rows) {
        while (n < notes.length && notes[n]!.time < row.time) out.push(notes[n++]!.content);
        out.push(row.content);
      }
      while (n < notes.length) out.push(notes[n++]!.content);
      return out;
    },
    listRunners: () => store.runners.list().map((r) => runnerView(r)),
    deleteRunner(runnerId) {
      const runner = store.runners.get(runnerId);
      if (!runner || runner.deleted !== null) return false;
      store.runners.delete(runnerId, Date.now());
      auth.forget(runner.uuid);
      unservable.check();
      return true;
    },
    queueByLabels: () => queueByLabels(store),
    unservableReason: (jobId) => unservable.reason(jobId),
    authenticateTaskToken,
    reposDir,
    createPushToken() {
      ensureOpen();
      const token = newSaltedToken();
      pushTokens.replace(token, Date.now());
      return token.token;
    },
    verifyPushToken,
    pushOutcomes: () => [...outcomes],
    heldFetches: () => queue.size,
    waitForRun(runId, signal) {
      return new Promise<RunView>((resolve, reject) => {
        const run = store.runs.get(runId);
        if (!run) {
          reject(new PoolError("NOT_FOUND", `run ${runId} does not exist: pass an id from createRun`));
          return;
        }
        if (isFinal(run.status)) {
          resolve(runView(store, run));
          return;
        }
        const cleanup = () => {
          events.off("run", onRun);
          signal?.removeEventListener("abort", onAbort);
          runWaiters.delete(fail);
          if (runWaiters.size === 0) timer?.unref();
        };
        const fail = (err: Error) => {
          cleanup();
          reject(err);
        };
        const onRun = (e: RunEvent) => {
          if (e.runId !== runId || !isFinal(e.status)) return;
          cleanup();
          resolve(runView(store, store.runs.get(runId)!));
        };
        const onAbort = () => fail(new PoolError("TASK_CANCELLED", `waiting for run ${runId} was cancelled`));
        if (signal?.aborted) {
          onAbort();
          return;
        }
        events.on("run", onRun);
        signal?.addEventListener("abort", onAbort, { once: true });
        runWaiters.add(fail);
        // Only the sweep may end this run (unservable, zombie): keep the process alive for it meanwhile.
        timer?.ref();
      });
    },
    close() {
      if (closed()) return;
      shutdown.abort();
      if (timer) clearInterval(timer);
      queue.wake();
      tokens.close();
      for (const fail of [...runWaiters])
        fail(new PoolError("TASK_CANCELLED", "coordinator closed before the run ended"));
      store.close();
    },
  };
  return api;
}
