import { routes } from "../../workflow/index.js";

/** Whether a runner with these labels may take a job with this runs-on. */
export type Routing = (runsOn: readonly string[], runnerLabels: readonly string[]) => boolean;

/**
 * The pool's routing rule over the guarded labels the composition root hands in (the exclusive labels
 * of privileged and secret-holding roles, read again on every decision so a config reload applies).
 * Without them, plain label cover: Gitea's rule.
 */
export function routingOf(guardedLabels: (() => readonly string[]) | undefined): Routing {
  return (runsOn, runnerLabels) => routes(runsOn, runnerLabels, new Set(guardedLabels?.() ?? []));
}
