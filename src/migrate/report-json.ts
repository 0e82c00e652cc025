import type { AuditReport } from "./audit.js";

/** `{ files, findings, summary }`, pretty-printed, for scripts and the test expectations. */
export function formatJson(report: AuditReport): string {
  const summary = { error: 0, warning: 0, note: 0 };
  for (const f of report.findings) summary[f.severity]++;
  return `${JSON.stringify({ files: report.files, findings: report.findings, summary }, null, 2)}\n`;
}
