const GLOB_CHARS = /[*?[]/;

/** Whether a path segment holds a glob character (`*`, `?`, `[`). */
export function hasGlob(segment: string): boolean {
  return GLOB_CHARS.test(segment);
}

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function segmentSource(segment: string): string {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else re += escapeChar(c);
  }
  return re;
}

/**
 * A file glob as @actions/glob reads it (minimatch-like, dot files included): `*` and `?` within
 * one segment, `[...]` classes, and `**` for any number of whole segments, including none.
 * Matches whole `/`-separated paths.
 */
export function pathGlobToRegExp(pattern: string): RegExp {
  const parts = pattern.split("/");
  let re = "^";
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (part === "**") {
      re += last ? ".*" : "(?:[^/]*/)*";
      return;
    }
    re += segmentSource(part);
    if (!last) re += "/";
  });
  return new RegExp(`${re}$`, "u");
}
