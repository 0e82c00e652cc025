import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { errorMessage, isPoolError, PoolError } from "../../lib/index.js";
import { type CheckoutTarget, httpScope, planFetch, rewriteUrl, SHA_RE } from "./fetch-plan.js";
import { type GitConfigEntries, type GitResult, runGit } from "./git-command.js";
import type { CheckoutObservation } from "./git-policy.js";
import type { MirrorCache } from "./mirror-cache.js";
import { updateSubmodules } from "./submodules.js";

export interface CheckoutOptions {
  /** The repository URL as the forge names it (public); `rewrite` maps it to an internal one. */
  url: string;
  /** `refs/heads/x`, `refs/tags/x`, any other `refs/...`, a bare branch or tag name, or a SHA. Default: the remote's HEAD. */
  ref?: string;
  sha?: string;
  /** Absolute target directory; emptied first unless it already holds a clone of `url`. */
  path: string;
  /** Sent as HTTP basic auth (`x-access-token:<token>`) to the repository's server only. */
  token?: string;
  /** Default 1; 0 fetches the full history of every branch and tag. */
  depth?: number;
  /** A partial-clone filter, e.g. `blob:none`. */
  filter?: string;
  /** Cone-mode sparse checkout of these directories. */
  sparse?: string[];
  submodules?: boolean | "recursive";
  fetchTags?: boolean;
  /** Default true: a reused clone gets `git clean -ffdx` and `git reset --hard`. */
  clean?: boolean;
  /** Leave the Authorization header in the clone's config so later git commands in the job can use it. */
  persistCredentials?: boolean;
  /** Not supported: set it and checkout fails with a clear error. */
  lfs?: boolean;
  /** Public URL prefix -> internal prefix; persisted in the clone as `url.<internal>.insteadOf`. */
  rewrite?: Record<string, string>;
  /** Host header to send to the (rewritten) server, for a forge reached through an internal address. */
  hostHeader?: string;
  /** Borrow objects from a per-host mirror; falls back to a direct fetch when the mirror fails. */
  mirror?: MirrorCache;
  signal: AbortSignal;
  onLine?: (line: string) => void;
  /** Told once the checkout succeeded: the bytes the clone holds and what the mirror did. */
  observe?: (checkout: CheckoutObservation) => void;
}

/** The outputs of actions/checkout. */
export interface CheckoutResult {
  /** The qualified ref checked out, or the commit when only a SHA was asked for. */
  ref: string;
  commit: string;
}

interface Transport {
  /** Per-command settings: protocol v2, rewrite, Host and Authorization headers. */
  env: GitConfigEntries;
  /** Written into the clone: rewrite, Host header, and the Authorization header only when persisted. */
  persist: [string, string][];
}

function transport(o: CheckoutOptions): Transport {
  const rewrite: [string, string][] = Object.entries(o.rewrite ?? {}).map(([pub, internal]) => [
    `url.${internal}.insteadOf`,
    pub,
  ]);
  const scope = httpScope(rewriteUrl(o.url, o.rewrite));
  const env: [string, string][] = [
    ["protocol.version", "2"],
    ["advice.detachedHead", "false"],
    // The checkout may belong to the uid the job runs as while the runner works on it.
    ["safe.directory", "*"],
    ...rewrite,
  ];
  const persist: [string, string][] = [...rewrite];
  if (scope !== undefined && (o.hostHeader !== undefined || o.token !== undefined)) {
    // Scoped to the server that is really contacted, so a submodule on another host never sees the
    // token. The empty value first drops headers persisted by an earlier checkout: one Host, one token.
    const key = `http.${scope}.extraHeader`;
    env.push([key, ""]);
    if (o.hostHeader !== undefined) {
      env.push([key, `Host: ${o.hostHeader}`]);
      persist.push([key, `Host: ${o.hostHeader}`]);
    }
    if (o.token !== undefined) {
      const auth = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${o.token}`).toString("base64")}`;
      env.push([key, auth]);
      if (o.persistCredentials) persist.push([key, auth]);
    }
  }
  return { env, persist };
}

function validate(o: CheckoutOptions): void {
  if (o.lfs) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      "checkout input 'lfs' is not supported by the built-in checkout: remove it, or run 'git lfs pull' in a later step",
    );
  }
  if (!isAbsolute(o.path)) throw new PoolError("INVALID_ARGUMENT", `checkout path '${o.path}' is not absolute`);
  if (o.url === "") throw new PoolError("INVALID_ARGUMENT", "checkout repository url is empty: give the repository");
  const depth = o.depth ?? 1;
  if (!Number.isInteger(depth) || depth < 0) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `fetch depth '${depth}' is not valid: use 0 (full history) or a positive number`,
    );
  }
  if (o.sha !== undefined && !SHA_RE.test(o.sha)) {
    throw new PoolError("INVALID_ARGUMENT", `commit '${o.sha}' is not a full lower-case SHA`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function emptyDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
  for (const name of await readdir(path)) await rm(join(path, name), { recursive: true, force: true });
}

/**
 * Checks a repository out the way actions/checkout does (init, remote add, fetch the one ref shallow,
 * checkout --force) with protocol v2, credentials passed per command and never stored unless asked.
 */
export async function checkout(o: CheckoutOptions): Promise<CheckoutResult> {
  validate(o);
  const t = transport(o);
  const run = (args: string[], check = true): Promise<GitResult> =>
    runGit(args, { cwd: o.path, signal: o.signal, config: t.env, onLine: o.onLine, check });
  const quiet = (args: string[]): Promise<GitResult> =>
    runGit(args, { cwd: o.path, signal: o.signal, config: t.env, check: false });

  const init = async () => {
    await emptyDir(o.path);
    await run(["init", "--quiet"]);
    await run(["remote", "add", "origin", o.url]);
    for (const [key, value] of t.persist) await run(["config", "--local", "--add", key, value]);
    if (o.sparse !== undefined && o.sparse.length > 0) {
      await run(["sparse-checkout", "set", "--cone", "--", ...o.sparse]);
    }
  };

  let reused = false;
  if (await exists(join(o.path, ".git"))) {
    const origin = await quiet(["config", "--get", "remote.origin.url"]);
    reused = origin.code === 0 && origin.stdout.trim() === o.url && (await reuse(o, t, quiet, run));
  }
  if (!reused) await init();

  const { target, asked } = await resolveTarget(o, run);
  let mirrorPath: string | undefined;
  let mirror: CheckoutObservation["mirror"] = o.mirror === undefined ? "off" : "failed";
  const observed = async (result: CheckoutResult): Promise<CheckoutResult> => {
    o.observe?.({ bytes: await treeBytes(join(o.path, ".git", "objects")), mirror });
    return result;
  };
  if (o.mirror !== undefined) {
    // A fetch of a commit the mirror already has never reaches the server, so without this one
    // round trip a job could read a repository its token cannot.
    if (!asked) await run(["ls-remote", "origin", target.ref ?? "HEAD"]);
    try {
      mirrorPath = await o.mirror.ensure(o.url, [target.sha ?? target.ref ?? ""], o.signal, {
        config: t.env,
        onLine: o.onLine,
        onOutcome: (outcome) => {
          mirror = outcome;
        },
      });
    } catch (err) {
      if (o.signal.aborted) throw err;
      o.onLine?.(`warning: the mirror cache is unusable (${errorMessage(err)}); fetching directly`);
    }
  }
  if (mirrorPath !== undefined) {
    try {
      return await observed(await fetchAndCheckout(o, t, target, mirrorPath, run));
    } catch (err) {
      // Refused credentials or a missing ref fail the same way without the mirror.
      if (o.signal.aborted || (isPoolError(err) && err.code !== "INTERNAL")) throw err;
      o.onLine?.(`warning: checkout through the mirror failed (${errorMessage(err)}); fetching directly`);
      await o.mirror?.invalidate(o.url, o.signal).catch(() => undefined);
      mirror = "failed";
      await init();
    }
  }
  return await observed(await fetchAndCheckout(o, t, target, undefined, run));
}

/** Bytes of the files under `dir`, for the checkout metrics; 0 for what cannot be read. */
async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (e.isFile()) total += (await stat(join(e.parentPath ?? e.path, e.name)).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/** Makes an existing clone of the same repository reusable; false when it must be replaced. */
async function reuse(
  o: CheckoutOptions,
  t: Transport,
  quiet: (args: string[]) => Promise<GitResult>,
  run: (args: string[]) => Promise<GitResult>,
): Promise<boolean> {
  for (const lock of ["index.lock", "shallow.lock"]) await rm(join(o.path, ".git", lock), { force: true });
  await rm(join(o.path, ".git", "objects", "info", "alternates"), { force: true });
  if (o.clean ?? true) {
    if ((await quiet(["clean", "-ffdx"])).code !== 0) return false;
    if ((await quiet(["rev-parse", "--verify", "--quiet", "HEAD"])).code === 0) {
      if ((await quiet(["reset", "--hard", "--quiet", "HEAD"])).code !== 0) return false;
    }
  }
  const keys = new Set(t.persist.map(([k]) => k));
  for (const key of keys) await quiet(["config", "--local", "--unset-all", key]);
  for (const [key, value] of t.persist) await run(["config", "--local", "--add", key, value]);
  if (o.sparse !== undefined && o.sparse.length > 0) await run(["sparse-checkout", "set", "--cone", "--", ...o.sparse]);
  else await quiet(["sparse-checkout", "disable"]);
  return true;
}

/** Qualifies the ref the way actions/checkout does; `asked` tells whether the remote was contacted. */
async function resolveTarget(
  o: CheckoutOptions,
  run: (args: string[]) => Promise<GitResult>,
): Promise<{ target: CheckoutTarget; asked: boolean }> {
  let { ref, sha } = o;
  if (ref === "") ref = undefined;
  if (ref !== undefined && sha === undefined && SHA_RE.test(ref)) return { target: { sha: ref }, asked: false };
  if (ref?.startsWith("refs/")) return { target: { ref, sha }, asked: false };
  if (ref === undefined) {
    if (sha !== undefined) return { target: { sha }, asked: false };
    const { stdout } = await run(["ls-remote", "--symref", "origin", "HEAD"]);
    const m = /^ref: (refs\/\S+)\tHEAD$/m.exec(stdout);
    if (!m?.[1]) {
      throw new PoolError("NOT_FOUND", `repository '${o.url}' has no default branch: push a branch or give a ref`);
    }
    return { target: { ref: m[1], sha }, asked: true };
  }
  const { stdout } = await run(["ls-remote", "origin", `refs/heads/${ref}`, `refs/tags/${ref}`]);
  const found = stdout.split("\n").map((l) => l.split("\t")[1]);
  for (const q of [`refs/heads/${ref}`, `refs/tags/${ref}`]) {
    if (found.includes(q)) return { target: { ref: q, sha }, asked: true };
  }
  throw new PoolError("NOT_FOUND", `ref '${ref}' is neither a branch nor a tag of '${o.url}': check the ref`);
}

async function fetchAndCheckout(
  o: CheckoutOptions,
  t: Transport,
  target: CheckoutTarget,
  mirrorPath: string | undefined,
  run: (args: string[]) => Promise<GitResult>,
): Promise<CheckoutResult> {
  const depth = o.depth ?? 1;
  const plan = planFetch(target, depth, o.fetchTags ?? false);
  const args = ["fetch", "--prune", "--no-recurse-submodules"];
  if (!(o.fetchTags || depth === 0)) args.push("--no-tags");
  if (mirrorPath !== undefined) {
    // The mirror holds full history: depth and filter would only make the server send a pack again.
    await writeFile(join(o.path, ".git", "objects", "info", "alternates"), `${join(mirrorPath, "objects")}\n`);
  } else {
    if (depth > 0) args.push(`--depth=${depth}`);
    if (o.filter !== undefined && o.filter !== "") args.push(`--filter=${o.filter}`);
  }
  await run([...args, "origin", ...plan.refspecs]);
  await run(["checkout", "--force", "--quiet", ...plan.checkout]);
  const commit = (await run(["rev-parse", "HEAD"])).stdout.trim();
  if (o.sha !== undefined && commit !== o.sha) {
    throw new PoolError("INTERNAL", `checked out '${commit}' instead of '${o.sha}': the ref moved; retry the job`);
  }
  if (o.submodules) {
    await updateSubmodules(o.path, {
      recursive: o.submodules === "recursive",
      depth,
      signal: o.signal,
      config: t.env,
      persist: t.persist,
      onLine: o.onLine,
    });
  }
  return { ref: target.ref ?? commit, commit };
}
