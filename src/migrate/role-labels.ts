import { labelsCover } from "../workflow/index.js";

/** What migrate needs to know of a pool role (a `[[role]]` table of runnerpool.toml): its name and labels. */
export interface RoleLabels {
  name: string;
  labels: string[];
  /** Host-mode privileged roles (iso) may use sudo; jobs routed there are not warned about it. */
  privileged?: boolean;
  /** Holds secrets (`secrets_dir`): like a privileged role, reachable only by a job that names it. */
  guarded?: boolean;
}

/** The first role whose labels cover every label of a job (the forge's matching rule). */
export function roleServing(roles: readonly RoleLabels[], labels: readonly string[]): RoleLabels | undefined {
  return roles.find((role) => labelsCover(labels, role.labels));
}
