import { createHash } from "node:crypto";
import { type Dirent, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { matchPatterns } from "../workflow/index.js";

/** Stops a runaway walk (a workspace with a huge vendored tree) from stalling the job. */
const MAX_FILES = 200_000;

/**
 * GitHub's `hashFiles`: the SHA-256 of the SHA-256s of every file under `root` matching the
 * patterns (`!` excludes, later patterns win), in path order; `''` when nothing matches.
 * Synchronous, because the expression evaluator is.
 */
export function hashFiles(root: string, visibleRoot: string, patterns: string[]): string {
  const relative = patterns
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => {
      const negated = p.startsWith("!");
      let body = negated ? p.slice(1) : p;
      if (body.startsWith(`${visibleRoot}/`)) body = body.slice(visibleRoot.length + 1);
      if (body.startsWith("./")) body = body.slice(2);
      return negated ? `!${body}` : body;
    });
  const files: string[] = [];
  walk(root, "", (rel) => {
    if (matchPatterns(relative, rel)) files.push(rel);
  });
  if (files.length === 0) return "";
  files.sort();
  const all = createHash("sha256");
  for (const rel of files) {
    try {
      all.update(
        createHash("sha256")
          .update(readFileSync(join(root, rel)))
          .digest(),
      );
    } catch {
      // Vanished or unreadable; GitHub skips such files too.
    }
  }
  return all.digest("hex");
}

function walk(root: string, rel: string, visit: (rel: string) => void, count = { n: 0 }): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (count.n++ > MAX_FILES) return;
    const child = rel === "" ? entry.name : posix.join(rel, entry.name);
    if (entry.isDirectory()) walk(root, child, visit, count);
    else if (entry.isFile()) visit(child);
  }
}
