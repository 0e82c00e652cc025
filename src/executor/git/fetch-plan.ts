export const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** What to check out: a fully qualified ref (`refs/heads/x`, `refs/tags/x`, `refs/pull/1/head`), a commit, or both. */
export interface CheckoutTarget {
  ref?: string;
  sha?: string;
}

export interface FetchPlan {
  refspecs: string[];
  /** Arguments after `git checkout --force`. */
  checkout: string[];
}

/**
 * The refspecs and checkout arguments for a target, as actions/checkout builds them: a branch lands
 * in `refs/remotes/origin/<name>` and gets a local branch, a tag in `refs/tags/<name>` and a commit
 * is checked out detached. `depth` 0 fetches every branch and tag.
 */
export function planFetch(target: CheckoutTarget, depth: number, fetchTags: boolean): FetchPlan {
  const { ref, sha } = target;
  const refspecs: string[] = [];
  if (depth === 0) {
    refspecs.push("+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*");
    if (ref !== undefined && !/^refs\/(heads|tags)\//.test(ref)) refspecs.push(`+${ref}:${ref}`);
    if (sha !== undefined) refspecs.push(sha);
  } else if (fetchTags) {
    refspecs.push("+refs/tags/*:refs/tags/*");
  }
  if (ref?.startsWith("refs/heads/")) {
    const name = ref.slice("refs/heads/".length);
    if (depth > 0) refspecs.push(`+${sha ?? ref}:refs/remotes/origin/${name}`);
    return { refspecs, checkout: ["-B", name, sha ?? `refs/remotes/origin/${name}`] };
  }
  if (ref !== undefined) {
    // Fetching a tag by name with fetchTags would name refs/tags/x twice; the wildcard covers it.
    const covered = fetchTags && sha === undefined && ref.startsWith("refs/tags/");
    if (depth > 0 && !covered) refspecs.push(`+${sha ?? ref}:${ref}`);
    return { refspecs, checkout: [sha ?? ref] };
  }
  if (sha === undefined) throw new Error("planFetch needs a ref or a sha");
  if (depth > 0) refspecs.push(sha);
  return { refspecs, checkout: [sha] };
}

/** Finds the longest `rewrite` prefix of `url` (as git's insteadOf does) and applies it. */
export function rewriteUrl(url: string, rewrite: Record<string, string> = {}): string {
  let best = "";
  for (const from of Object.keys(rewrite)) if (url.startsWith(from) && from.length > best.length) best = from;
  return best === "" ? url : `${rewrite[best]}${url.slice(best.length)}`;
}

/** `scheme://host[:port]/` of an http(s) URL, the scope for per-server git settings; undefined otherwise. */
export function httpScope(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
    return `${u.protocol}//${u.host}/`;
  } catch {
    return undefined;
  }
}
