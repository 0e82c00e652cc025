import { cp, mkdir, readFile, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { PoolError } from "../../lib/index.js";
import { type ActionManifest, formatDiagnostic, parseActionManifest } from "../../workflow/index.js";
import type { JobEnvironment } from "../backend.js";
import type { ActionSourceOptions } from "../job-request.js";
import type { ActionCache } from "./action-cache.js";
import { type ActionReference, parseActionReference } from "./action-reference.js";

/** An action ready to run: its manifest and where its files are. */
export interface LoadedAction {
  reference: ActionReference;
  manifest: ActionManifest;
  /** The action's directory on the host. */
  hostDir: string;
  /** The same directory as steps see it (GITHUB_ACTION_PATH). */
  visibleDir: string;
  /** `owner/repo` for remote actions, "" for local ones (GITHUB_ACTION_REPOSITORY). */
  repository: string;
  /** The `@ref` as written, "" for local actions (GITHUB_ACTION_REF). */
  ref: string;
  /** The commit a remote action resolved to. */
  sha?: string;
}

export interface ActionResolverOptions {
  environment: JobEnvironment;
  cache: ActionCache;
  source: ActionSourceOptions;
  /** `gitea_default_actions_url` from the task, used when `source.defaultUrl` is unset. */
  contextDefaultUrl: string;
  /** The forge's own URL (`github.server_url`) and the task token: actions hosted there are fetched with it. */
  server?: { url: string; token: string };
  warn(message: string): void;
}

const MANIFESTS = ["action.yml", "action.yaml"];

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** A mirror given as a plain path is used as a `file://` URL. */
function asUrl(base: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(base) ? trimSlash(base) : `file://${trimSlash(base)}`;
}

/**
 * Turns `uses:` values into loaded actions for one job. Remote actions are fetched once per job
 * (through the host's cache) and copied into the job's temp dir, so a job can neither see nor
 * change another job's copy. Local actions are read from the workspace when the step runs.
 */
export class ActionResolver {
  readonly #options: ActionResolverOptions;
  readonly #remote = new Map<string, Promise<LoadedAction>>();

  constructor(options: ActionResolverOptions) {
    this.#options = options;
  }

  /** Loads the action a step uses; errors are PoolErrors whose message says what to fix. */
  async resolve(uses: string, signal: AbortSignal): Promise<LoadedAction> {
    const reference = parseActionReference(uses);
    if (reference.kind === "docker") {
      throw new PoolError("INVALID_ARGUMENT", `'${uses}' is a container image, not an action directory`);
    }
    if (reference.kind === "local") return this.#local(reference);
    let loading = this.#remote.get(reference.uses);
    if (loading === undefined) {
      loading = this.#fetchRemote(reference, signal);
      this.#remote.set(reference.uses, loading);
      loading.catch(() => this.#remote.delete(reference.uses));
    }
    return loading;
  }

  async #local(reference: ActionReference & { kind: "local" }): Promise<LoadedAction> {
    const { environment } = this.#options;
    const hostDir = join(environment.hostWorkspace, reference.path);
    const visibleDir =
      reference.path === "" ? environment.workspace : posix.join(environment.workspace, reference.path);
    const manifest = await loadManifest(hostDir, reference.path === "" ? "." : `./${reference.path}`, true);
    return { reference, manifest, hostDir, visibleDir, repository: "", ref: "" };
  }

  /** Basic auth with the task token, for the forge's own host only (private actions on the forge). */
  #authorization(url: string): string | undefined {
    const server = this.#options.server;
    if (server === undefined || server.token === "" || server.url === "") return undefined;
    let same = false;
    try {
      same = new URL(url).origin === new URL(server.url).origin;
    } catch {
      same = false;
    }
    return same ? `basic ${Buffer.from(`x-access-token:${server.token}`).toString("base64")}` : undefined;
  }

  async #fetchRemote(reference: ActionReference & { kind: "remote" }, signal: AbortSignal): Promise<LoadedAction> {
    const { environment, cache, source } = this.#options;
    const repoPath = `${reference.owner}/${reference.repo}`;
    const origin = trimSlash(
      reference.baseUrl ?? source.defaultUrl ?? (this.#options.contextDefaultUrl || "https://github.com"),
    );
    const urls = [...(source.mirror ? [`${asUrl(source.mirror)}/${repoPath}`] : []), `${origin}/${repoPath}`];
    const cached = await cache.fetch(`${origin}/${repoPath}`, {
      urls,
      ref: reference.ref,
      offline: source.offline === true,
      signal,
      onWarning: (m) => this.#options.warn(m),
      authorization: (url) => this.#authorization(url),
    });
    const rel = join("_actions", reference.owner, reference.repo, reference.ref.replace(/[^A-Za-z0-9._-]/g, "_"));
    const jobCopy = join(environment.hostTemp, rel);
    await mkdir(jobCopy, { recursive: true });
    await cp(cached.dir, jobCopy, { recursive: true, force: true });
    const hostDir = reference.path === "" ? jobCopy : join(jobCopy, reference.path);
    const visibleBase = posix.join(environment.temp, ...rel.split("/"));
    const visibleDir = reference.path === "" ? visibleBase : posix.join(visibleBase, reference.path);
    const label = `${repoPath}${reference.path ? `/${reference.path}` : ""}@${reference.ref}`;
    const manifest = await loadManifest(hostDir, label, false);
    return { reference, manifest, hostDir, visibleDir, repository: repoPath, ref: reference.ref, sha: cached.sha };
  }
}

/**
 * Reads `action.yml` (or `action.yaml`) of a directory; a directory with only a Dockerfile is a
 * Docker action (act accepts that too). A broken file fails with its file, line and column.
 */
export async function loadManifest(dir: string, label: string, local: boolean): Promise<ActionManifest> {
  for (const name of MANIFESTS) {
    const path = join(dir, name);
    if (!(await isFile(path))) continue;
    const file = `${label}/${name}`;
    const parsed = parseActionManifest(await readFile(path, "utf8"), file);
    const errors = parsed.diagnostics.filter((d) => d.severity === "error");
    if (parsed.action === undefined || errors.length > 0) {
      const first = errors[0];
      const text = errors.map((d) => formatDiagnostic(d, { severity: false })).join("; ");
      throw new PoolError("WORKFLOW_INVALID", `the action metadata is invalid: ${text}`, {
        file,
        ...(first?.line === undefined ? {} : { line: first.line }),
        ...(first?.col === undefined ? {} : { col: first.col }),
      });
    }
    return parsed.action;
  }
  if (await isFile(join(dir, "Dockerfile"))) {
    return {
      file: `${label}/Dockerfile`,
      inputs: {},
      outputs: {},
      runs: { using: "docker", image: "Dockerfile", args: [], env: {} },
    };
  }
  const hint = local
    ? ": check the path, and check the repository out (actions/checkout) before using a local action"
    : ": the repository at that ref is not an action";
  throw new PoolError("NOT_FOUND", `can't find 'action.yml' or 'action.yaml' for action '${label}'${hint}`);
}
