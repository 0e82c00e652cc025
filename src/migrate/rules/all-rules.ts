import type { Rule } from "../rule.js";
import { hardcodedPath } from "./hardcoded-path.js";
import { hostModeAssumption } from "./host-mode-assumption.js";
import { localRepoLeftover } from "./local-repo-leftover.js";
import { missingCheckout } from "./missing-checkout.js";
import { rsyncCheckout } from "./rsync-checkout.js";
import { submodulesOn } from "./submodules-on.js";
import { unnamedGuardedRole } from "./unnamed-guarded-role.js";
import { unservedLabel } from "./unserved-label.js";

/** Reported for a file that is not valid YAML; not a Rule because no document exists to check. */
export const yamlSyntaxRule: Omit<Rule, "check"> = {
  id: "yaml-syntax",
  severity: "error",
  shortDescription: "Workflow is not valid YAML",
  help: "The file could not be parsed, so no other rule ran on it and migrate rewrite leaves it untouched. Fix the YAML at the reported position.",
};

/** Every audit rule, in report order for the SARIF rules table. */
export const ALL_RULES: readonly Rule[] = [
  rsyncCheckout,
  localRepoLeftover,
  hardcodedPath,
  unservedLabel,
  unnamedGuardedRole,
  hostModeAssumption,
  missingCheckout,
  submodulesOn,
];
