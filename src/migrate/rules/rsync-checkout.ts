import { localCopySteps } from "../local-copy.js";
import type { Rule, RuleHit } from "../rule.js";
import { scalarOffset } from "../scalar-offset.js";

const CHECKOUT = "actions/checkout@v4 with fetch-depth: 1, filter: blob:none, submodules: false";

export const rsyncCheckout: Rule = {
  id: "rsync-checkout",
  severity: "error",
  shortDescription: "Checkout copies a developer's worktree instead of cloning",
  help:
    "The step fills the workspace with rsync/cp/git clone from a local clone (LOCAL_REPO, a home directory). " +
    "Only the laptop that has that clone can run it, it races with the developer's edits, and it breaks on " +
    `files the developer cannot read. Replace it with ${CHECKOUT}; \`runnerpool migrate rewrite\` does this.`,
  check({ wf }) {
    const hits: RuleHit[] = [];
    for (const { step, copy } of localCopySteps(wf)) {
      const run = step.run;
      if (run === undefined) continue;
      const label = step.name === undefined ? `step ${step.index + 1} of job "${step.jobId}"` : `step "${step.name}"`;
      const other = copy.otherCommand;
      hits.push({
        offset: scalarOffset(wf.text, run, copy.command.start),
        message: `${label} copies the repository from a local worktree (${copy.tool} from "${copy.source}")`,
        fix:
          other === undefined
            ? `replace the step with ${CHECKOUT} (runnerpool migrate rewrite does this)`
            : `move "${other.text}" to a step of its own, then replace this step with ${CHECKOUT}`,
      });
    }
    return hits;
  },
};
