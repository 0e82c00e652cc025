import type { Registration, RunnerHandle } from "../runner/index.js";
import type { PoolRole } from "./role.js";

/** One instance of a role, registered and ready to run. */
export interface ProvidedInstance {
  name: string;
  role: PoolRole;
  registration: Registration;
  /** The instance's `.runner` file. */
  file: string;
}

/** Where instances run: `local` runs them in this process, `docker`/`podman` one container each. */
export interface InstanceProvider {
  readonly name: string;
  start(instance: ProvidedInstance, signal: AbortSignal): Promise<RunnerHandle>;
}

/** The providers a pool may use, by the name a role gives in `provider`; `local` is always there. */
export type InstanceProviders = { local: InstanceProvider } & Partial<
  Record<Exclude<PoolRole["provider"], undefined>, InstanceProvider>
>;
