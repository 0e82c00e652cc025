import { isPair, isScalar, visit } from "yaml";
import { inLocalCopyStep } from "../local-copy.js";
import type { Rule, RuleHit } from "../rule.js";
import { scalarOffset } from "../scalar-offset.js";
import { scalarText } from "../yaml-nodes.js";

const WORD = /\bLOCAL_REPO\b/;

/** Phase 6 of the design: the laptop can go only once no workflow names its worktree. */
export const localRepoLeftover: Rule = {
  id: "local-repo-leftover",
  severity: "error",
  shortDescription: "LOCAL_REPO still set or read",
  help:
    "LOCAL_REPO names a developer's worktree on the laptop runner. Any definition or use left in a workflow " +
    "keeps the laptop necessary; remove it before decommissioning the laptop runner. Uses inside an " +
    "rsync checkout step are reported by rsync-checkout instead.",
  check({ wf }) {
    const hits: RuleHit[] = [];
    visit(wf.doc, {
      Scalar(key, node, path) {
        const text = scalarText(node);
        const start = node.range?.[0];
        if (text === undefined || start === undefined || !WORD.test(text) || inLocalCopyStep(wf, start)) return;
        const parent = path.at(-1);
        if (key === "key" && text === "LOCAL_REPO" && isPair(parent)) {
          const value = isScalar(parent.value) ? scalarText(parent.value) : undefined;
          hits.push({
            offset: start,
            message: `LOCAL_REPO is set${value === undefined ? "" : ` to "${value}"`}, a developer's worktree`,
            fix: "remove it once no step reads it (runnerpool migrate rewrite drops it after replacing the rsync checkout)",
          });
          return;
        }
        hits.push({
          offset: scalarOffset(wf.text, node, text.search(WORD)),
          message: "LOCAL_REPO is read here; pool runners have no developer worktree",
          fix: "use the checked-out workspace (${{ github.workspace }}) instead",
        });
      },
    });
    return hits;
  },
};
