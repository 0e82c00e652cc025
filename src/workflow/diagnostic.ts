import { formatLocation } from "../lib/index.js";
import type { Diagnostic } from "./model.js";

export interface FormatDiagnosticOptions {
  /** Put `error: `/`warning: ` before the message (default true); off where only errors are listed. */
  severity?: boolean;
}

/** `file:line:col: severity: message`, the shape compilers print and editors link. */
export function formatDiagnostic(d: Diagnostic, options: FormatDiagnosticOptions = {}): string {
  const severity = options.severity === false ? "" : `${d.severity}: `;
  return `${formatLocation(d)}: ${severity}${d.message}`;
}
