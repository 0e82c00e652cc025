import type { Step } from "../../workflow/index.js";
import type { StepContext, StepOutcome, StepRunner } from "./step-runner.js";

/** `uses:` steps until actions are implemented: the step fails with a message saying so. */
export const unsupportedStep: StepRunner = {
  kind: "unsupported",
  defaultName: (step: Step) => `Run ${step.uses ?? "step"}`,
  async main(ctx: StepContext): Promise<StepOutcome> {
    ctx.log.line(`Run ${ctx.step.uses ?? ""}`);
    ctx.log.error(`uses: ${ctx.step.uses ?? ""} is not supported yet by this runner`);
    return "failure";
  },
};
