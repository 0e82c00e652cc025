import { isMap } from "yaml";
import { isCheckoutAction, localCopySteps } from "../local-copy.js";
import type { Rule, RuleHit } from "../rule.js";
import { bareCommand, stepCommands } from "../script-scan.js";
import { mapResolved, mapValue } from "../yaml-nodes.js";

/** Commands that read the repository's files; seeing one means the job needs a checkout. */
const READS_REPO: readonly RegExp[] = [
  /^\.{1,2}\/\S/,
  /^(?:scripts|tools|bin|ci)\/\S/,
  /^(?:bash|sh|zsh|python3?|node|ruby|perl)\s+(?:-\S+\s+)*[^\s$/~-]\S*\.(?:sh|py|js|mjs|ts|rb|pl)\b/,
  /^make\b/,
  /^go\s+(?:build|test|vet|run|generate|mod|install)\b/,
  /^cargo\s/,
  /^(?:npm|pnpm|yarn)\s+(?:ci|install|run|test|build)\b/,
  /^npx\s/,
  /^flutter\s+(?:build|test|pub|analyze)\b/,
  /^dart\s/,
  /^gradle\s/,
  /^mvn\s/,
  /^docker\s+build\b/,
  /^lb\s+(?:build|config)\b/,
  /^cd\s+(?![/~$])\S/,
  /^git\s+(?:describe|log|diff|status|rev-parse|tag)\b/,
];

/** Commands that fetch the repository some other way. */
const FETCHES_REPO = /^git\s+(?:clone|init|fetch)\b/;

export const missingCheckout: Rule = {
  id: "missing-checkout",
  severity: "warning",
  shortDescription: "Job uses repository files but never checks the repository out",
  help:
    "On the laptop runner a host-mode job could find files left by an earlier job. Pool jobs start in an " +
    "empty workspace, so a job that builds, runs repository scripts or uses local actions needs its own " +
    "checkout step (actions/checkout@v4 with fetch-depth: 1, filter: blob:none).",
  check({ wf }) {
    const hits: RuleHit[] = [];
    const copies = new Set(localCopySteps(wf).map((c) => c.step.node));
    for (const job of wf.jobs) {
      if (mapValue(wf.doc, job.node, "uses") !== undefined) continue;
      let checksOut = false;
      let evidence: string | undefined;
      for (const step of job.steps) {
        if (isCheckoutAction(step.uses) || copies.has(step.node)) checksOut = true;
        if (step.uses?.startsWith("./")) evidence ??= `uses: ${step.uses}`;
        if (mapValue(wf.doc, step.node, "working-directory") !== undefined) evidence ??= "working-directory";
        for (const { command } of stepCommands(wf, step)) {
          const bare = bareCommand(command.text);
          if (FETCHES_REPO.test(bare)) checksOut = true;
          if (READS_REPO.some((re) => re.test(bare))) evidence ??= bare.length > 40 ? `${bare.slice(0, 37)}...` : bare;
        }
      }
      const defaults = mapResolved(wf.doc, job.node, "defaults");
      const runDefaults = isMap(defaults) ? mapResolved(wf.doc, defaults, "run") : undefined;
      if (isMap(runDefaults) && mapValue(wf.doc, runDefaults, "working-directory") !== undefined) {
        evidence ??= "defaults.run.working-directory";
      }
      const offset = job.key.range?.[0];
      if (checksOut || evidence === undefined || offset === undefined) continue;
      hits.push({
        offset,
        message: `job "${job.id}" uses repository files ("${evidence}") but has no checkout step; pool jobs start in an empty workspace`,
        fix: "add `- uses: actions/checkout@v4` (with fetch-depth: 1, filter: blob:none) as the job's first step",
      });
    }
    return hits;
  },
};
