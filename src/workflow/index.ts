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
export { normaliseOn, normaliseRunsOn, parseWorkflow } from "./parse.js";
