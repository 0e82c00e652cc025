import { join } from "node:path";
import { PoolError } from "../../lib/index.js";
import { evaluateValue, toText } from "../../workflow/index.js";
import type { ContainerStepSpec } from "../backend.js";
import { splitArgs } from "../shell.js";
import type { StepContext, StepOutcome } from "../steps/step-runner.js";
import { inputEnvironment } from "./action-inputs.js";
import type { LoadedAction } from "./action-resolver.js";
import { actionEnvironment } from "./node-action.js";

function needContainers(ctx: StepContext, what: string): void {
  if (ctx.services.containers && ctx.environment.runContainerStep) return;
  throw new PoolError(
    "BACKEND_UNAVAILABLE",
    `${what} runs in a container, but this runner's '${ctx.services.backendName}' backend runs steps without containers: run the job on a runner whose backend is docker or podman`,
  );
}

async function runSpec(ctx: StepContext, spec: ContainerStepSpec): Promise<StepOutcome> {
  const run = ctx.environment.runContainerStep;
  if (!run) throw new PoolError("BACKEND_UNAVAILABLE", "the backend cannot run container steps");
  const code = await run.call(ctx.environment, spec, {
    env: spec.env,
    signal: ctx.signal,
    onStdout: ctx.output.stdout,
    onStderr: ctx.output.stderr,
  });
  ctx.output.flush();
  if (code === 0) return "success";
  if (!ctx.signal.aborted) ctx.log.error(`Container step completed with exit code ${code}.`);
  return "failure";
}

/** `uses: docker://image`: `with.entrypoint` and `with.args` are special, every `with:` is an INPUT_. */
export async function runDockerStep(ctx: StepContext, image: string): Promise<StepOutcome> {
  needContainers(ctx, `uses: docker://${image}`);
  const { entrypoint, args, ...rest } = ctx.inputs;
  const spec: ContainerStepSpec = {
    image,
    args: args === undefined ? [] : splitArgs(args),
    env: { ...ctx.env, ...inputEnvironment(rest) },
  };
  if (entrypoint !== undefined && entrypoint !== "") spec.entrypoint = entrypoint;
  return runSpec(ctx, spec);
}

/** A Docker action (`runs.using: docker`): `args` and `env` see only the `inputs` context. */
export async function runDockerAction(
  ctx: StepContext,
  action: LoadedAction,
  inputs: Record<string, string>,
): Promise<StepOutcome> {
  const runs = action.manifest.runs;
  if (runs.using !== "docker") throw new Error(`action '${action.reference.uses}' is not a Docker action`);
  needContainers(ctx, `the Docker action '${action.reference.uses}'`);
  const scope = { inputs };
  const evaluate = (v: string) => toText(evaluateValue(v, scope, ctx.evaluate));
  const spec: ContainerStepSpec = {
    args: ctx.inputs.args !== undefined ? splitArgs(ctx.inputs.args) : runs.args.map(evaluate),
    env: {
      ...ctx.env,
      ...Object.fromEntries(Object.entries(runs.env).map(([k, v]) => [k, evaluate(v)])),
      ...inputEnvironment(inputs),
      ...actionEnvironment(action),
    },
  };
  if (runs.image.startsWith("docker://")) spec.image = runs.image.slice("docker://".length);
  else spec.build = { context: action.hostDir, dockerfile: join(action.hostDir, runs.image) };
  const entrypoint = ctx.inputs.entrypoint ?? runs.entrypoint;
  if (entrypoint !== undefined && entrypoint !== "") spec.entrypoint = entrypoint;
  return runSpec(ctx, spec);
}
