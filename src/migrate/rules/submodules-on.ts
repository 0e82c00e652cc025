import { isMap, isScalar } from "yaml";
import { isCheckoutAction } from "../local-copy.js";
import type { Rule, RuleHit } from "../rule.js";
import { mapResolved, mapValue, scalarText } from "../yaml-nodes.js";

const ON = new Set(["true", "recursive"]);

export const submodulesOn: Rule = {
  id: "submodules-on",
  severity: "warning",
  shortDescription: "Checkout fetches submodules",
  help:
    "Fetching submodules makes every checkout slower and fails the job when one submodule is broken or " +
    "private (the design document's koder-hardware case). Set submodules: false and fetch the few a job " +
    "needs explicitly.",
  check({ wf }) {
    const hits: RuleHit[] = [];
    for (const job of wf.jobs) {
      for (const step of job.steps) {
        if (step.viaAlias || !isCheckoutAction(step.uses)) continue;
        const w = mapResolved(wf.doc, step.node, "with");
        const v = isMap(w) ? mapValue(wf.doc, w, "submodules") : undefined;
        const text = scalarText(v)?.toLowerCase();
        const offset = isScalar(v) ? v.range?.[0] : undefined;
        if (text === undefined || !ON.has(text) || offset === undefined) continue;
        hits.push({
          offset,
          message: `checkout fetches submodules (submodules: ${text})`,
          fix: "set submodules: false, and fetch only the submodules the job needs in a later step",
        });
      }
    }
    return hits;
  },
};
