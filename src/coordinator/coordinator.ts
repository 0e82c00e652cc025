import type { ConnectRouter } from "@connectrpc/connect";
import { type Logger, PoolError, silentLogger } from "../lib/index.js";
import { type CoordinatorEvents, createCoordinatorEvents, Outbox } from "./engine/events.js";
import { withTrailingSlash } from "./engine/github-context.js";
import { Picker } from "./engine/picker.js";
import { WakeQueue } from "./engine/queue.js";
import { createReadModel } from "./engine/read-model.js";
import { reapZombies } from "./engine/reaper.js";
import { RunEngine } from "./engine/run-engine.js";
import { RunWaiters } from "./engine/run-waiters.js";
import { Sweeper } from "./engine/sweeper.js";
import { triggerRuns } from "./engine/trigger.js";
import { UnservableWatch } from "./engine/unservable.js";
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
import { openStore } from "./store/db.js";

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

/** Assembles the rooms: the engine, the runner service around it, the git hosting, the ports. */
export function createCoordinator(options: CoordinatorOptions): Coordinator {
  const logger = options.logger ?? silentLogger;
  const store = openStore(options.dbPath);
  const events = createCoordinatorEvents();
  const queue = new WakeQueue();
  const shutdown = new AbortController();
  const closed = () => shutdown.signal.aborted;
  const ensureOpen = () => {
    if (closed()) throw new PoolError("INTERNAL", "coordinator is closed: create a new one");
  };
  let serverUrl = options.serverUrl === undefined ? undefined : withTrailingSlash(options.serverUrl);
  const currentUrl = () => serverUrl ?? "http://127.0.0.1/";
  const defaultActionsUrl = options.defaultActionsUrl ?? "https://github.com";
  const outbox = new Outbox(events, queue, logger);
  const engine = new RunEngine({ store, outbox, logger, serverUrl: currentUrl, defaultActionsUrl });
  const tokens = new TokenPool();
  const picker = new Picker({ store, engine, tokens, serverUrl: currentUrl, defaultActionsUrl });
  const auth = new RunnerAuth(store);
  const unmatchedMs = options.unmatchedTimeoutMs ?? 0;
  const zombieMs = options.zombieTimeoutMs ?? 10 * 60_000;
  const unservable = new UnservableWatch(store, engine, unmatchedMs, logger);
  const sweeper = new Sweeper(
    [unmatchedMs, zombieMs],
    () => {
      if (closed()) return;
      unservable.check();
      reapZombies(store, engine, zombieMs, logger);
    },
    logger,
  );
  const waiters = new RunWaiters(store, events, sweeper);
  const service = createRunnerService({
    ...{ store, auth, engine, picker, queue, outbox, logger, closed },
    onRunnersChanged: () => unservable.check(),
  });
  const protocol = createRunnerProtocol(service, closed, shutdown.signal);
  const taskTokens: TaskTokensPort = { authenticate: (token) => authenticateTaskToken(store, token) };
  const pushAuth = new PushTokenAuth(store.db);
  const verifyPushToken = (token: string) => !closed() && pushAuth.verify(token);

  const runs: RunsPort = {
    create(input) {
      ensureOpen();
      const created = engine.createRun(input);
      unservable.check();
      return created;
    },
    trigger: (input) => triggerRuns({ createRun: runs.create, serverUrl: currentUrl }, input),
    cancelRun: (runId) => engine.cancelRun(runId),
    cancelJob: (jobId) => engine.cancelJob(jobId),
    waitForRun: (runId, signal) => waiters.wait(runId, signal),
  };
  const hosting =
    options.reposDir === undefined
      ? undefined
      : createGitHosting({
          ...{ reposDir: options.reposDir, trigger: runs.trigger, verifyPushToken, closed, events, logger },
          taskTokenRepo: (token) => taskTokens.authenticate(token)?.repo,
          signal: shutdown.signal,
        });
  const git: GitHostingPort = {
    reposDir: options.reposDir,
    createPushToken() {
      ensureOpen();
      return pushAuth.create();
    },
    verifyPushToken,
    pushOutcomes: () => hosting?.pushOutcomes() ?? [],
  };

  return {
    handler: (req, res) => protocol.handler(req, res) || (hosting?.handler(req, res) ?? false),
    routes: protocol.routes,
    events,
    get serverUrl() {
      return serverUrl;
    },
    setServerUrl(url) {
      serverUrl = withTrailingSlash(url);
    },
    runs,
    runners: createRunnerAdmin({ store, auth, unservable, ensureOpen }),
    read: createReadModel(store, unservable, queue),
    git,
    taskTokens,
    close() {
      if (closed()) return;
      shutdown.abort();
      sweeper.stop();
      queue.wake();
      tokens.close();
      waiters.failAll(new PoolError("TASK_CANCELLED", "coordinator closed before the run ended"));
      store.close();
    },
  };
}
