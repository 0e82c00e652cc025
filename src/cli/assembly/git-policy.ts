import { mkdirSync } from "node:fs";
import type { GitConfig } from "../../config/index.js";
import { type GitPolicy, MirrorCache } from "../../executor/index.js";
import type { Logger } from "../../lib/index.js";

/**
 * The checkout policy of this host from config `[git]`; with `mirror_cache` one mirror cache in
 * `mirrorDir`, shared by every runner of this process (its lock files also guard other processes).
 */
export function hostGitPolicy(
  git: GitConfig,
  mirrorDir: string,
  logger: Logger,
  observe?: GitPolicy["observe"],
): GitPolicy {
  let mirror: MirrorCache | undefined;
  if (git.mirror_cache) {
    // It must exist before a job starts: sandboxes bind it read-only at the same path.
    mkdirSync(mirrorDir, { recursive: true, mode: 0o755 });
    mirror = new MirrorCache({ dir: mirrorDir, logger: logger.child({ component: "git-mirror" }) });
  }
  return {
    depth: git.depth,
    submodules: git.submodules,
    ...(git.filter ? { filter: git.filter } : {}),
    ...(Object.keys(git.rewrite).length > 0 ? { rewrite: git.rewrite } : {}),
    ...(git.host_header ? { hostHeader: git.host_header } : {}),
    ...(mirror ? { mirror } : {}),
    ...(observe ? { observe } : {}),
  };
}
