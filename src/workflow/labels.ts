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
