/** A runner label as configured: `name`, `name:host`, `name:docker://image`. */
export interface RunnerLabel {
  /** What the server sees and matches `runs-on` against. */
  name: string;
  scheme: "host" | "docker" | (string & {});
  /** Docker image for the docker scheme (leading `//` removed), else "". */
  arg: string;
}

/**
 * Parses a runner label like act_runner HEAD: `name:docker://image` runs in that image,
 * `name:host` and a bare `name` run on the host, and any other scheme makes the whole string an
 * opaque host label (so `pool:e57e` stays one name).
 */
export function parseLabel(label: string): RunnerLabel {
  const first = label.indexOf(":");
  if (first < 0) return { name: label, scheme: "host", arg: "" };
  const name = label.slice(0, first);
  const rest = label.slice(first + 1);
  const second = rest.indexOf(":");
  const scheme = second < 0 ? rest : rest.slice(0, second);
  const arg = second < 0 ? "" : rest.slice(second + 1);
  if (scheme === "host") return { name, scheme, arg };
  if (scheme === "docker") return { name, scheme, arg: arg.replace(/^\/\//, "") };
  return { name: label, scheme: "host", arg: "" };
}

/** The label names to register/declare: only `name` goes to the server. */
export function labelNames(labels: readonly string[]): string[] {
  return labels.map((l) => parseLabel(l).name);
}

/**
 * Gitea's label rule (forge-protocol section 6): runner labels cover a job iff every `runs-on` entry
 * is one of them. Exact, case-sensitive strings; extra runner labels are fine; an empty `runs-on` is
 * covered by every runner (Forgejo differs here: it never runs such a job). The coordinator's picker,
 * `pool coverage` and `migrate` all decide with this.
 */
export function labelsCover(runsOn: readonly string[], runnerLabels: readonly string[]): boolean {
  const labels = new Set(runnerLabels);
  return runsOn.every((l) => labels.has(l));
}

/** A role as the routing rule sees it: guarded roles (privileged, or holding secrets) are reachable only by name. */
export interface RoutedRole {
  name: string;
  labels: readonly string[];
  guarded: boolean;
}

/** Labels that name no role: every self-hosted runner has `self-hosted` (GitHub's convention), so it means "any". */
const GENERIC_LABELS: ReadonlySet<string> = new Set(["self-hosted"]);

/**
 * The labels of `role` that no other role has: what a job names to reach this role and no other.
 * `self-hosted` never counts, even on the only role of a pool.
 */
export function exclusiveLabels(role: RoutedRole, roles: readonly RoutedRole[]): string[] {
  return role.labels.filter(
    (l) => !GENERIC_LABELS.has(l) && !roles.some((other) => other !== role && other.labels.includes(l)),
  );
}

/**
 * The routing rule of the pool: a runner takes a job when its labels cover the job's runs-on and, if it
 * carries guarded labels, the runs-on names one of them. So `runs-on: [self-hosted]`, or no runs-on at all,
 * never reaches a privileged or secret-holding role, however its other labels match.
 */
export function routes(
  runsOn: readonly string[],
  runnerLabels: readonly string[],
  guarded: ReadonlySet<string>,
): boolean {
  if (!labelsCover(runsOn, runnerLabels)) return false;
  const held = runnerLabels.filter((l) => guarded.has(l));
  return held.length === 0 || runsOn.some((l) => held.includes(l));
}
