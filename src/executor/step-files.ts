import { randomUUID } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, posix } from "node:path";
import type { JobEnvironment } from "./backend.js";
import { parseEnvFile } from "./env-file.js";
import type { StepFilePaths } from "./github-env.js";

const DIR = "_runner_file_commands";
const KINDS = ["output", "env", "path", "state", "summary"] as const;

/** One step's file commands: where the step sees them and where the runner reads them. */
export interface StepFiles {
  visible: StepFilePaths;
  host: StepFilePaths;
}

/** What a step wrote into its file commands. */
export interface StepFileResults {
  outputs: [string, string][];
  env: [string, string][];
  path: string[];
  state: [string, string][];
  errors: string[];
}

/**
 * Creates the five files empty before the step starts (@actions/core fails on a missing file).
 * World-writable, because a backend may run the step as another user.
 */
export async function createStepFiles(environment: JobEnvironment, index: number): Promise<StepFiles> {
  await mkdir(join(environment.hostTemp, DIR), { recursive: true, mode: 0o777 });
  await chmod(join(environment.hostTemp, DIR), 0o777);
  const suffix = `${index}_${randomUUID()}`;
  const visible = {} as StepFilePaths;
  const host = {} as StepFilePaths;
  for (const kind of KINDS) {
    const name = `${kind}_${suffix}`;
    host[kind] = join(environment.hostTemp, DIR, name);
    visible[kind] = posix.join(environment.temp, DIR, name);
    await writeFile(host[kind], "");
    await chmod(host[kind], 0o666);
  }
  return { visible, host };
}

export async function readStepFiles(files: StepFiles): Promise<StepFileResults> {
  const read = (path: string) => readFile(path, "utf8").catch(() => "");
  const errors: string[] = [];
  const output = parseEnvFile(await read(files.host.output));
  const env = parseEnvFile(await read(files.host.env));
  const state = parseEnvFile(await read(files.host.state));
  errors.push(
    ...output.errors.map((e) => `GITHUB_OUTPUT ${e}`),
    ...env.errors.map((e) => `GITHUB_ENV ${e}`),
    ...state.errors.map((e) => `GITHUB_STATE ${e}`),
  );
  const path = (await read(files.host.path))
    .split("\n")
    .map((l) => l.replace(/\r$/, "").trim())
    .filter((l) => l !== "");
  return { outputs: output.entries, env: env.entries, path, state: state.entries, errors };
}
