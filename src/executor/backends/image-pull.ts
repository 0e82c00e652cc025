import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorMessage, PoolError, spawnProcess } from "../../lib/index.js";
import { engineEnv, engineRun } from "./container-engine.js";

/** When an image is pulled: `missing` only when it is not on this host, `always` before each use, `never`. */
export type PullPolicy = "always" | "missing" | "never";
export const pullPolicies = ["always", "missing", "never"] as const;

export interface ImagePull {
  engine: "docker" | "podman";
  /** The engine's CLI. */
  command: string;
  policy: PullPolicy;
  /**
   * Registry credentials: a containers auth file (`{"auths": {"host:port": {"auth": base64(user:pass)}}}`),
   * the format of Docker's config.json and Podman's auth.json.
   */
  authFile?: string;
  /** Progress lines while pulling (the job's log, the daemon's log). */
  log?: (line: string) => void;
}

/** Docker and Podman talk plain HTTP to a registry on loopback, as Docker does by default. */
function loopbackRegistry(image: string): boolean {
  const host = image.split("/")[0] ?? "";
  return image.includes("/") && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);
}

async function present(pull: ImagePull, image: string, signal: AbortSignal): Promise<boolean> {
  try {
    await engineRun(pull.command, ["image", "inspect", "--format={{.Id}}", image], signal);
    return true;
  } catch {
    return false;
  }
}

async function pullImage(pull: ImagePull, image: string, signal: AbortSignal): Promise<void> {
  const env = engineEnv();
  const args = ["pull"];
  let configDir: string | undefined;
  if (pull.authFile !== undefined && pull.engine === "docker") {
    // Docker reads credentials only from a config directory: a private one holding the file.
    configDir = await mkdtemp(join(tmpdir(), "runnerpool-docker-config-"));
    await writeFile(join(configDir, "config.json"), await readFile(pull.authFile), { mode: 0o600 });
    args.unshift(`--config=${configDir}`);
  }
  if (pull.engine === "podman") {
    if (pull.authFile !== undefined) args.push(`--authfile=${pull.authFile}`);
    if (loopbackRegistry(image)) args.push("--tls-verify=false");
  }
  let tail = "";
  const line = (chunk: Buffer) => {
    for (const l of chunk.toString().split(/\r?\n/)) {
      if (l.trim() === "") continue;
      tail = l.trim();
      pull.log?.(`  ${l.trim()}`);
    }
  };
  try {
    const code = await spawnProcess([pull.command, ...args, image], {
      cwd: "/",
      env,
      signal,
      onStdout: line,
      onStderr: line,
    });
    if (code !== 0) throw new Error(`${pull.engine} pull exited ${code}${tail ? `: ${tail}` : ""}`);
  } finally {
    if (configDir !== undefined) await rm(configDir, { recursive: true, force: true });
  }
}

/**
 * Makes `image` available as the pull policy says, or throws naming the image and the policy. The
 * engine then runs it with `--pull=never`, so nothing is ever pulled behind the policy's back.
 */
export async function ensureImage(pull: ImagePull, image: string, signal: AbortSignal): Promise<void> {
  if (pull.policy !== "always" && (await present(pull, image, signal))) return;
  if (pull.policy === "never") {
    throw new PoolError(
      "BACKEND_UNAVAILABLE",
      `image "${image}" is not on this host and the pull policy is "never": build or load it (docker build -t ${image} ...), or set pull = "missing" on the role`,
    );
  }
  pull.log?.(
    `pulling image "${image}" (pull policy "${pull.policy}")${pull.authFile ? ` with credentials from ${pull.authFile}` : ""}`,
  );
  try {
    await pullImage(pull, image, signal);
  } catch (err) {
    throw new PoolError(
      "BACKEND_UNAVAILABLE",
      `cannot pull image "${image}" (pull policy "${pull.policy}"): ${errorMessage(err)}; check the name, the registry and its credentials (registry_auth_file)`,
      { cause: err },
    );
  }
}
