import { type RoleLabels, roleServing } from "./role-labels.js";

/** GitHub-hosted runner labels and the role that usually replaces each on a self-hosted pool. */
export const GITHUB_HOSTED_LABELS: ReadonlyArray<{ pattern: RegExp; role: string }> = [
  { pattern: /^ubuntu-/, role: "linux" },
  { pattern: /^macos-/, role: "macos" },
  { pattern: /^windows-/, role: "windows" },
];

export interface LabelMapOptions {
  /** `--label-map from=role` pairs. */
  labelMap?: Readonly<Record<string, string>>;
  roles?: readonly RoleLabels[];
}

/** The role a GitHub-hosted label such as `ubuntu-latest` stands for, if it is one. */
export function githubHostedRole(label: string): string | undefined {
  return GITHUB_HOSTED_LABELS.find((g) => g.pattern.test(label))?.role;
}

/**
 * The role a label should be routed to: an explicit `--label-map` entry; else, with the pool
 * config, a GitHub-hosted label (retired even where a role still lists it) goes to the role listing
 * it or named after it, and a label of a set no role serves goes to the role that lists it.
 */
export function roleForLabel(label: string, options: LabelMapOptions, setServed = false): string | undefined {
  const explicit = options.labelMap?.[label];
  if (explicit !== undefined) return explicit;
  const roles = options.roles;
  if (roles === undefined || label === "self-hosted") return undefined;
  const hosted = githubHostedRole(label);
  if (hosted === undefined && setServed) return undefined;
  const byLabel = roles.find((r) => r.name === label || r.labels.includes(label));
  if (byLabel) return byLabel.name;
  return hosted !== undefined && roles.some((r) => r.name === hosted) ? hosted : undefined;
}

/** `[self-hosted, <role>]`, narrowed to what the role really lists when the config is known. */
export function roleLabels(roleName: string, roles: readonly RoleLabels[] | undefined): string[] {
  const role = roles?.find((r) => r.name === roleName);
  if (!role) return ["self-hosted", roleName];
  const wanted = ["self-hosted", roleName].filter((l) => role.labels.includes(l));
  return wanted.includes(roleName) ? wanted : [...role.labels];
}

/** The rewritten label list, or undefined when nothing would change. */
export function mapLabels(labels: readonly string[], options: LabelMapOptions): string[] | undefined {
  const served = options.roles !== undefined && roleServing(options.roles, labels) !== undefined;
  const out: string[] = [];
  for (const label of labels) {
    const role = roleForLabel(label, options, served);
    for (const l of role === undefined ? [label] : roleLabels(role, options.roles)) if (!out.includes(l)) out.push(l);
  }
  const i = out.indexOf("self-hosted");
  if (i > 0) out.unshift(...out.splice(i, 1));
  const same = out.length === labels.length && out.every((l, j) => l === labels[j]);
  return same ? undefined : out;
}
