import type { Diagnostic, Workflow } from "./model.js";

export interface DispatchInputs {
  inputs: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Applies `on.workflow_dispatch.inputs` to the given strings: defaults, `required`, and the types
 * boolean (true/false), number, choice (one of `options`), string/environment (kept as text).
 */
export function resolveDispatchInputs(workflow: Workflow, given: Record<string, string>): DispatchInputs {
  const diagnostics: Diagnostic[] = [];
  const inputs: Record<string, unknown> = {};
  const problem = (code: string, severity: Diagnostic["severity"], message: string) =>
    diagnostics.push({ code, severity, message, file: workflow.file });
  const declared = workflow.on.workflow_dispatch?.inputs;
  const specs = isRecord(declared) ? declared : {};

  for (const [name, rawSpec] of Object.entries(specs)) {
    const spec = isRecord(rawSpec) ? rawSpec : {};
    const type = typeof spec.type === "string" ? spec.type : "string";
    let value: unknown = Object.hasOwn(given, name) ? given[name] : spec.default;
    if (value === undefined || value === null) {
      if (spec.required === true) {
        problem("input-required", "error", `input '${name}' is required: pass a value for it`);
        continue;
      }
      inputs[name] = type === "boolean" ? false : "";
      continue;
    }
    if (type === "boolean") {
      const text = String(value).toLowerCase();
      if (text !== "true" && text !== "false") {
        problem(
          "input-invalid",
          "error",
          `input '${name}' value '${String(value)}' is not a boolean: use true or false`,
        );
        continue;
      }
      value = text === "true";
    } else if (type === "number") {
      const n = typeof value === "number" ? value : String(value).trim() === "" ? Number.NaN : Number(value);
      if (Number.isNaN(n)) {
        problem("input-invalid", "error", `input '${name}' value '${String(value)}' is not a number: pass digits`);
        continue;
      }
      value = n;
    } else if (type === "choice") {
      const options = Array.isArray(spec.options) ? spec.options.map((o) => String(o)) : [];
      value = String(value);
      if (!options.includes(value as string)) {
        problem(
          "input-invalid",
          "error",
          `input '${name}' value '${String(value)}' is not an option: use one of ${options.map((o) => `'${o}'`).join(", ")}`,
        );
        continue;
      }
    } else {
      value = String(value);
    }
    inputs[name] = value;
  }
  for (const name of Object.keys(given))
    if (!Object.hasOwn(specs, name))
      problem(
        "input-unknown",
        "warning",
        `input '${name}' is not declared under 'on.workflow_dispatch.inputs': it is ignored`,
      );
  return { inputs, diagnostics };
}
