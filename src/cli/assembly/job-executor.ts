import { type Backend, type GitPolicy, runJob } from "../../executor/index.js";
import { createRoleBackend, type ExecutorFactory } from "../../pool/index.js";
import type { ExecuteJob } from "../../runner/index.js";

export interface JobExecutorOptions {
  /** Extra environment for every job (a role's `env`). */
  env?: Record<string, string>;
  /** The host's checkout policy and mirror cache (config `[git]`). */
  git?: GitPolicy;
  /** The role's secrets_dir: its files' contents are masked in job logs. */
  secretsDir?: string;
}

/** Binds the executor to where and how jobs run: the one function a runner is given. */
export function jobExecutor(backend: Backend, options: JobExecutorOptions = {}, run = runJob): ExecuteJob {
  return (job) =>
    run({
      ...job,
      backend,
      ...(options.env ? { env: options.env } : {}),
      ...(options.git ? { git: options.git } : {}),
      ...(options.secretsDir ? { secretsDir: options.secretsDir } : {}),
    });
}

/** Per instance of a role: the role's backend (its limits and secrets) under `workdirParent`, its env, the git policy. */
export function roleExecutors(workdirParent: string, git?: GitPolicy): ExecutorFactory {
  return (role) =>
    jobExecutor(createRoleBackend(role, workdirParent), {
      env: role.env,
      ...(git ? { git } : {}),
      ...(role.secretsDir ? { secretsDir: role.secretsDir } : {}),
    });
}
