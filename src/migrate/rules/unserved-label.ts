import { githubHostedRole, roleForLabel, roleLabels } from "../label-map.js";
import { roleServing } from "../role-labels.js";
import type { Rule, RuleContext, RuleHit } from "../rule.js";
import { readRunsOn } from "../runs-on.js";
import { mapValue } from "../yaml-nodes.js";

function flowList(labels: string[]): string {
  return `[${labels.join(", ")}]`;
}

function withConfig(ctx: RuleContext, hits: Map<number, RuleHit>): void {
  const roles = ctx.roles ?? [];
  for (const job of ctx.wf.jobs) {
    for (const set of readRunsOn(ctx.wf, job).sets) {
      const labels = set.map((r) => r.label);
      if (set.length === 0 || roleServing(roles, labels)) continue;
      const lonely = set.find((r) => !roles.some((role) => role.labels.includes(r.label)));
      const at = lonely ?? set[0];
      const offset = at?.node.range?.[0];
      if (at === undefined || offset === undefined || hits.has(offset)) continue;
      const role = roleForLabel(at.label, ctx);
      const hosted = githubHostedRole(at.label) === undefined ? "" : " (a GitHub-hosted label)";
      hits.set(offset, {
        offset,
        message:
          lonely === undefined
            ? `job "${job.id}" asks for ${flowList(labels)}; no single role serves all of these labels`
            : `job "${job.id}" asks for "${at.label}"${hosted}, which no role in the pool config serves`,
        fix:
          role === undefined
            ? `add a role whose labels include ${flowList(labels)} to the pool config, or change runs-on`
            : at.fromMatrix
              ? `change this matrix value so runs-on becomes ${flowList(roleLabels(role, roles))} (rewrite leaves matrix values alone)`
              : `map to ${flowList(roleLabels(role, roles))} (runnerpool migrate rewrite --config does this)`,
      });
    }
  }
}

function withoutConfig(ctx: RuleContext, hits: Map<number, RuleHit>): void {
  for (const job of ctx.wf.jobs) {
    for (const set of readRunsOn(ctx.wf, job).sets) {
      for (const ref of set) {
        const role = githubHostedRole(ref.label);
        const offset = ref.node.range?.[0];
        if (role === undefined || offset === undefined || hits.has(offset)) continue;
        hits.set(offset, {
          offset,
          message: `job "${job.id}" asks for "${ref.label}", a GitHub-hosted label no self-hosted runner serves`,
          fix: ref.fromMatrix
            ? `change this matrix value so runs-on becomes [self-hosted, <role>], e.g. [self-hosted, ${role}]`
            : `map to [self-hosted, <role>], e.g. --label-map ${ref.label}=${role} gives [self-hosted, ${role}]`,
        });
      }
    }
  }
}

export const unservedLabel: Rule = {
  id: "unserved-label",
  severity: "error",
  shortDescription: "runs-on asks for labels no runner of the pool serves",
  help:
    "A job waits forever when no runner has every label of its runs-on. With --config, each label set is " +
    "checked against the pool's roles; without it, GitHub-hosted labels (ubuntu-*, macos-*, windows-*) are " +
    "reported. Map them to [self-hosted, <role>].",
  check(ctx) {
    const hits = new Map<number, RuleHit>();
    if (ctx.roles === undefined) withoutConfig(ctx, hits);
    else withConfig(ctx, hits);
    for (const job of ctx.wf.jobs) {
      if (mapValue(ctx.wf.doc, job.node, "uses") !== undefined) continue;
      for (const s of readRunsOn(ctx.wf, job).dynamic) {
        const offset = s.range?.[0];
        if (offset === undefined || hits.has(offset)) continue;
        hits.set(offset, {
          offset,
          severity: "note",
          message: `job "${job.id}" picks its runner with an expression ("${String(s.value)}"); it cannot be checked here`,
          fix: "make sure every value it can take is a label set a role serves",
        });
      }
    }
    return [...hits.values()];
  },
};
