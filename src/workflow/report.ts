import type { Diagnostic, Position } from "./model.js";

/** Where in a YAML document a value sits: keys and sequence indexes from the root. */
export type Path = (string | number)[];
export type Report = (
  code: string,
  severity: Diagnostic["severity"],
  message: string,
  pos: Position | undefined,
) => void;

/** The diagnostics list of one document and the `report` that appends to it with the file's name. */
export function collectDiagnostics(file: string): { diagnostics: Diagnostic[]; report: Report } {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (code, severity, message, pos) => {
    diagnostics.push({ code, severity, message, file, ...(pos ? { line: pos.line, col: pos.col } : {}) });
  };
  return { diagnostics, report };
}
