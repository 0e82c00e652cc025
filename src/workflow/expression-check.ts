import { isMap, isScalar, isSeq, type Node } from "yaml";
import { errorMessage } from "../lib/index.js";
import { parseExpression, splitTemplate } from "./expressions.js";
import type { Diagnostic } from "./model.js";
import type { YamlSource } from "./yaml-source.js";

function isConditionPath(path: readonly (string | number)[]): boolean {
  return (
    (path.length === 3 && path[0] === "jobs" && path[2] === "if") ||
    (path.length === 5 && path[0] === "jobs" && path[2] === "steps" && path[4] === "if") ||
    // action.yml: composite steps and the pre/post conditions.
    (path.length === 4 && path[0] === "runs" && path[1] === "steps" && path[3] === "if") ||
    (path.length === 2 && path[0] === "runs" && (path[1] === "pre-if" || path[1] === "post-if"))
  );
}

/** The syntax error of an `if:` value (bare expression or `${{ }}` template), or undefined. */
export function conditionError(condition: string): string | undefined {
  const text = condition.trim();
  try {
    if (!text.includes("${{")) {
      if (text !== "") parseExpression(text);
      return undefined;
    }
    for (const part of splitTemplate(text)) if (!part.literal) parseExpression(part.text);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

/** The syntax error of the first bad `${{ }}` in a string, or undefined. */
export function templateError(text: string): string | undefined {
  if (!text.includes("${{")) return undefined;
  try {
    for (const part of splitTemplate(text)) if (!part.literal) parseExpression(part.text);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

/**
 * Checks the syntax of every `${{ }}` in the document and of every job and step `if:`
 * (which is an expression even without `${{ }}`), so a typo fails at parse time, not mid-run.
 */
export function checkExpressions(source: YamlSource): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (node: Node, message: string) => {
    const pos = source.position(node);
    diagnostics.push({
      code: "expression-syntax",
      severity: "error",
      message,
      file: source.file,
      ...(pos ? { line: pos.line, col: pos.col } : {}),
    });
  };
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        walk(item, [...path, i]);
      });
    } else if (isScalar(node) && typeof node.value === "string") {
      const error = isConditionPath(path) ? conditionError(node.value) : templateError(node.value);
      if (error) report(node, error);
    }
  };
  walk(source.doc.contents, []);
  return diagnostics;
}
