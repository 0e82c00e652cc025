import { statSync } from "node:fs";
import { resolve } from "node:path";
import { exclusiveLabels, labelsCover, type RoutedRole } from "../workflow/index.js";
import { ANY_REF, type RoleConfig } from "./schema.js";

/** A policy problem before it is located in the file. */
export interface PolicyProblem {
  keyPath: string;
  message: string;
}

/** A role that passed the schema, with its index in the file (roles that did not are left out). */
export interface IndexedRole {
  role: RoleConfig;
  index: number;
  /** Only name, labels and the guard keys are the file's (the rest failed the schema): no per-role checks. */
  partial?: boolean;
}

export interface PolicyOptions {
  /** Where relative paths of the file resolve; set, `secrets_dir` must exist there as a directory. */
  baseDir?: string;
}

function roleKey({ role, index }: IndexedRole, key: string): string {
  return `role[${index}] (${role.name}).${key}`;
}

/** A role with secrets or privilege: reachable only by a job that names one of its exclusive labels. */
export function isGuardedRole(role: RoleConfig): boolean {
  return role.privileged || role.secrets_dir !== undefined;
}

/**
 * The cross-role rules the schema cannot express. Each role is checked on its own (image, provider,
 * refs, secrets) and against the others (one name each, labels that tell roles apart, an exclusive label
 * on every guarded role), so one pass reports every problem of the file.
 */
export function policyProblems(roles: readonly IndexedRole[], options: PolicyOptions = {}): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const add = (keyPath: string, message: string) => problems.push({ keyPath, message });
  const seen = new Map<string, number>();
  for (const r of roles) {
    const prev = seen.get(r.role.name);
    if (prev !== undefined) add(roleKey(r, "name"), `role name "${r.role.name}" is already used by role[${prev}]`);
    seen.set(r.role.name, r.index);
    if (!r.partial) for (const p of roleProblems(r, options)) add(p.keyPath, p.message);
  }
  roles.forEach((r, i) => {
    for (const other of roles.slice(i + 1)) {
      if (labelsCover(other.role.labels, r.role.labels) && labelsCover(r.role.labels, other.role.labels)) {
        add(
          roleKey(other, "labels"),
          `label collision: role "${other.role.name}" has the same labels as role "${r.role.name}" [${r.role.labels.join(", ")}], so jobs cannot choose between them: give each role a label of its own`,
        );
      }
    }
  });
  return [...problems, ...exclusivityProblems(roles)];
}

/** What one role gets wrong on its own. */
function roleProblems(r: IndexedRole, options: PolicyOptions): PolicyProblem[] {
  const { role } = r;
  const out: PolicyProblem[] = [];
  const add = (key: string, message: string) => out.push({ keyPath: roleKey(r, key), message });
  if ((role.backend === "docker" || role.backend === "podman") && role.image === undefined) {
    add("backend", `backend "${role.backend}" needs an image: set image = "runnerpool-linux:local"`);
  }
  const refs = role.allowed_refs;
  const listsRefs = refs !== ANY_REF && refs.length > 0;
  if (role.provider !== "local") {
    if (role.image === undefined) add("provider", `provider "${role.provider}" needs an image with node: set image`);
    if (role.privileged || refs === ANY_REF || listsRefs || role.secrets_dir !== undefined) {
      add(
        "provider",
        `provider "${role.provider}" cannot enforce privileged, allowed_refs or secrets_dir: use provider = "local" for this role`,
      );
    }
  }
  if (role.privileged && !listsRefs) {
    add(
      "allowed_refs",
      'a privileged role must list the refs it may run (fail closed): e.g. allowed_refs = ["refs/tags/v*"]',
    );
  }
  if (role.secrets_dir !== undefined && !role.privileged && refs !== ANY_REF && !listsRefs) {
    add(
      "allowed_refs",
      'a role with secrets_dir must say which refs may read them: e.g. allowed_refs = ["refs/heads/main"], or allowed_refs = "any" for every ref',
    );
  }
  if (role.secrets_dir !== undefined && options.baseDir !== undefined) {
    const dir = resolve(options.baseDir, role.secrets_dir);
    if (!isDirectory(dir)) add("secrets_dir", `"${dir}" is not a directory: create it with the role's secret files`);
  }
  return out;
}

/**
 * Every guarded role needs a label no other role has: a job reaches it only by naming one, so a job
 * with `runs-on: [self-hosted]` or none at all can never land there.
 */
function exclusivityProblems(roles: readonly IndexedRole[]): PolicyProblem[] {
  const routed: RoutedRole[] = roles.map(({ role }) => ({
    name: role.name,
    labels: role.labels,
    guarded: isGuardedRole(role),
  }));
  const out: PolicyProblem[] = [];
  roles.forEach((r, i) => {
    const self = routed[i];
    if (!self?.guarded || exclusiveLabels(self, routed).length > 0) return;
    const what = r.role.privileged ? "a privileged role" : "a role with secrets_dir";
    const sharing = roles
      .filter((o) => o !== r && o.role.labels.some((l) => r.role.labels.includes(l)))
      .map((o) => `"${o.role.name}"`);
    out.push({
      keyPath: roleKey(r, "labels"),
      message: `${what} needs a label no other role has, so only jobs that name it reach it; every label of "${r.role.name}" [${r.role.labels.join(", ")}] is also on ${sharing.join(", ")}: add one, e.g. "${r.role.name}"`,
    });
  });
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
