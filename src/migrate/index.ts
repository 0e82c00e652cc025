// Migration toolkit: audit and rewrite laptop-runner workflows for the pool, compare v1 and v2 runs, promote v2.
export { type AuditOptions, type AuditReport, auditDirectory, auditWorkflow } from "./audit.js";
export {
  type ArtifactFileDigest,
  type ComparableJob,
  type ComparableRun,
  isV2File,
  readRunSummary,
  workflowKey,
} from "./comparable-run.js";
export { formatComparison } from "./compare-report.js";
export {
  type ArtifactComparison,
  compareRuns,
  type FileDifference,
  type JobComparison,
  type RunComparison,
} from "./compare-runs.js";
export { discoverWorkflowFiles, type WorkflowPath } from "./discover.js";
export { compareFindings, type Finding, type Severity } from "./finding.js";
export { GITHUB_HOSTED_LABELS, type LabelMapOptions, mapLabels } from "./label-map.js";
export {
  appendHistory,
  type ComparisonEntry,
  comparisonEntry,
  HISTORY_FILE,
  type HistoryEntry,
  type PromotionEntry,
  promotionStreak,
  readHistory,
  type Streak,
} from "./migrate-history.js";
export { pairRuns, type RunPairs } from "./pair-runs.js";
export {
  DEFAULT_REQUIRED_STREAK,
  type PromoteOptions,
  type PromoteResult,
  promoteWorkflow,
  unmarkV2Name,
} from "./promote.js";
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
export type { RoleLabels } from "./role-labels.js";
export type { Rule } from "./rule.js";
export { ALL_RULES, yamlSyntaxRule } from "./rules/all-rules.js";
export { unifiedDiff } from "./unified-diff.js";
