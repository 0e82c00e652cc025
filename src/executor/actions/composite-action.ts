import { errorMessage } from "../../lib/index.js";
import { interpolate } from "../../workflow/index.js";
import type { StepContext, StepOutcome } from "../steps/step-runner.js";
import type { LoadedAction } from "./action-resolver.js";

/**
 * Runs a composite action's steps in their own frame, then evaluates its `outputs` (even when a
 * step failed, as act does), and fails when one of its steps failed.
 */
export async function runCompositeAction(
  ctx: StepContext,
  action: LoadedAction,
  inputs: Record<string, string>,
): Promise<StepOutcome> {
  const runs = action.manifest.runs;
  if (runs.using !== "composite") throw new Error(`action '${action.reference.uses}' is not a composite action`);
  const result = await ctx.services.runComposite({ steps: runs.steps, inputs, action });
  for (const [name, output] of Object.entries(action.manifest.outputs)) {
    if (output.value === undefined) continue;
    try {
      ctx.setOutput(name, interpolate(output.value, result.contexts, result.evaluate));
    } catch (err) {
      ctx.log.error(`${action.manifest.file}: output '${name}': ${errorMessage(err)}`);
      return "failure";
    }
  }
  return result.failed ? "failure" : "success";
}
