import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import { errorMessage, PoolError } from "../lib/index.js";

/** Every context name a runner may declare; all must be present at evaluation (empty when unknown). */
export const CONTEXT_NAMES = [
  "github",
  "gitea",
  "env",
  "vars",
  "secrets",
  "job",
  "jobs",
  "steps",
  "runner",
  "matrix",
  "strategy",
  "needs",
  "inputs",
] as const;

export type ContextName = (typeof CONTEXT_NAMES)[number];
export type ExpressionContexts = Partial<Record<ContextName, unknown>>;

/** Host-provided status, answered for the scope (job, step list, composite) doing the asking. */
export interface StatusFunctions {
  success(): boolean;
  failure(): boolean;
  cancelled(): boolean;
}

export interface EvaluateOptions {
  status?: StatusFunctions;
  /** Synchronous, because the library's evaluator is synchronous. */
  hashFiles?: (patterns: string[]) => string;
}

const STATUS_NAMES = ["success", "failure", "cancelled", "always"];

function toData(value: unknown): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;
}

function fromData(value: data.ExpressionData): unknown {
  return JSON.parse(JSON.stringify(value, data.replacer)) as unknown;
}

function hostFunctions(options: EvaluateOptions) {
  const status = options.status;
  const fns = new Map<
    string,
    { name: string; minArgs: number; maxArgs: number; call: (...a: data.ExpressionData[]) => data.ExpressionData }
  >();
  const bool = (v: boolean) => new data.BooleanData(v);
  fns.set("success", { name: "success", minArgs: 0, maxArgs: 0, call: () => bool(status ? status.success() : true) });
  fns.set("failure", { name: "failure", minArgs: 0, maxArgs: 0, call: () => bool(status ? status.failure() : false) });
  fns.set("cancelled", {
    name: "cancelled",
    minArgs: 0,
    maxArgs: 0,
    call: () => bool(status ? status.cancelled() : false),
  });
  fns.set("always", { name: "always", minArgs: 0, maxArgs: 0, call: () => bool(true) });
  fns.set("hashfiles", {
    name: "hashFiles",
    minArgs: 1,
    maxArgs: 255,
    call: (...args) => {
      if (!options.hashFiles) {
        throw new PoolError("EXPRESSION_INVALID", "hashFiles() is not available here");
      }
      return new data.StringData(options.hashFiles(args.map((a) => String(fromData(a)))));
    },
  });
  return fns;
}

/** Parses without evaluating; throws PoolError EXPRESSION_INVALID naming the expression. */
export function parseExpression(source: string) {
  const fns = hostFunctions({});
  try {
    const { tokens } = new Lexer(source).lex();
    return new Parser(tokens, [...CONTEXT_NAMES], [...fns.values()]).parse();
  } catch (err) {
    throw new PoolError("EXPRESSION_INVALID", `${errorMessage(err)} in expression '${source}'`, { cause: err });
  }
}

/** Evaluates one expression (without `${{ }}`) and returns a plain JS value. */
export function evaluateExpression(
  source: string,
  contexts: ExpressionContexts,
  options: EvaluateOptions = {},
): unknown {
  const ast = parseExpression(source);
  const dict = new data.Dictionary();
  for (const name of CONTEXT_NAMES) {
    const value = contexts[name];
    dict.add(name, value === undefined ? new data.Dictionary() : toData(value));
  }
  try {
    return fromData(new Evaluator(ast, dict, hostFunctions(options)).evaluate());
  } catch (err) {
    if (err instanceof PoolError) throw err;
    throw new PoolError("EXPRESSION_INVALID", `${errorMessage(err)} in expression '${source}'`, { cause: err });
  }
}

/** GitHub's string conversion of an expression result. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  return JSON.stringify(value, null, 2);
}

/** GitHub's truthiness: false, 0, -0, "", null and NaN are falsy; objects and arrays are truthy. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === "") return false;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  return true;
}

export interface TemplatePart {
  literal: boolean;
  text: string;
}

/** Splits `a ${{ x }} b` into parts; quotes inside expressions may hold `}}`. */
export function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf("${{", i);
    if (start < 0) {
      parts.push({ literal: true, text: template.slice(i) });
      break;
    }
    if (start > i) parts.push({ literal: true, text: template.slice(i, start) });
    let j = start + 3;
    let inString = false;
    let end = -1;
    while (j < template.length) {
      const c = template[j];
      if (inString) {
        if (c === "'") {
          if (template[j + 1] === "'") j++;
          else inString = false;
        }
      } else if (c === "'") {
        inString = true;
      } else if (c === "}" && template[j + 1] === "}") {
        end = j;
        break;
      }
      j++;
    }
    if (end < 0) {
      throw new PoolError("EXPRESSION_INVALID", `unclosed '\${{' in '${template}': add the closing '}}'`);
    }
    parts.push({ literal: false, text: template.slice(start + 3, end).trim() });
    i = end + 2;
  }
  return parts;
}

export function hasExpression(text: string): boolean {
  return text.includes("${{");
}

/** Replaces every `${{ expr }}` in a string with its text value. */
export function interpolate(template: string, contexts: ExpressionContexts, options: EvaluateOptions = {}): string {
  if (!hasExpression(template)) return template;
  return splitTemplate(template)
    .map((p) => (p.literal ? p.text : toText(evaluateExpression(p.text, contexts, options))))
    .join("");
}

/**
 * Evaluates a value that is either a whole `${{ expr }}` (keeps its type: object, number, bool)
 * or a string with embedded expressions (becomes a string).
 */
export function evaluateValue(value: unknown, contexts: ExpressionContexts, options: EvaluateOptions = {}): unknown {
  if (typeof value === "string") {
    if (!hasExpression(value)) return value;
    const parts = splitTemplate(value.trim());
    if (parts.length === 1 && parts[0] && !parts[0].literal)
      return evaluateExpression(parts[0].text, contexts, options);
    return interpolate(value, contexts, options);
  }
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, contexts, options));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[interpolate(k, contexts, options)] = evaluateValue(v, contexts, options);
    return out;
  }
  return value;
}

/** Does the condition call a status function? If not, GitHub wraps it as `success() && (...)`. */
function mentionsStatus(expr: string): boolean {
  const re = /\b([A-Za-z_][A-Za-z0-9_-]*)\s*\(/g;
  for (const m of expr.replace(/'(?:[^']|'')*'/g, "''").matchAll(re)) {
    if (STATUS_NAMES.includes((m[1] ?? "").toLowerCase())) return true;
  }
  return false;
}

/** Evaluates an `if:` (with or without `${{ }}`); an empty condition means `success()`. */
export function evaluateCondition(
  condition: string | boolean | undefined,
  contexts: ExpressionContexts,
  options: EvaluateOptions = {},
): boolean {
  if (typeof condition === "boolean") return condition && (options.status ? options.status.success() : true);
  let expr = (condition ?? "").trim();
  if (expr.startsWith("${{") && expr.endsWith("}}") && splitTemplate(expr).length === 1) {
    expr = expr.slice(3, -2).trim();
  } else if (hasExpression(expr)) {
    // A condition mixing literal text and ${{ }} is a string, truthy when non-empty (GitHub does the same).
    expr = `'${interpolate(expr, contexts, options).replace(/'/g, "''")}'`;
  }
  if (expr === "") expr = "success()";
  if (!mentionsStatus(expr)) expr = `success() && (${expr})`;
  return isTruthy(evaluateExpression(expr, contexts, options));
}
