/**
 * Gitea's label rule (forge-protocol section 6): a runner can take a job iff every `runs-on` entry is one of
 * its labels. Exact, case-sensitive strings; extra runner labels are fine; an empty `runs-on` matches every
 * runner (Forgejo differs here: it never runs such a job).
 */
export function canMatchLabels(runsOn: readonly string[], runnerLabels: readonly string[]): boolean {
  const labels = new Set(runnerLabels);
  return runsOn.every((l) => labels.has(l));
}
