import type { Logger } from "../../lib/index.js";
import { type DiskFloor, type ExecuteJob, type RunnerSettings, startRunner } from "../../runner/index.js";
import type { InstanceProvider } from "../instance-provider.js";
import { isGuarded, type PoolRole } from "../role.js";

/** Builds the job-execution function of one instance of a role (its backend, checkout policy, env, limits). */
export type ExecutorFactory = (role: PoolRole) => ExecuteJob;

export interface LocalProviderOptions {
  executorFor: ExecutorFactory;
  settings: RunnerSettings;
  /** The host's disk-space floor (config `runner.min_free`), shared by every instance. */
  diskFloor?: DiskFloor;
  logger: Logger;
}

/** Provider `local`: every instance is a runner in this process, its jobs run by the role's executor. */
export function localProvider(options: LocalProviderOptions): InstanceProvider {
  return {
    name: "local",
    start: ({ name, role, registration }, signal) =>
      startRunner({
        registration,
        labels: role.labels.map((l) => `${l}:host`),
        capacity: role.capacity,
        execute: options.executorFor(role),
        settings: options.settings,
        policy: {
          role: role.name,
          privileged: role.privileged === true,
          allowedRefs: role.allowedRefs ?? [],
          ...(isGuarded(role) ? { exclusiveLabels: role.exclusiveLabels ?? [] } : {}),
        },
        logger: options.logger.child({ runner: name }),
        ...(options.diskFloor ? { diskFloor: options.diskFloor } : {}),
        signal,
      }),
  };
}
