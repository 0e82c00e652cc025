import { type Dirent, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, posix, relative, sep } from "node:path";
import { hasGlob, pathGlobToRegExp } from "./path-glob.js";

/** One file to upload: where it is on the host and its path inside the artifact. */
export interface UploadFile {
  source: string;
  path: string;
  size: number;
}

export interface CollectOptions {
  /** Resolves a path as steps see it (absolute, after `~` expansion) to the host's path. */
  toHost(visible: string): string;
  /** GITHUB_WORKSPACE as steps see it: relative patterns start there. */
  workspace: string;
  /** HOME as steps see it, for `~/...`. */
  home: string | undefined;
  /** upload-artifact's `include-hidden-files`: otherwise files and directories named `.x` are skipped. */
  includeHidden: boolean;
  /** Stops a runaway walk. */
  maxFiles?: number;
}

export interface CollectedFiles {
  files: UploadFile[];
  /** The directory artifact paths are relative to (host path). */
  root: string;
}

interface Pattern {
  negate: boolean;
  regexp: RegExp;
  /** The part before the first glob segment (host path); includes only. */
  searchPath: string;
}

function parsePatterns(text: string, options: CollectOptions): Pattern[] {
  const patterns: Pattern[] = [];
  for (const raw of text.split("\n")) {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    if (line === "~" || line.startsWith("~/")) {
      if (options.home === undefined) throw new Error(`path "${line}" uses ~ but HOME is not set`);
      line = options.home + line.slice(1);
    }
    const absolute = posix.normalize(line.startsWith("/") ? line : posix.join(options.workspace, line));
    const host = options.toHost(absolute.length > 1 ? absolute.replace(/\/+$/, "") : absolute);
    const segments = host.split("/");
    const firstGlob = segments.findIndex(hasGlob);
    const searchPath = firstGlob < 0 ? host : segments.slice(0, firstGlob).join("/") || "/";
    patterns.push({ negate, regexp: pathGlobToRegExp(host), searchPath });
  }
  return patterns;
}

/** A pattern matching a directory matches everything under it (@actions/glob's implicit descendants). */
function matches(pattern: Pattern, file: string): boolean {
  let path = file;
  for (;;) {
    if (pattern.regexp.test(path)) return true;
    const parent = dirname(path);
    if (parent === path) return false;
    path = parent;
  }
}

function isWithin(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep));
}

/** Search paths without those inside another (@actions/glob's getSearchPaths). */
function topSearchPaths(patterns: Pattern[]): string[] {
  const all = [...new Set(patterns.filter((p) => !p.negate).map((p) => p.searchPath))].sort();
  return all.filter((p) => !all.some((q) => q !== p && isWithin(q, p)));
}

function commonAncestor(paths: string[]): string {
  const split = paths.map((p) => p.split("/"));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join("/") || "/";
}

function walk(start: string, options: CollectOptions, visit: (file: string, size: number) => void): void {
  const seen = new Set<string>();
  const limit = options.maxFiles ?? 100_000;
  let count = 0;
  const stack = [start];
  while (stack.length > 0) {
    const path = stack.pop() as string;
    let info: ReturnType<typeof statSync>;
    try {
      info = statSync(path);
    } catch {
      continue; // missing or a dangling link
    }
    if (info.isFile()) {
      if (++count > limit) throw new Error(`more than ${limit} files under "${start}": narrow the path`);
      visit(path, info.size);
      continue;
    }
    if (!info.isDirectory()) continue;
    const real = realpathSync(path);
    if (seen.has(real)) continue; // a symlink loop
    seen.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries.reverse()) {
      if (!options.includeHidden && e.name.startsWith(".")) continue;
      stack.push(path === "/" ? `/${e.name}` : `${path}/${e.name}`);
    }
  }
}

/**
 * actions/upload-artifact's file search: newline-separated paths and globs (relative to the
 * workspace, `~` expanded, `!` excludes, later lines win), and the artifact root it derives: the
 * common ancestor of the search paths, or the parent directory when the only match is one named file.
 */
export function collectUploadFiles(text: string, options: CollectOptions): CollectedFiles {
  const patterns = parsePatterns(text, options);
  const searchPaths = topSearchPaths(patterns);
  const found = new Map<string, number>();
  for (const start of searchPaths) {
    walk(start, options, (file, size) => {
      let included = false;
      for (const p of patterns) {
        if (p.negate ? included : !included) {
          if (matches(p, file)) included = !p.negate;
        }
      }
      if (included) found.set(file, size);
    });
  }
  const single = searchPaths.length === 1 && found.size === 1 && found.has(searchPaths[0] as string);
  const root = single ? dirname(searchPaths[0] as string) : commonAncestor(searchPaths);
  const files = [...found]
    .map(([source, size]) => ({ source, size, path: relative(root, source).split(sep).join("/") }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, root };
}
