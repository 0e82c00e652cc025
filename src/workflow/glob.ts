import { PoolError } from "../lib/index.js";

const cache = new Map<string, RegExp>();

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function isRangeChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9]/.test(c);
}

/**
 * Compiles a GitHub filter pattern: `*` (not across `/`), `**` (anything; `**\/` also matches
 * nothing), `?` / `+` (zero-or-one / one-or-more of the preceding character), `[a-z0-9]`, `\` escapes.
 * Throws PoolError WORKFLOW_INVALID for a malformed pattern.
 */
export function globToRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let re = "^";
  let i = 0;
  const bad = (why: string) => new PoolError("WORKFLOW_INVALID", `filter pattern '${pattern}' is invalid: ${why}`);
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        if (pattern[i + 2] === "/") {
          re += "(?:.+/)?";
          i += 3;
        } else {
          re += ".*";
          i += 2;
        }
      } else {
        re += "[^/]*";
        i++;
      }
    } else if (c === "?" || c === "+") {
      // A quantifier on the preceding character; at the start it is a literal.
      re += i > 0 ? c : escapeChar(c);
      i++;
    } else if (c === "[") {
      i++;
      let cls = "";
      while (i < pattern.length && pattern[i] !== "]") {
        const ch = pattern[i] as string;
        if (
          ch === "-" &&
          cls !== "" &&
          isRangeChar(pattern[i - 1]) &&
          isRangeChar(pattern[i + 1]) &&
          pattern[i + 1] !== "]"
        ) {
          cls += "-";
        } else if (isRangeChar(ch)) {
          cls += ch;
        } else {
          throw bad(`'${ch}' in brackets: only a-z, A-Z and 0-9 ranges are allowed`);
        }
        i++;
      }
      if (pattern[i] !== "]") throw bad("missing ']'");
      if (cls === "") throw bad("empty brackets '[]'");
      re += `[${cls}]`;
      i++;
    } else if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) throw bad("nothing after '\\'");
      re += escapeChar(next);
      i += 2;
    } else {
      re += escapeChar(c);
      i++;
    }
  }
  const compiled = new RegExp(`${re}$`, "u");
  cache.set(pattern, compiled);
  return compiled;
}

/** Does one (positive) GitHub filter pattern match the whole value? */
export function matchGlob(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

/**
 * Applies an ordered pattern list where `!pattern` negates: the last pattern that matches decides.
 * False when nothing matches.
 */
export function matchPatterns(patterns: readonly string[], value: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith("!")) {
      if (matchGlob(p.slice(1), value)) matched = false;
    } else if (matchGlob(p, value)) {
      matched = true;
    }
  }
  return matched;
}
