import { exclusiveLabels, labelsCover, type RoutedRole } from "../../workflow/index.js";
import type { Rule, RuleHit } from "../rule.js";
import { readRunsOn } from "../runs-on.js";
import { mapValue } from "../yaml-nodes.js";

/**
 * A job whose runs-on a privileged or secret-holding role's labels cover, without naming one of that
 * role's exclusive labels. The embedded coordinator never offers it there and the role's runners refuse
 * it, but against Gitea (which picks by labels alone) it may land there and fail, or wait.
 */
export const unnamedGuardedRole: Rule = {
  id: "unnamed-guarded-role",
  severity: "error",
  shortDescription: "a job could land on a privileged or secret-holding role without naming it",
  help:
    "Privileged and secret-holding roles take only jobs whose runs-on names one of their own labels. A job " +
    "whose runs-on is [self-hosted], or missing, matches them by labels and is refused there. Name the role " +
    "the job is meant for, e.g. [self-hosted, linux].",
  check(ctx) {
    const roles: RoutedRole[] = (ctx.roles ?? []).map((r) => ({
      name: r.name,
      labels: r.labels,
      guarded: r.privileged === true || r.guarded === true,
    }));
    const guarded = roles.map((r) => ({ role: r, own: exclusiveLabels(r, roles) })).filter((g) => g.role.guarded);
    if (guarded.length === 0) return [];
    const hits: RuleHit[] = [];
    for (const job of ctx.wf.jobs) {
      if (mapValue(ctx.wf.doc, job.node, "uses") !== undefined) continue;
      const runsOn = readRunsOn(ctx.wf, job);
      const sets = runsOn.node === undefined ? [[]] : runsOn.sets;
      const offset = runsOn.node?.range?.[0] ?? job.key.range?.[0];
      if (offset === undefined) continue;
      for (const set of sets) {
        const labels = set.map((r) => r.label);
        const reached = guarded.filter(
          (g) => labelsCover(labels, g.role.labels) && !labels.some((l) => g.own.includes(l)),
        );
        if (reached.length === 0) continue;
        const names = reached.map((g) => `"${g.role.name}"`).join(", ");
        hits.push({
          offset,
          message: `job "${job.id}" runs on [${labels.join(", ")}], which the guarded role(s) ${names} also match without being named; they refuse it`,
          fix: "name the role the job is meant for in runs-on, e.g. [self-hosted, linux]",
        });
        break;
      }
    }
    return hits;
  },
};
