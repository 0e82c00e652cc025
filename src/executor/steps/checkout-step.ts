import { lchown, lstat, readdir } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { PoolError } from "../../lib/index.js";
import type { Step } from "../../workflow/index.js";
import { type CheckoutOptions, checkout } from "../git/checkout.js";
import type { GitPolicy } from "../git/git-policy.js";
import type { StepContext, StepOutcome, StepRunner } from "./step-runner.js";

/** Inputs of actions/checkout that have no meaning for a native clone over HTTP. */
const UNSUPPORTED = ["ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user"];

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

function input(ctx: StepContext, name: string): string {
  return (ctx.inputs[name] ?? "").trim();
}

function flag(ctx: StepContext, name: string, fallback: boolean): boolean {
  const value = input(ctx, name).toLowerCase();
  if (value === "") return fallback;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new PoolError("INVALID_ARGUMENT", `checkout input ${name} '${ctx.inputs[name]}' is not true or false`);
}

function submodules(ctx: StepContext, policy: GitPolicy): boolean | "recursive" {
  const value = input(ctx, "submodules").toLowerCase();
  if (value === "") return policy.submodules ?? false;
  if (value === "recursive") return "recursive";
  return flag(ctx, "submodules", false);
}

function depth(ctx: StepContext, policy: GitPolicy): number {
  const value = input(ctx, "fetch-depth");
  if (value === "") return policy.depth ?? 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new PoolError("INVALID_ARGUMENT", `checkout input fetch-depth '${value}' is not 0 or a positive number`);
  }
  return n;
}

/** `${server_url}${owner/name}.git`, or the repository itself when it is already a URL. */
export function repositoryUrl(serverUrl: string, repository: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repository)) return repository;
  if (serverUrl === "") {
    throw new PoolError("INVALID_ARGUMENT", "github.server_url is empty: give the checkout a full repository url");
  }
  const base = serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`;
  return `${base}${repository.replace(/^\/+/, "").replace(/\.git$/, "")}.git`;
}

/** The checkout directory on the host; `path` may not leave the workspace (as in actions/checkout). */
function targetPath(ctx: StepContext, path: string): string {
  const root = ctx.environment.hostWorkspace;
  const visible = ctx.environment.workspace;
  // An absolute path as steps see it is mapped onto the workspace on the host.
  const rel = isAbsolute(path) ? relative(visible, path) : path;
  const target = resolve(root, rel);
  const inside = relative(root, target);
  if (inside.startsWith("..") || isAbsolute(inside)) {
    throw new PoolError("INVALID_ARGUMENT", `checkout path '${path}' is outside the workspace: use a relative path`);
  }
  return target;
}

/** Gives a tree the runner created on the host to the uid the job's steps run as. */
async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  const st = await lstat(path);
  if (!st.isDirectory()) return;
  for (const name of await readdir(path)) await chownTree(join(path, name), uid, gid);
}

/** What to fetch: the run's own commit for its own repository, else the ref asked for or the default branch. */
function target(ctx: StepContext, repository: string, github: Record<string, unknown>) {
  const ref = input(ctx, "ref");
  if (ref !== "") return { ref };
  const own = repository.toLowerCase() === text(github.repository).toLowerCase();
  if (!own) return {};
  const sha = text(github.sha);
  return { ref: text(github.ref) || undefined, sha: /^[0-9a-f]{40}$/.test(sha) ? sha : undefined };
}

/**
 * `actions/checkout@<any>` run natively with the git CLI (protocol v2, shallow by default, the host's
 * mirror cache). Unlike actions/checkout, `persist-credentials` defaults to false: the task token is
 * passed per git command and is not left in `.git/config` unless the workflow asks for it.
 */
export const checkoutStep: StepRunner = {
  kind: "checkout",
  defaultName: (step: Step) => `Run ${step.uses ?? "actions/checkout"}`,
  async main(ctx: StepContext): Promise<StepOutcome> {
    const github = (ctx.contexts.github ?? {}) as Record<string, unknown>;
    const policy = ctx.services.git ?? {};
    for (const name of UNSUPPORTED) {
      if (input(ctx, name) !== "")
        ctx.log.warning(`checkout input ${name} is ignored: the built-in checkout uses HTTP`);
    }
    const repository = input(ctx, "repository") || text(github.repository);
    if (repository === "") throw new PoolError("INVALID_ARGUMENT", "checkout has no repository: set the input");
    const serverUrl = input(ctx, "github-server-url") || text(github.server_url);
    const path = targetPath(ctx, input(ctx, "path") || ".");
    const token = ctx.inputs.token === undefined ? text(github.token) : ctx.inputs.token.trim();
    const sparse = (ctx.inputs["sparse-checkout"] ?? "")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const options: CheckoutOptions = {
      url: repositoryUrl(serverUrl, repository),
      ...target(ctx, repository, github),
      path,
      ...(token === "" ? {} : { token }),
      depth: depth(ctx, policy),
      ...(input(ctx, "filter") || policy.filter ? { filter: input(ctx, "filter") || policy.filter } : {}),
      ...(sparse.length > 0 ? { sparse } : {}),
      submodules: submodules(ctx, policy),
      fetchTags: flag(ctx, "fetch-tags", false),
      clean: flag(ctx, "clean", true),
      persistCredentials: flag(ctx, "persist-credentials", false),
      lfs: flag(ctx, "lfs", false),
      ...(policy.rewrite ? { rewrite: policy.rewrite } : {}),
      ...(policy.hostHeader ? { hostHeader: policy.hostHeader } : {}),
      ...(policy.mirror ? { mirror: policy.mirror } : {}),
      ...(policy.observe ? { observe: policy.observe } : {}),
      signal: ctx.signal,
      onLine: (line) => ctx.log.line(line),
    };
    ctx.log.line(`Syncing repository: ${repository} (${options.sha ?? options.ref ?? "default branch"})`);
    const result = await checkout(options);
    const owner = ctx.environment.owner;
    if (owner !== undefined) await chownTree(path, owner.uid, owner.gid);
    ctx.log.line(`Checked out ${result.ref} at ${result.commit}`);
    ctx.setOutput("ref", result.ref);
    ctx.setOutput("commit", result.commit);
    return "success";
  },
};
