/** How bad a finding is; `error` findings make `migrate audit` exit 1. */
export type Severity = "error" | "warning" | "note";

/** One problem found in a workflow file, positioned at the YAML node that shows it. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  /** Path relative to the audited directory, with `/` separators. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
  fix: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** Stable report order: file, position, then rule, so reports diff cleanly between runs. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.col !== b.col) return a.col - b.col;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
}
