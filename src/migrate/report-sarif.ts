import type { AuditReport } from "./audit.js";
import { ALL_RULES, yamlSyntaxRule } from "./rules/all-rules.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

export interface SarifOptions {
  toolVersion?: string;
}

/**
 * SARIF 2.1.0, the format code-scanning tools read: one run, the rule table in tool.driver.rules,
 * locations relative to the audited directory.
 */
export function formatSarif(report: AuditReport, options: SarifOptions = {}): string {
  const rules = [yamlSyntaxRule, ...ALL_RULES].map((r) => ({
    id: r.id,
    name: r.id
      .split("-")
      .map((w) => (w[0] ?? "").toUpperCase() + w.slice(1))
      .join(""),
    shortDescription: { text: r.shortDescription },
    fullDescription: { text: r.help },
    help: { text: r.help },
    defaultConfiguration: { level: r.severity },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: index.get(f.ruleId) ?? -1,
    level: f.severity,
    message: { text: `${f.message}. Fix: ${f.fix}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file) },
          region: { startLine: f.line, startColumn: f.col },
        },
      },
    ],
    properties: { fix: f.fix },
  }));
  const driver: Record<string, unknown> = { name: "runnerpool" };
  if (options.toolVersion !== undefined) driver.version = options.toolVersion;
  driver.rules = rules;
  const sarif = { $schema: SARIF_SCHEMA, version: "2.1.0", runs: [{ tool: { driver }, results }] };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
