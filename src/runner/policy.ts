import { errorMessage } from "../lib/index.js";
import { matchPatterns } from "../workflow/index.js";

/** What a role allows: a privileged role (or any role with allowed_refs) runs only matching refs. */
export interface TaskPolicy {
  role: string;
  privileged: boolean;
  /** github.ref glob patterns (`!` negates, the last match decides); empty on a privileged role = refuse all. */
  allowedRefs: readonly string[];
  /**
   * Set on a guarded role (privileged, or holding secrets): the labels only it has, one of which a job's
   * runs-on must name. A forge that picks by label cover alone (Gitea) may still hand such a role a job
   * meant for any runner; it is refused. Empty refuses every job.
   */
  exclusiveLabels?: readonly string[];
}

/** Why a guarded role refuses a job whose runs-on does not name it; undefined when it may route here. */
function routingRefusal(policy: TaskPolicy, runsOn: readonly string[]): string | undefined {
  const exclusive = policy.exclusiveLabels;
  if (exclusive === undefined || runsOn.some((l) => exclusive.includes(l))) return undefined;
  const what = policy.privileged ? `privileged role "${policy.role}"` : `secret-holding role "${policy.role}"`;
  const named = exclusive.length === 0 ? "a label of its own, and it has none" : `one of [${exclusive.join(", ")}]`;
  return `the ${what} takes only jobs whose runs-on names ${named}; this job's runs-on is [${runsOn.join(", ")}]: refused, nothing was executed (name the role in runs-on, or run the job elsewhere)`;
}

/**
 * Decides whether a task may run here, before anything of it executes. Returns the reason when it may
 * not. Fails closed: a job that does not name a guarded role, a missing ref, or a pattern that does not
 * compile refuses the task.
 */
export function refusal(
  policy: TaskPolicy | undefined,
  context: Record<string, unknown>,
  runsOn: readonly string[] = [],
): string | undefined {
  if (policy === undefined) return undefined;
  const misrouted = routingRefusal(policy, runsOn);
  if (misrouted !== undefined) return misrouted;
  if (!policy.privileged && policy.allowedRefs.length === 0) return undefined;
  const what = policy.privileged ? `privileged role "${policy.role}"` : `role "${policy.role}"`;
  const ref = context.ref;
  if (typeof ref !== "string" || ref === "") {
    return `the ${what} runs only refs in allowed_refs, and this task has no github.ref: refused`;
  }
  const allowed = `allowed_refs [${policy.allowedRefs.join(", ")}]`;
  let matched: boolean;
  try {
    matched = matchPatterns(policy.allowedRefs, ref);
  } catch (err) {
    return `the ${what} has an invalid pattern in ${allowed} (${errorMessage(err)}): refused`;
  }
  if (!matched) {
    return `the ${what} runs only refs matching ${allowed}; "${ref}" does not match: refused, nothing was executed (run it from an allowed ref or change allowed_refs)`;
  }
  return undefined;
}
