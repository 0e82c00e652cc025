/** How every runner of a process talks to its forge; built once from the config by the composition root. */
export interface RunnerSettings {
  /** Declared to the forge and sent when registering. */
  version: string;
  /** > 0 only against a runnerpool coordinator (long poll); 0 or absent = plain polling. */
  fetchWaitMs?: number;
  fetchIntervalMs?: number;
  fetchIntervalMaxMs?: number;
  /** How often log rows are sent while a job runs; default 1 s (act_runner's). */
  logIntervalMs?: number;
}
