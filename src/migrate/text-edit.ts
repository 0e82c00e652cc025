import { PoolError } from "../lib/index.js";

/** Replace `text.slice(start, end)` with `insert`. */
export interface TextEdit {
  start: number;
  end: number;
  insert: string;
}

/**
 * Applies non-overlapping edits to the original text. Splicing the source (rather than
 * re-serialising the YAML) is what keeps every untouched byte identical.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const e of sorted) {
    if (e.start < at || e.end < e.start) {
      throw new PoolError("INTERNAL", `overlapping rewrite edits at offset ${e.start}; report this workflow as a bug`);
    }
    out += text.slice(at, e.start) + e.insert;
    at = e.end;
  }
  return out + text.slice(at);
}

/** Offset of the first character of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Offset just past the line break ending the line that holds `offset` (or the text's end). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl + 1;
}

/** Extends `end` over a trailing `# comment` on the same line, which belongs to the replaced value. */
export function withTrailingComment(text: string, end: number): number {
  const m = /^[ \t]+#[^\r\n]*/.exec(text.slice(end));
  return m ? end + m[0].length : end;
}

/** Comments that explain the laptop workaround; they are removed with what they explain. */
export const WORKAROUND_COMMENT = /rsync|LOCAL_REPO|local clone|worktree/i;

/**
 * Start of the run of comment lines directly above the line at `lineOffset`, written at the same
 * column, when one of them matches `about`; otherwise `lineOffset`. Such comments explain the thing
 * being removed (the design document's "TLS drops, so rsync" note) and go with it.
 */
export function explainingCommentsStart(text: string, lineOffset: number, about: RegExp): number {
  const col = /^[ \t]*/.exec(text.slice(lineOffset))?.[0].length ?? 0;
  let start = lineOffset;
  let matched = false;
  while (start > 0) {
    const prev = lineStart(text, start - 1);
    const line = text.slice(prev, start).replace(/\r?\n$/, "");
    const indent = /^[ \t]*/.exec(line)?.[0].length ?? 0;
    if (indent !== col || line[indent] !== "#") break;
    matched ||= about.test(line);
    start = prev;
  }
  return matched ? start : lineOffset;
}
