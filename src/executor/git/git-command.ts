import { type ErrorCode, PoolError, spawnProcess } from "../../lib/index.js";

/** `git -c key=value` settings, handed over through the environment instead of argv. */
export type GitConfigEntries = ReadonlyArray<readonly [string, string]>;

export interface GitRunOptions {
  cwd: string;
  signal: AbortSignal;
  /**
   * Settings for this command only, passed as GIT_CONFIG_COUNT/KEY/VALUE: unlike `-c` they are not
   * visible in the process list, and unlike `git config` they are not written anywhere.
   */
  config?: GitConfigEntries;
  /** Each line git prints on stderr (fetch/clone progress, warnings). */
  onLine?: (line: string) => void;
  /** Default true: a non-zero exit throws. False: the result carries the exit code. */
  check?: boolean;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Inherited repository pointers would aim every command at the wrong repository; tracing would
// print the Authorization header.
const DROPPED_ENV =
  /^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|COMMON_DIR|NAMESPACE|PREFIX|CEILING_DIRECTORIES|PROTOCOL|CURL_VERBOSE|TRACE.*|CONFIG_PARAMETERS)$/;

/** The environment for a git child: this process's minus repository pointers, plus `config`. */
export function gitEnv(config: GitConfigEntries = [], base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !DROPPED_ENV.test(k)) env[k] = v;
  Object.assign(env, {
    LC_ALL: "C",
    // A job must fail on missing credentials, never wait on a prompt nobody can answer.
    GIT_TERMINAL_PROMPT: "0",
    GCM_INTERACTIVE: "never",
    GIT_LFS_SKIP_SMUDGE: "1",
  });
  // Settings the operator passed the same way stay in force; ours come after them and win.
  let count = Number.parseInt(env.GIT_CONFIG_COUNT ?? "0", 10);
  if (!Number.isFinite(count) || count < 0) count = 0;
  for (const [key, value] of config) {
    env[`GIT_CONFIG_KEY_${count}`] = key;
    env[`GIT_CONFIG_VALUE_${count}`] = value;
    count += 1;
  }
  if (count > 0) env.GIT_CONFIG_COUNT = String(count);
  return env;
}

function classify(stderr: string): ErrorCode {
  if (/Authentication failed|could not read (Username|Password)|returned error: 40[13]/i.test(stderr)) {
    return "FORGE_UNAUTHENTICATED";
  }
  if (
    /couldn't find remote ref|not our ref|repository '.*' not found|returned error: 404|no such remote ref/i.test(
      stderr,
    )
  ) {
    return "NOT_FOUND";
  }
  if (
    /unable to access|Could not resolve host|Failed to connect|Connection refused|returned error: 5\d\d/i.test(stderr)
  ) {
    return "FORGE_UNAVAILABLE";
  }
  return "INTERNAL";
}

function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let rest = "";
  return {
    push(chunk) {
      const parts = (rest + chunk.toString("utf8")).split(/\r\n|\n|\r/);
      rest = parts.pop() ?? "";
      for (const line of parts) if (line.trim() !== "") onLine(line);
    },
    flush() {
      if (rest.trim() !== "") onLine(rest);
      rest = "";
    },
  };
}

/** Runs `git <args>` (argv, never a shell) in its own process group; aborting kills the whole tree. */
export async function runGit(args: string[], options: GitRunOptions): Promise<GitResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const lines = options.onLine ? lineSplitter(options.onLine) : undefined;
  const code = await spawnProcess(["git", ...args], {
    cwd: options.cwd,
    env: gitEnv(options.config),
    signal: options.signal,
    onStdout: (c) => out.push(c),
    onStderr: (c) => {
      err.push(c);
      lines?.push(c);
    },
  });
  lines?.flush();
  const result = { code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
  if (options.signal.aborted) {
    throw new PoolError("TASK_CANCELLED", `git ${args[0] ?? ""} in '${options.cwd}' was cancelled`);
  }
  if (code !== 0 && options.check !== false) {
    const detail = result.stderr.trim().split("\n").slice(-3).join("; ") || "no message";
    throw new PoolError(
      classify(result.stderr),
      `git ${args[0] ?? ""} failed in '${options.cwd}' (exit ${code}): ${detail}; check the repository url, the ref and the token`,
    );
  }
  return result;
}
