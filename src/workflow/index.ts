// Reads workflows and action.yml files, evaluates expressions, plans jobs, and finds a repository's workflows.
export {
  type ActionInput,
  type ActionManifest,
  type ActionOutput,
  type ActionParseResult,
  type ActionRuns,
  parseActionManifest,
} from "./action-manifest.js";
export { type FormatDiagnosticOptions, formatDiagnostic } from "./diagnostic.js";
export { type DispatchInputs, resolveDispatchInputs } from "./dispatch-inputs.js";
export {
  CONTEXT_NAMES,
  type ContextName,
  type EvaluateOptions,
  type ExpressionContexts,
  evaluateCondition,
  evaluateExpression,
  evaluateValue,
  hasExpression,
  interpolate,
  isTruthy,
  parseExpression,
  type StatusFunctions,
  splitTemplate,
  type TemplatePart,
  toText,
} from "./expressions.js";
export { globToRegExp, matchGlob, matchPatterns } from "./glob.js";
export {
  exclusiveLabels,
  labelNames,
  labelsCover,
  parseLabel,
  type RoutedRole,
  type RunnerLabel,
  routes,
} from "./labels.js";
export { expandMatrix, MAX_MATRIX_COMBINATIONS, type MatrixCombination, matrixName } from "./matrix.js";
export type {
  Diagnostic,
  Job,
  ParseResult,
  PlannedJob,
  Position,
  RunDefaults,
  Step,
  TriggerEvent,
  Workflow,
} from "./model.js";
export { checkNeedsGraph } from "./needs-graph.js";
export { normaliseOn, normaliseRunsOn } from "./normalise.js";
export { parseWorkflow } from "./parse.js";
export { type PlanContext, type PlanResult, planJob, planJobs } from "./plan.js";
export { schemaCheckAvailable, schemaDiagnostics } from "./schema-check.js";
export { workflowTriggers } from "./triggers.js";
export {
  findWorkflowFiles,
  type ListFiles,
  listWorkingTree,
  pickWorkflowFiles,
  WORKFLOW_DIRS,
  workflowFilesIn,
} from "./workflow-dirs.js";
