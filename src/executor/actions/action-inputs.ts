import { type ActionManifest, evaluateValue, toText } from "../../workflow/index.js";
import type { StepContext } from "../steps/step-runner.js";

/**
 * An action's inputs for one step, GitHub's way: each declared input takes its `with:` value
 * (names match case-insensitively), else its evaluated `default`, else "". A missing required input
 * and an undeclared `with:` key are warnings, not errors; undeclared keys are still passed.
 */
export function actionInputs(ctx: StepContext, manifest: ActionManifest): Record<string, string> {
  const given = new Map(Object.entries(ctx.inputs).map(([k, v]) => [k.toLowerCase(), { name: k, value: v }]));
  const out: Record<string, string> = {};
  for (const [name, input] of Object.entries(manifest.inputs)) {
    const hit = given.get(name.toLowerCase());
    if (hit !== undefined) {
      given.delete(name.toLowerCase());
      out[name] = hit.value;
      if (input.deprecationMessage)
        ctx.log.warning(`Input '${name}' has been deprecated with message: ${input.deprecationMessage}`);
    } else if (input.default !== undefined) {
      out[name] = toText(evaluateValue(input.default, ctx.contexts, ctx.evaluate));
    } else {
      out[name] = "";
      if (input.required) ctx.log.warning(`Input required and not supplied: ${name}`);
    }
  }
  if (given.size > 0) {
    const unexpected = [...given.values()].map((g) => `'${g.name}'`).join(", ");
    const valid = Object.keys(manifest.inputs)
      .map((n) => `'${n}'`)
      .join(", ");
    ctx.log.warning(`Unexpected input(s) ${unexpected}, valid inputs are [${valid}]`);
    for (const g of given.values()) out[g.name] = g.value;
  }
  return out;
}

/** `INPUT_<NAME>`: spaces become `_`, upper-cased, hyphens kept (`INPUT_WHO-TO-GREET`). */
export function inputEnvironment(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  return env;
}
