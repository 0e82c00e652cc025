import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  type EvaluateOptions,
  type ExpressionContexts,
  evaluateCondition,
  evaluateExpression,
  evaluateValue,
  interpolate,
} from "./expressions.js";

/** One spec-as-data case from testdata/expressions/*.json. */
interface ExpressionCase {
  name: string;
  /** Which entry point: evaluateExpression (default), evaluateCondition, interpolate, evaluateValue. */
  mode?: "expression" | "condition" | "interpolate" | "value";
  expr: unknown;
  contexts?: ExpressionContexts;
  /** The job/step status the status functions answer with; one flag set. */
  status?: { success?: boolean; failure?: boolean; cancelled?: boolean };
  /** Install a hashFiles host that returns the patterns joined with `|`. */
  hashFiles?: boolean;
  result?: unknown;
  /** A substring of the expected error message. */
  error?: string;
}

const dir = new URL("../../testdata/expressions/", import.meta.url);

function options(c: ExpressionCase): EvaluateOptions {
  const out: EvaluateOptions = {};
  if (c.status) {
    const s = c.status;
    out.status = {
      success: () => s.success === true,
      failure: () => s.failure === true,
      cancelled: () => s.cancelled === true,
    };
  }
  if (c.hashFiles) out.hashFiles = (patterns) => patterns.join("|");
  return out;
}

function run(c: ExpressionCase): unknown {
  const contexts = c.contexts ?? {};
  switch (c.mode ?? "expression") {
    case "condition":
      return evaluateCondition(c.expr as string | boolean, contexts, options(c));
    case "interpolate":
      return interpolate(c.expr as string, contexts, options(c));
    case "value":
      return evaluateValue(c.expr, contexts, options(c));
    default:
      return evaluateExpression(c.expr as string, contexts, options(c));
  }
}

const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

test("the expression spec has cases for every area", () => {
  let total = 0;
  for (const f of files) total += (JSON.parse(readFileSync(new URL(f, dir), "utf8")) as unknown[]).length;
  assert.ok(total >= 40, `only ${total} cases`);
});

for (const file of files) {
  const cases = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as ExpressionCase[];
  describe(`testdata/expressions/${file}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        assert.ok("result" in c !== "error" in c, "a case gives exactly one of result and error");
        if (c.error !== undefined) {
          assert.throws(
            () => run(c),
            (err: Error) => {
              assert.ok(err.message.includes(c.error as string), `message '${err.message}' lacks '${c.error}'`);
              return true;
            },
          );
        } else {
          assert.deepEqual(run(c), c.result);
        }
      });
    }
  });
}
