import type { AuditReport } from "./audit.js";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `file:line:col severity rule-id message` with a `fix:` line under each, then a summary line. */
export function formatText(report: AuditReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${f.file}:${f.line}:${f.col} ${f.severity} ${f.ruleId} ${f.message}`);
    lines.push(`  fix: ${f.fix}`);
  }
  const count = (s: string) => report.findings.filter((f) => f.severity === s).length;
  lines.push(
    `${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}, ${plural(count("note"), "note")} ` +
      `in ${plural(report.files.length, "workflow file")}`,
  );
  return `${lines.join("\n")}\n`;
}
