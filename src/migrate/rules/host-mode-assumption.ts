import { localCopySteps } from "../local-copy.js";
import { roleServing } from "../role-labels.js";
import type { Rule, RuleHit } from "../rule.js";
import { readRunsOn } from "../runs-on.js";
import { bareCommand, stepCommands } from "../script-scan.js";
import { mapValue } from "../yaml-nodes.js";

interface Assumption {
  pattern: RegExp;
  message: string;
  fix: string;
  /** Fine in a job that brings its own `container:`. */
  okInContainer?: boolean;
  /** Fine on a privileged host-mode role (the iso builder). */
  okPrivileged?: boolean;
}

/** Commands that only work, or only stay harmless, on a long-lived host the job owns. */
const ASSUMPTIONS: readonly Assumption[] = [
  {
    pattern: /(?:^|[\s;&|(])sudo\s/,
    message: "runs sudo; pool jobs run in a fresh container where sudo is missing or not needed",
    fix: "drop sudo; work that needs root belongs on a privileged role (privileged = true)",
    okPrivileged: true,
  },
  {
    pattern: /\bapt(?:-get)?\s+(?:-\S+\s+)*install\b/,
    message: "installs system packages on the runner host; the next job sees them, or they are not there",
    fix: "add the packages to the role's image, or give the job a container: image that has them",
    okInContainer: true,
  },
  {
    pattern: /(?:>>?|\btee\s+(?:-a\s+)?)\s*\/etc\//,
    message: "writes under /etc, outside the workspace",
    fix: "configure the role's image instead, or write the file inside the workspace",
    okPrivileged: true,
  },
  {
    pattern: /(?:>>?\s*|\btee\s+(?:-a\s+)?|\b(?:cp|mv|install|ln|tar|unzip)\s.*)\/usr\/local\//,
    message: "writes under /usr/local, outside the workspace; it leaks into later jobs on the runner",
    fix: "install tools into the workspace (or $RUNNER_TOOL_CACHE) and add them to $GITHUB_PATH",
  },
  {
    pattern: /\bsystemctl\s+(?:start|stop|restart|reload|enable|disable)\b/,
    message: "manages services on the runner host",
    fix: "run the service as a job service container (services:) instead",
    okPrivileged: true,
  },
];

const REMOTE = /^(?:ssh|scp|rsync\s.*\S+@?[\w.-]+:)/;

export const hostModeAssumption: Rule = {
  id: "host-mode-assumption",
  severity: "warning",
  shortDescription: "Step assumes it runs directly on a long-lived host",
  help:
    "The laptop runner ran jobs in host mode: sudo worked and system changes persisted. Pool roles run jobs in " +
    "a clean container (docker, podman or sandbox backend); only privileged host roles such as iso allow root. " +
    "Move system setup into the role's image, or route the job to a privileged role.",
  check({ wf, roles }) {
    const hits: RuleHit[] = [];
    const copies = new Set(localCopySteps(wf).map((c) => c.step.node));
    for (const job of wf.jobs) {
      const inContainer = mapValue(wf.doc, job.node, "container") !== undefined;
      const sets = readRunsOn(wf, job).sets;
      const privileged =
        roles !== undefined &&
        sets.length > 0 &&
        sets.every(
          (s) =>
            roleServing(
              roles,
              s.map((r) => r.label),
            )?.privileged,
        );
      for (const step of job.steps) {
        if (step.viaAlias || copies.has(step.node)) continue;
        for (const located of stepCommands(wf, step)) {
          // what follows ssh runs on the remote host, which is the point of a deploy job
          if (REMOTE.test(bareCommand(located.command.text))) continue;
          for (const a of ASSUMPTIONS) {
            if ((a.okInContainer && inContainer) || (a.okPrivileged && privileged)) continue;
            const m = a.pattern.exec(located.command.text);
            if (!m) continue;
            const lead = m[0].length - m[0].trimStart().length;
            hits.push({ offset: located.offsetOf(m.index + lead), message: a.message, fix: a.fix });
          }
        }
      }
    }
    return hits;
  },
};
