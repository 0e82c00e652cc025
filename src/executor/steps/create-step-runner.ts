import type { Step } from "../../workflow/index.js";
import { actionStep } from "../actions/action-step.js";
import { findBuiltinAction } from "./builtin-actions.js";
import { registerBuiltins } from "./builtin-registrations.js";
import { runStep } from "./run-step.js";
import type { StepRunner } from "./step-runner.js";

/** Picks the runner for a step's kind; a registered built-in action wins over fetching the action. */
export function createStepRunner(step: Step): StepRunner {
  if (step.uses !== undefined) {
    registerBuiltins();
    return findBuiltinAction(step.uses) ?? actionStep;
  }
  return runStep;
}
