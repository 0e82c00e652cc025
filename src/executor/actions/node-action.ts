import { posix } from "node:path";
import type { StepContext, StepOutcome } from "../steps/step-runner.js";
import { inputEnvironment } from "./action-inputs.js";
import type { LoadedAction } from "./action-resolver.js";

/** The variables an action's own processes get on top of the step's environment. */
export function actionEnvironment(action: LoadedAction): Record<string, string> {
  return {
    GITHUB_ACTION_PATH: action.visibleDir,
    GITHUB_ACTION_REPOSITORY: action.repository,
    GITHUB_ACTION_REF: action.ref,
  };
}

/**
 * Runs one script of a JavaScript action (`pre`, `main` or `post`) with the runner's Node, whatever
 * `runs.using` says (node12 to node24), with cwd = GITHUB_WORKSPACE as GitHub does.
 */
export async function runNodeScript(
  ctx: StepContext,
  action: LoadedAction,
  script: string,
  inputs: Record<string, string>,
): Promise<StepOutcome> {
  const env = { ...ctx.env, ...inputEnvironment(inputs), ...actionEnvironment(action) };
  // A Node built with other ICU data fails to start when this points at the runner's.
  delete env.NODE_ICU_DATA;
  const code = await ctx.environment.exec([ctx.services.nodePath, posix.join(action.visibleDir, script)], {
    cwd: ctx.environment.workspace,
    env,
    signal: ctx.signal,
    onStdout: ctx.output.stdout,
    onStderr: ctx.output.stderr,
  });
  ctx.output.flush();
  if (code === 0) return "success";
  if (!ctx.signal.aborted) ctx.log.error(`Process completed with exit code ${code}.`);
  return "failure";
}

/** The main phase; schedules `post` (gated by `post-if`, default `always()`) for the job's end. */
export async function runNodeAction(
  ctx: StepContext,
  action: LoadedAction,
  inputs: Record<string, string>,
): Promise<StepOutcome> {
  const runs = action.manifest.runs;
  if (runs.using !== "node") throw new Error(`action '${action.reference.uses}' is not a JavaScript action`);
  if (runs.post !== undefined) {
    const post = runs.post;
    ctx.addPost({
      name: "",
      condition: runs.postIf ?? "always()",
      run: (postCtx) => runNodeScript(postCtx, action, post, inputs),
    });
  }
  return runNodeScript(ctx, action, runs.main, inputs);
}
