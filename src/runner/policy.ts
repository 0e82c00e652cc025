import { errorMessage } from "../lib/index.js";
import { matchPatterns } from "../workflow/index.js";

/** What a role allows: a privileged role (or any role with allowed_refs) runs only matching refs. */
export interface TaskPolicy {
  role: string;
  privileged: boolean;
  /** github.ref glob patterns (`!` negates, the last match decides); empty on a privileged role = refuse all. */
  allowedRefs: readonly string[];
}

/**
 * Decides whether a task may run here, before anything of it executes. Returns the reason when it may
 * not. Fails closed: a missing ref, or a pattern that does not compile, refuses the task.
 */
export function refusal(policy: TaskPolicy | undefined, context: Record<string, unknown>): string | undefined {
  if (policy === undefined || (!policy.privileged && policy.allowedRefs.length === 0)) return undefined;
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
