import type { PoolConfig } from "../../config/index.js";
import type { GitPolicy } from "../../executor/index.js";
import type { Logger } from "../../lib/index.js";
import {
  containerProvider,
  guardRoles,
  type InstanceProviders,
  localProvider,
  type PoolRole,
  Supervisor,
  type SupervisorOptions,
} from "../../pool/index.js";
import { type DiskFloor, freeBytes, type RunnerSettings } from "../../runner/index.js";
import { VERSION } from "../version.js";
import { hostGitPolicy } from "./git-policy.js";
import { roleExecutors } from "./job-executor.js";

/** Where container instances keep their jobs' directories, and the checkout they run, mounted read-only. */
export interface ContainerSite {
  workdirParent: string;
  projectDir: string;
  /** Jobs the forge says a runner is running (the pool cannot look inside a container). */
  activity?: (runner: string) => number | undefined;
}

export interface PoolAssemblyOptions
  extends Pick<
    SupervisorOptions,
    | "forgeUrl"
    | "registrationToken"
    | "roles"
    | "stateDir"
    | "queued"
    | "unregister"
    | "tickMs"
    | "backoffMs"
    | "signal"
  > {
  /** Where local instances' jobs get their directories (one subdirectory per role). */
  workdirParent: string;
  settings: RunnerSettings;
  git?: GitPolicy;
  /** The host's disk-space floor (config `runner.min_free`), shared by local instances. */
  diskFloor?: DiskFloor;
  /** Without it, only the `local` provider is there. */
  containers?: ContainerSite;
  logger: Logger;
}

/** The runner settings of this host: long polls only against the embedded coordinator. */
export function runnerSettings(config: PoolConfig, embedded: boolean): RunnerSettings {
  return {
    version: VERSION,
    fetchWaitMs: embedded ? config.runner.fetch_wait : 0,
    fetchIntervalMs: config.runner.fetch_interval,
    // Over loopback to our own coordinator a batch costs little, and live logs (dashboard, `runs logs
    // --follow`) should trail the job by a fraction of a second; against a real forge, act_runner's 1 s.
    ...(embedded ? { logIntervalMs: 100 } : {}),
  };
}

/** What the config says about a pool whose runner files, job directories and git mirrors are under `dirs`. */
export function poolSettings(
  config: PoolConfig,
  dirs: { runners: string; work: string; mirrors: string },
  embedded: boolean,
  logger: Logger,
  observeCheckout?: GitPolicy["observe"],
): Pick<PoolAssemblyOptions, "stateDir" | "workdirParent" | "settings" | "git" | "diskFloor"> {
  return {
    stateDir: dirs.runners,
    workdirParent: dirs.work,
    settings: runnerSettings(config, embedded),
    git: hostGitPolicy(config.git, dirs.mirrors, logger, observeCheckout),
    // Measured where jobs write: below it runners take no jobs until space returns.
    ...(config.runner.min_free
      ? { diskFloor: { minFreeBytes: config.runner.min_free, freeBytes: () => freeBytes(dirs.work) } }
      : {}),
  };
}

/** The providers and the supervisor of one pool: the only place its instances' parts are put together. */
export function assemblePool(options: PoolAssemblyOptions): Supervisor {
  const { workdirParent, settings, logger } = options;
  const providers: InstanceProviders = {
    local: localProvider({
      executorFor: roleExecutors(workdirParent, options.git),
      settings,
      ...(options.diskFloor ? { diskFloor: options.diskFloor } : {}),
      logger,
    }),
  };
  const site = options.containers;
  if (site) {
    for (const engine of ["docker", "podman"] as const) {
      providers[engine] = containerProvider({ engine, settings, logger, ...site });
    }
  }
  return new Supervisor({
    forgeUrl: options.forgeUrl,
    registrationToken: options.registrationToken,
    roles: guardRoles(options.roles),
    stateDir: options.stateDir,
    version: settings.version,
    providers,
    ...(options.queued ? { queued: options.queued } : {}),
    ...(options.unregister ? { unregister: options.unregister } : {}),
    ...(options.tickMs ? { tickMs: options.tickMs } : {}),
    ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
    logger,
    signal: options.signal,
  });
}

/** `run`'s pool: one instance per role, all in this process (a role's container provider is not used here). */
export function singleInstanceRoles(roles: PoolRole[]): PoolRole[] {
  return roles.map((r) => ({ ...r, instances: { min: 1, max: 1 }, provider: "local" }));
}
