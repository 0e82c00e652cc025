import { PoolError, spawnProcess } from "../../lib/index.js";

/** Passed with their value on the command line: the engine CLI reads these itself, so they cannot ride in its environment. */
const ENGINE_SENSITIVE =
  /^(PATH|HOME|TMPDIR|DOCKER_.*|CONTAINERS?_.*|XDG_.*|BUILDAH_.*|STORAGE_.*|REGISTRY_AUTH_FILE)$/;
/** What the engine CLI needs from this process's environment. */
const ENGINE_ENV =
  /^(PATH|HOME|DOCKER_HOST|DOCKER_CONFIG|DOCKER_CONTEXT|CONTAINERS_CONF|CONTAINER_HOST|XDG_RUNTIME_DIR|XDG_CONFIG_HOME)$/;

/** The part of this process's environment the engine CLI needs. */
export function engineEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && ENGINE_ENV.test(k)) out[k] = v;
  return out;
}

/**
 * `--env` arguments for `env`, plus the CLI environment carrying their values: values ride in the
 * CLI's own environment (`--env NAME`), so secrets never show in a process list.
 */
export function envArguments(env: Record<string, string>): { args: string[]; cliEnv: Record<string, string> } {
  const cliEnv = engineEnv();
  const args: string[] = [];
  const own = new Set(Object.keys(cliEnv));
  for (const [k, v] of Object.entries(env)) {
    if (ENGINE_SENSITIVE.test(k) || own.has(k)) args.push(`--env=${k}=${v}`);
    else {
      args.push(`--env=${k}`);
      cliEnv[k] = v;
    }
  }
  return { args, cliEnv };
}

/** Runs the engine CLI and collects its output; rejects with the engine's own words on failure. */
export async function engineRun(
  command: string,
  args: string[],
  signal: AbortSignal,
  env: Record<string, string> = engineEnv(),
): Promise<string> {
  let out = "";
  let err = "";
  const code = await spawnProcess([command, ...args], {
    cwd: "/",
    env,
    signal,
    onStdout: (c) => {
      out += c.toString();
    },
    onStderr: (c) => {
      err += c.toString();
    },
  });
  if (code !== 0) {
    throw new PoolError(
      "BACKEND_UNAVAILABLE",
      `${command.split("/").pop()} ${args[0]} failed (exit ${code}): ${err.trim().split("\n").slice(-3).join(" ") || out.trim()}`,
    );
  }
  return out;
}
