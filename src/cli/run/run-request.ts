import { isAbsolute, relative, resolve } from "node:path";
import { PoolError } from "../../lib/index.js";
import { type Io, keyValues, parseCommandArgs } from "../args.js";
import { readDotenvSecrets, secretsFromEnv } from "../secret-input.js";

export const RUN_USAGE =
  "runnerpool run [REPO_DIR] [--workflow FILE]... [--event push|workflow_dispatch] [--ref REF] [--input K=V]... [--secret NAME]... [--secret-file FILE] [--var K=V]... [--config FILE] [--json]";

/** A `run` command line, checked. */
export interface RunRequest {
  /** REPO_DIR, absolute. */
  repoArg: string;
  /** `--workflow` files as given, absolute. */
  workflows: string[];
  event: "push" | "workflow_dispatch";
  ref?: string;
  inputs: Record<string, string>;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** `--config`, absolute. */
  config?: string;
  json: boolean;
  logs: boolean;
}

/** `--secret NAME` reads `env` (default: this process's environment); `--secret-file` is dotenv. */
export function parseRunArgs(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): RunRequest {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      workflow: { type: "string", multiple: true },
      event: { type: "string", default: "push" },
      ref: { type: "string" },
      input: { type: "string", multiple: true },
      secret: { type: "string", multiple: true },
      "secret-file": { type: "string", multiple: true },
      var: { type: "string", multiple: true },
      config: { type: "string" },
      json: { type: "boolean", default: false },
      "no-logs": { type: "boolean", default: false },
    },
    RUN_USAGE,
  );
  if (positionals.length > 1) throw new PoolError("INVALID_ARGUMENT", `run takes one REPO_DIR\nusage: ${RUN_USAGE}`);
  const event = values.event;
  if (event !== "push" && event !== "workflow_dispatch") {
    throw new PoolError("INVALID_ARGUMENT", `--event "${event}" is not supported: use push or workflow_dispatch`);
  }
  return {
    repoArg: resolve(io.cwd, positionals[0] ?? "."),
    workflows: (values.workflow ?? []).map((w) => (isAbsolute(w) ? w : resolve(io.cwd, w))),
    event,
    ...(values.ref ? { ref: values.ref } : {}),
    inputs: keyValues("input", values.input),
    secrets: {
      ...Object.assign({}, ...(values["secret-file"] ?? []).map((f) => readDotenvSecrets(f, io.cwd))),
      ...secretsFromEnv(values.secret ?? [], env),
    },
    vars: keyValues("var", values.var),
    ...(values.config ? { config: resolve(io.cwd, values.config) } : {}),
    json: values.json === true,
    logs: values["no-logs"] !== true,
  };
}

/**
 * `--workflow` files relative to the repository `run` uses (a plain directory is copied, so a path
 * outside that copy is taken relative to REPO_DIR); with none, the repository's own workflows.
 */
export function workflowFilesOf(request: RunRequest, repo: { dir: string; workflows: string[] }): string[] {
  const given = request.workflows.map((abs) => {
    const inRepo = relative(repo.dir, abs);
    return inRepo.startsWith("..") ? relative(request.repoArg, abs) : inRepo;
  });
  const files = given.length > 0 ? given : repo.workflows;
  if (files.length === 0) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `no workflows in "${repo.dir}": add .gitea/workflows/*.yml (or .github/workflows) or pass --workflow FILE`,
    );
  }
  return files;
}
