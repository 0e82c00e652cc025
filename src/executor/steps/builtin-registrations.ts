import { downloadArtifactStep } from "../artifacts/download-artifact-step.js";
import { uploadArtifactStep } from "../artifacts/upload-artifact-step.js";
import { registerBuiltinAction } from "./builtin-actions.js";
import { checkoutStep } from "./checkout-step.js";

let done = false;

/**
 * The one place where built-in actions are registered, once, before the first step is planned.
 * Add one line per action, with its StepRunner in its own module, e.g.
 *   registerBuiltinAction("actions/checkout", checkoutStep);          // src/executor/git/
 *   registerBuiltinAction("actions/upload-artifact", uploadArtifact); // src/executor/artifacts/
 */
export function registerBuiltins(): void {
  if (done) return;
  done = true;
  registerBuiltinAction("actions/upload-artifact", uploadArtifactStep);
  registerBuiltinAction("actions/download-artifact", downloadArtifactStep);
  registerBuiltinAction("actions/checkout", checkoutStep);
}
