import { readFile } from "node:fs/promises";
import { discoverWorkflowFiles } from "./discover.js";
import { compareFindings, type Finding } from "./finding.js";
import type { RoleLabels } from "./role-labels.js";
import { ALL_RULES, yamlSyntaxRule } from "./rules/all-rules.js";
import { loadWorkflow } from "./workflow-file.js";

export interface AuditOptions {
  /** Roles of the pool config; without them label checks fall back to GitHub-hosted labels. */
  roles?: readonly RoleLabels[];
}

export interface AuditReport {
  /** Audited files, relative to the directory. */
  files: string[];
  findings: Finding[];
}

/** Runs every rule over one workflow's text; a YAML error is a `yaml-syntax` finding, never a throw. */
export function auditWorkflow(file: string, text: string, options: AuditOptions = {}): Finding[] {
  const loaded = loadWorkflow(file, text);
  if (!loaded.ok) {
    return loaded.problems.map((p) => ({
      ruleId: yamlSyntaxRule.id,
      severity: yamlSyntaxRule.severity,
      file,
      line: p.line,
      col: p.col,
      message: p.message,
      fix: "fix the YAML at this position; no other rule ran on this file",
    }));
  }
  const wf = loaded.workflow;
  const findings: Finding[] = [];
  for (const rule of ALL_RULES) {
    const ctx = options.roles === undefined ? { wf } : { wf, roles: options.roles };
    for (const hit of rule.check(ctx)) {
      const { line, col } = wf.pos(hit.offset);
      findings.push({
        ruleId: rule.id,
        severity: hit.severity ?? rule.severity,
        file,
        line,
        col,
        message: hit.message,
        fix: hit.fix,
      });
    }
  }
  return findings.sort(compareFindings);
}

/** Audits every workflow under `dir` (see discoverWorkflowFiles). */
export async function auditDirectory(dir: string, options: AuditOptions, signal: AbortSignal): Promise<AuditReport> {
  const files = await discoverWorkflowFiles(dir, signal);
  const findings: Finding[] = [];
  for (const f of files) {
    const text = await readFile(f.path, { encoding: "utf8", signal });
    findings.push(...auditWorkflow(f.file, text, options));
  }
  return { files: files.map((f) => f.file), findings: findings.sort(compareFindings) };
}
