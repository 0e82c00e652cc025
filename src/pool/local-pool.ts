import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { GitPolicy } from "../executor/index.js";
import { type Logger, silentLogger } from "../lib/index.js";
import { createForgeClient } from "../protocol/index.js";
import { loadRegistration, type Registration, type RunnerHandle, register } from "../runner/index.js";
import type { PoolRole } from "./role.js";
import { localProvider } from "./supervisor.js";

/** A role as the one-instance-per-role pool of `runnerpool run` uses it. */
export type LocalRole = PoolRole;

export interface LocalPoolOptions {
  forgeUrl: string;
  registrationToken: string;
  roles: LocalRole[];
  /** Holds one `.runner` file per instance; an existing file for the same forge is reused. */
  stateDir: string;
  workdirParent: string;
  version: string;
  fetchWaitMs: number;
  fetchIntervalMs: number;
  /** Checkout policy and mirror cache (config `[git]`). */
  git?: GitPolicy;
  /** Disk-space floor (config `runner.min_free`), measured on `workdirParent`. */
  minFreeBytes?: number;
  logger?: Logger;
  signal: AbortSignal;
}

export interface LocalInstance {
  role: string;
  name: string;
  labels: string[];
  handle: RunnerHandle;
}

export interface LocalPool {
  instances: LocalInstance[];
  /** Runner name -> role name, so results can say which role ran a job. */
  roleOfRunner(name: string): string | undefined;
  /** Stop taking jobs and wait for running ones. */
  drain(): Promise<void>;
  /** Stop now, cancelling running jobs. */
  stop(): Promise<void>;
}

/** One instance per role in this process, registered against the forge (issue D adds min/max and providers). */
export async function startLocalPool(options: LocalPoolOptions): Promise<LocalPool> {
  const logger = options.logger ?? silentLogger;
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  // Same runner wiring as the supervisor's local provider; this pool just fixes one instance per role.
  const provider = localProvider({
    workdirParent: options.workdirParent,
    version: options.version,
    fetchWaitMs: options.fetchWaitMs,
    fetchIntervalMs: options.fetchIntervalMs,
    ...(options.git ? { git: options.git } : {}),
    ...(options.minFreeBytes ? { minFreeBytes: options.minFreeBytes } : {}),
    logger,
  });
  const instances: LocalInstance[] = [];
  for (const role of options.roles) {
    const name = `${role.name}-1`;
    const file = join(options.stateDir, `${name}.runner`);
    const labels = role.labels.map((l) => `${l}:host`);
    let registration: Registration | undefined;
    if (existsSync(file)) {
      const existing = loadRegistration(file);
      if (existing.address === options.forgeUrl) registration = existing;
    }
    if (!registration) {
      registration = await register({
        client: createForgeClient({ url: options.forgeUrl, version: options.version }),
        url: options.forgeUrl,
        token: options.registrationToken,
        name,
        labels,
        file,
        signal: options.signal,
      });
    }
    const handle = await provider.start({ name, role, registration, file }, options.signal);
    instances.push({ role: role.name, name, labels: role.labels, handle });
  }
  const roleByName = new Map(instances.map((i) => [i.name, i.role]));
  return {
    instances,
    roleOfRunner: (n) => roleByName.get(n),
    drain: async () => {
      await Promise.all(instances.map((i) => i.handle.drain()));
    },
    stop: async () => {
      await Promise.all(instances.map((i) => i.handle.stop()));
    },
  };
}
