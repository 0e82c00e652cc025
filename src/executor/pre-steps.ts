import { errorMessage } from "../lib/index.js";
import { evaluateCondition } from "../workflow/index.js";
import { actionInputs } from "./actions/action-inputs.js";
import { parseActionReference } from "./actions/action-reference.js";
import type { LoadedAction } from "./actions/action-resolver.js";
import { runNodeScript } from "./actions/node-action.js";
import { evaluateMapping, type JobScope, runPhase } from "./step-phase.js";
import { findBuiltinAction } from "./steps/builtin-actions.js";
import { registerBuiltins } from "./steps/builtin-registrations.js";

/**
 * Job set-up for remote actions, GitHub's way: every `owner/repo@ref` of the job's own steps is
 * fetched before the first step (a failure fails the job there), and JavaScript actions with a
 * `pre` script run it now, in step order, gated by `pre-if` (default `always()`). Local actions
 * have no pre phase: they are not on disk until the job checks them out.
 */
export async function executePres(scope: JobScope): Promise<void> {
  const { state, log } = scope;
  // Built-ins are registered on first use; a job whose first step is `run:` gets here before that.
  registerBuiltins();
  for (const step of scope.job.steps) {
    if (step.uses === undefined || findBuiltinAction(step.uses) !== undefined) continue;
    let remote: boolean;
    try {
      remote = parseActionReference(step.uses).kind === "remote";
    } catch {
      // The step itself reports the bad reference when it runs.
      continue;
    }
    if (!remote) continue;
    let action: LoadedAction;
    try {
      action = await scope.services.actions.resolve(step.uses, scope.jobSignal);
    } catch (err) {
      log.error(`Failed to set up action '${step.uses}': ${errorMessage(err)}`);
      state.failed = true;
      continue;
    }
    const runs = action.manifest.runs;
    if (runs.using !== "node" || runs.pre === undefined) continue;
    const pre = runs.pre;
    const name = `Pre ${step.name ?? `Run ${step.uses}`}`;
    let stepEnv: Record<string, string>;
    let run: boolean;
    try {
      stepEnv = evaluateMapping("env", step.env, state.contexts(), state.evaluateOptions());
      run = evaluateCondition(runs.preIf ?? "always()", state.contexts(stepEnv), state.evaluateOptions());
    } catch (err) {
      log.error(`${name}: ${errorMessage(err)}`);
      state.failed = true;
      continue;
    }
    if (!run) continue;
    log.line(name);
    const phase = await runPhase(scope, state, step, {
      stepEnv,
      name,
      signal: scope.jobSignal,
      run: (ctx) => runNodeScript(ctx, action, pre, actionInputs(ctx, action.manifest)),
    });
    if (phase.outcome === "failure") state.failed = true;
  }
}
