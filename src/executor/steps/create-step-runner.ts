import type { Step } from "../../workflow/index.js";
import { runStep } from "./run-step.js";
import type { StepRunner } from "./step-runner.js";
import { unsupportedStep } from "./unsupported-step.js";

/** Picks the runner for a step's kind. */
export function createStepRunner(step: Step): StepRunner {
  if (step.uses !== undefined) return unsupportedStep;
  return runStep;
}
