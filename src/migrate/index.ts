/**
 * Migration toolkit: audit workflows written for the laptop runner and rewrite them for the pool
 * (issue 6). `compare`/`promote` and native artifacts come with the coordinator and runner.
 */
export { type AuditOptions, type AuditReport, auditDirectory, auditWorkflow } from "./audit.js";
export { findWorkflowFiles, WORKFLOW_DIRS, type WorkflowPath } from "./discover.js";
export { compareFindings, type Finding, type Severity } from "./finding.js";
export { GITHUB_HOSTED_LABELS, type LabelMapOptions, mapLabels } from "./label-map.js";
export type { PoolRole } from "./pool-role.js";
export { formatJson } from "./report-json.js";
export { formatSarif, SARIF_SCHEMA, type SarifOptions } from "./report-sarif.js";
export { formatText } from "./report-text.js";
export { type RewriteEvent, type RewriteOptions, type RewriteOutcome, rewriteWorkflow } from "./rewrite.js";
export {
  type RewriteDirectoryOptions,
  type RewriteFileResult,
  rewriteDirectory,
  v2Name,
} from "./rewrite-directory.js";
export type { Rule } from "./rule.js";
export { ALL_RULES, yamlSyntaxRule } from "./rules/all-rules.js";
export { unifiedDiff } from "./unified-diff.js";
