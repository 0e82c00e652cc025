import type { Step } from "../../workflow/index.js";
import type { StepContext, StepOutcome, StepRunner } from "../steps/step-runner.js";
import { actionInputs } from "./action-inputs.js";
import { parseActionReference } from "./action-reference.js";
import { runCompositeAction } from "./composite-action.js";
import { runDockerAction, runDockerStep } from "./docker-action.js";
import { runNodeAction } from "./node-action.js";

/** `uses:` steps that are not built in: local and remote JavaScript, composite and Docker actions. */
export const actionStep: StepRunner = {
  kind: "action",
  defaultName: (step: Step) => `Run ${step.uses ?? ""}`,
  async main(ctx: StepContext): Promise<StepOutcome> {
    const uses = ctx.step.uses ?? "";
    ctx.log.line(`Run ${uses}`);
    const reference = parseActionReference(uses);
    if (reference.kind === "docker") return runDockerStep(ctx, reference.image);
    const action = await ctx.services.actions.resolve(uses, ctx.signal);
    const inputs = actionInputs(ctx, action.manifest);
    switch (action.manifest.runs.using) {
      case "node":
        return runNodeAction(ctx, action, inputs);
      case "composite":
        return runCompositeAction(ctx, action, inputs);
      case "docker":
        return runDockerAction(ctx, action, inputs);
    }
  },
};
