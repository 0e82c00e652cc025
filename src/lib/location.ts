/** A place in a user document: a file, and a 1-based line and column when known. */
export interface Location {
  file: string;
  line?: number | undefined;
  col?: number | undefined;
}

/** `file`, `file:line` or `file:line:col`: the prefix editors and terminals turn into a link. */
export function formatLocation(at: Location): string {
  if (at.line === undefined) return at.file;
  return `${at.file}:${at.line}${at.col === undefined ? "" : `:${at.col}`}`;
}
