import { join } from "node:path";
import { type LossPolicy, lossPolicyForLabels, type PoolConfig } from "../../config/index.js";
import {
  ArtifactStore,
  type Coordinator,
  type CoordinatorServer,
  createArtifactHandler,
  createCoordinator,
  type RouteHandler,
  startCoordinatorServer,
} from "../../coordinator/index.js";
import type { Logger } from "../../lib/index.js";
import { routes } from "../../workflow/index.js";

/** The embedded forge: coordinator with git hosting, and the store of its jobs' artifacts. */
export interface EmbeddedCoordinator {
  coordinator: Coordinator;
  /** Under `<dir>/artifacts/<run>/<name>`, kept after the process ends. */
  artifacts: ArtifactStore;
}

/**
 * How the coordinator learns a runner's lease and retry_on_loss: by its labels, from the roles of the
 * config (`lossPolicyForLabels`); a runner no role matches gets `[runner] lease` and one retry.
 */
export function lossPolicies(config: PoolConfig) {
  return {
    lossPolicy: (runner: { labels: string[] }) => lossPolicyForLabels(config, runner.labels),
    defaultLossPolicy: { leaseMs: config.runner.lease, retries: 1 } satisfies LossPolicy,
  };
}

/**
 * Opens the embedded forge whose database, hosted repositories and artifacts live in `dir`. Its picker
 * offers runners carrying one of `guardedLabels` (the pool's privileged and secret-holding roles) only
 * jobs that name one.
 */
export function openCoordinator(
  dir: string,
  unmatchedTimeoutMs: number,
  logger: Logger,
  guardedLabels: () => readonly string[],
  config?: PoolConfig,
): EmbeddedCoordinator {
  const coordinator = createCoordinator({
    dbPath: join(dir, "coordinator.db"),
    unmatchedTimeoutMs,
    guardedLabels,
    logger,
    ...(config ? lossPolicies(config) : {}),
    // `git push` here starts the workflows the push triggers; jobs clone from here.
    reposDir: join(dir, "repos"),
  });
  return { coordinator, artifacts: new ArtifactStore({ dir: join(dir, "artifacts") }) };
}

export interface ServeOptions {
  host: string;
  port: number;
  /** Served besides the runner protocol, git and artifacts (the pool's admin API). */
  handlers?: RouteHandler[];
  /** A token that may read every run's artifacts (the admin token). */
  artifactReadToken?: string;
  logger: Logger;
  signal?: AbortSignal;
}

/** Serves the runner protocol, git hosting and the artifact API of an embedded forge over HTTP. */
export function serveCoordinator(embedded: EmbeddedCoordinator, options: ServeOptions): Promise<CoordinatorServer> {
  const artifacts = createArtifactHandler(embedded.coordinator.taskTokens, embedded.artifacts, {
    ...(options.artifactReadToken ? { readToken: options.artifactReadToken } : {}),
    logger: options.logger,
  });
  return startCoordinatorServer(embedded.coordinator, {
    host: options.host,
    port: options.port,
    ...(options.signal ? { signal: options.signal } : {}),
    handlers: [...(options.handlers ?? []), artifacts],
  });
}

/** Jobs waiting that a runner with these labels could take: how the pool sizes a role. */
export function queuedFor(
  coordinator: Coordinator,
  guardedLabels: () => readonly string[] = () => [],
): (labels: string[]) => number {
  return (labels) => {
    const guarded = new Set(guardedLabels());
    return coordinator.read
      .queueByLabels()
      .filter((g) => routes(g.runsOn, labels, guarded))
      .reduce((n, g) => n + g.jobIds.length, 0);
  };
}

/** Jobs running on a runner, as the coordinator saw them last (what a container provider cannot see itself). */
export function runningOn(coordinator: Coordinator, runner: string): number {
  return coordinator.read
    .listRuns({ limit: 200 })
    .flatMap((r) => r.jobs)
    .filter((j) => j.status === "running" && j.runnerName === runner).length;
}
