import { posix } from "node:path";
import { PoolError } from "../../lib/index.js";
import type { JobEnvironment } from "../backend.js";

function under(path: string, dir: string): string | undefined {
  if (path === dir) return "";
  return path.startsWith(`${dir}/`) ? path.slice(dir.length) : undefined;
}

/**
 * Maps an absolute path as steps see it to the host path the runner can read and write. Backends
 * that share the host's filesystem map everything to itself; others only the workspace and RUNNER_TEMP,
 * which they mount.
 */
export function hostPath(environment: JobEnvironment, visible: string): string {
  const path = posix.normalize(visible);
  const sameFs = environment.workspace === environment.hostWorkspace && environment.temp === environment.hostTemp;
  if (sameFs) return path;
  const inWorkspace = under(path, environment.workspace);
  if (inWorkspace !== undefined) return environment.hostWorkspace + inWorkspace;
  const inTemp = under(path, environment.temp);
  if (inTemp !== undefined) return environment.hostTemp + inTemp;
  throw new PoolError(
    "INVALID_ARGUMENT",
    `path "${visible}" is outside the workspace and RUNNER_TEMP: artifacts can only be read from and written to those on this backend`,
  );
}
