import type { ConnectRouter } from "@connectrpc/connect";
import { type Logger, PoolError, silentLogger } from "../lib/index.js";
import { type CoordinatorEvents, createCoordinatorEvents, Outbox } from "./engine/events.js";
import { withTrailingSlash } from "./engine/github-context.js";
import { Picker } from "./engine/picker.js";
import { WakeQueue } from "./engine/queue.js";
import { createReadModel } from "./engine/read-model.js";
import { type LossPolicy, type LossPolicyOf, loseTasksOf, reapLost } from "./engine/reaper.js";
import { routingOf } from "./engine/routing.js";
import { RunEngine } from "./engine/run-engine.js";
import { RunWaiters } from "./engine/run-waiters.js";
import { Sweeper } from "./engine/sweeper.js";
import { triggerRuns } from "./engine/trigger.js";
import { UnservableWatch } from "./engine/unservable.js";
import { createDispatcher } from "./git/dispatch.js";
import { createGitHosting } from "./git/git-hosting.js";
import type { GitHostingPort, ReadPort, RunnersPort, RunsPort, TaskTokensPort } from "./ports.js";
import { RunnerAuth } from "./service/auth.js";
import { PushTokenAuth } from "./service/push-token-auth.js";
import { createRunnerAdmin } from "./service/runner-admin.js";
import { createRunnerProtocol } from "./service/runner-protocol.js";
import { createRunnerService } from "./service/runner-service.js";
import type { RouteHandler } from "./service/server.js";
import { authenticateTaskToken } from "./service/task-token-auth.js";
import { TokenPool } from "./service/token-pool.js";
import { openStore, type Store } from "./store/db.js";

export interface CoordinatorOptions {
  /** SQLite file, or ":memory:". */
  dbPath: string;
  /** Instance URL runners and jobs see (server_url); default: set by startCoordinatorServer. */
  serverUrl?: string;
  /** Fail a waiting job no registered runner can serve after this long; 0 (default) = never. */
  unmatchedTimeoutMs?: number;
  /**
   * The lease and retry policy of the tasks a runner holds (its role's `lease` and `retry_on_loss`, which
   * the composition root looks up); runners it does not know get `defaultLossPolicy`.
   */
  lossPolicy?: (runner: { name: string; labels: string[] }) => Partial<LossPolicy> | undefined;
  /** Default: a 30 s lease and one new attempt. */
  defaultLossPolicy?: Partial<LossPolicy>;
  /** `gitea_default_actions_url`: where `uses: owner/repo@v` actions are fetched; default https://github.com. */
  defaultActionsUrl?: string;
  /**
   * Serve the bare repositories `<reposDir>/<owner>/<name>.git` over git smart HTTP on `handler`:
   * jobs clone with their task token, `git push` with a push token creates runs for the workflows it
   * triggers. Unset: no git hosting.
   */
  reposDir?: string;
  /**
   * The exclusive labels of the pool's privileged and secret-holding roles, asked on every pick: a runner
   * carrying one is offered only jobs whose runs-on names one. The composition root builds it from the
   * config; unset, jobs route by label cover alone (Gitea's rule).
   */
  guardedLabels?: () => readonly string[];
  logger?: Logger;
}

/** The embedded forge, as small ports: each caller takes only the one it needs. */
export interface Coordinator {
  /** Serves the runner protocol (POST only) and, when on, the git hosting. */
  readonly handler: RouteHandler;
  /** The Connect routes, for `createRouterTransport(coordinator.routes)` in tests. */
  readonly routes: (router: ConnectRouter) => void;
  readonly events: CoordinatorEvents;
  readonly serverUrl: string | undefined;
  setServerUrl(url: string): void;
  readonly runs: RunsPort;
  readonly runners: RunnersPort;
  readonly read: ReadPort;
  readonly git: GitHostingPort;
  readonly taskTokens: TaskTokensPort;
  close(): void;
}

/** The engine room and what every other room shares: the store, events, the clock of sweeps. */
interface Core {
  logger: Logger;
  store: Store;
  events: CoordinatorEvents;
  queue: WakeQueue;
  shutdown: AbortController;
  closed(): boolean;
  ensureOpen(): void;
  /** Instance URL with a trailing slash, once known. */
  url: { current: string | undefined };
  /** The instance URL jobs see (a loopback placeholder until it is known). */
  serverUrl(): string;
  engine: RunEngine;
  unservable: UnservableWatch;
  sweeper: Sweeper;
  waiters: RunWaiters;
  lossPolicy: LossPolicyOf;
}

function openCore(options: CoordinatorOptions, logger: Logger): Core & { picker: Picker; tokens: TokenPool } {
  const store = openStore(options.dbPath);
  const events = createCoordinatorEvents();
  const queue = new WakeQueue();
  const shutdown = new AbortController();
  const closed = () => shutdown.signal.aborted;
  const url = { current: options.serverUrl === undefined ? undefined : withTrailingSlash(options.serverUrl) };
  const serverUrl = () => url.current ?? "http://127.0.0.1/";
  const defaultActionsUrl = options.defaultActionsUrl ?? "https://github.com";
  const engine = new RunEngine({ store, outbox: new Outbox(events, queue, logger), logger, serverUrl });
  const tokens = new TokenPool();
  const routes = routingOf(options.guardedLabels);
  const picker = new Picker({ store, engine, tokens, serverUrl, defaultActionsUrl, routes });
  const unmatchedMs = options.unmatchedTimeoutMs ?? 0;
  const fallback: LossPolicy = { leaseMs: 30_000, retries: 1, ...options.defaultLossPolicy };
  const lossPolicy: LossPolicyOf = (runner) => ({
    ...fallback,
    ...(runner && options.lossPolicy?.({ name: runner.name, labels: runner.labels })),
  });
  const opened = Date.now();
  const unservable = new UnservableWatch(store, engine, unmatchedMs, logger, routes);
  const sweep = () => {
    if (closed()) return;
    unservable.check();
    reapLost(store, engine, lossPolicy, opened, logger);
  };
  // The sweep runs at a quarter of the shortest lease a role may have: the fallback's, or 1 s.
  const sweeper = new Sweeper([unmatchedMs, Math.min(fallback.leaseMs || 4_000, 4_000)], sweep, logger);
  const ensureOpen = () => {
    if (closed()) throw new PoolError("INTERNAL", "coordinator is closed: create a new one");
  };
  const waiters = new RunWaiters(store, events, sweeper);
  return {
    logger,
    store,
    events,
    queue,
    shutdown,
    closed,
    ensureOpen,
    url,
    serverUrl,
    engine,
    unservable,
    sweeper,
    waiters,
    picker,
    tokens,
    lossPolicy,
  };
}

function createRunsPort(core: Core, reposDir: string | undefined): RunsPort {
  const { engine } = core;
  const trigger: RunsPort["trigger"] = (input) =>
    triggerRuns({ createRun: runs.create, serverUrl: core.serverUrl }, input);
  const dispatcher = createDispatcher({ reposDir, store: core.store, trigger, signal: core.shutdown.signal });
  const runs: RunsPort = {
    create(input) {
      core.ensureOpen();
      const created = engine.createRun(input);
      core.unservable.check();
      return created;
    },
    trigger,
    dispatch: (request) => dispatcher.dispatch(request),
    rerun: (request) => dispatcher.rerun(request),
    cancelRun: (runId) => engine.cancelRun(runId),
    cancelJob: (jobId) => engine.cancelJob(jobId),
    waitForRun: (runId, signal) => core.waiters.wait(runId, signal),
  };
  return runs;
}

function createGitPort(core: Core, reposDir: string | undefined, runs: RunsPort, taskTokens: TaskTokensPort) {
  const pushAuth = new PushTokenAuth(core.store.db);
  const verifyPushToken = (token: string) => !core.closed() && pushAuth.verify(token);
  const hosting =
    reposDir === undefined
      ? undefined
      : createGitHosting({
          ...{ reposDir, trigger: runs.trigger, verifyPushToken, closed: core.closed },
          ...{ events: core.events, logger: core.logger, signal: core.shutdown.signal },
          taskTokenRepo: (token) => taskTokens.authenticate(token)?.repo,
        });
  const port: GitHostingPort = {
    reposDir,
    createPushToken() {
      core.ensureOpen();
      return pushAuth.create();
    },
    verifyPushToken,
    pushOutcomes: () => hosting?.pushOutcomes() ?? [],
  };
  return { port, handler: hosting?.handler };
}

/** Assembles the rooms: the engine, the runner service around it, the git hosting, the ports. */
export function createCoordinator(options: CoordinatorOptions): Coordinator {
  const core = openCore(options, options.logger ?? silentLogger);
  const { store, engine, queue, unservable, closed } = core;
  const auth = new RunnerAuth(store);
  const service = createRunnerService({
    ...{ store, auth, engine, picker: core.picker, queue, outbox: engine.outbox, logger: core.logger, closed },
    onRunnersChanged: () => unservable.check(),
    onRunnerStarted: (runner) => loseTasksOf(runner, engine, store, core.lossPolicy, core.logger),
  });
  const protocol = createRunnerProtocol(service, closed, core.shutdown.signal);
  const taskTokens: TaskTokensPort = { authenticate: (token) => authenticateTaskToken(store, token) };
  const runs = createRunsPort(core, options.reposDir);
  const git = createGitPort(core, options.reposDir, runs, taskTokens);
  return {
    handler: (req, res) => protocol.handler(req, res) || (git.handler?.(req, res) ?? false),
    routes: protocol.routes,
    events: core.events,
    get serverUrl() {
      return core.url.current;
    },
    setServerUrl(url) {
      core.url.current = withTrailingSlash(url);
    },
    runs,
    runners: createRunnerAdmin({ store, auth, unservable, ensureOpen: core.ensureOpen }),
    read: createReadModel(store, unservable, queue),
    git: git.port,
    taskTokens,
    close() {
      if (closed()) return;
      core.shutdown.abort();
      core.sweeper.stop();
      queue.wake();
      core.tokens.close();
      core.waiters.failAll(new PoolError("TASK_CANCELLED", "coordinator closed before the run ended"));
      store.close();
    },
  };
}
