/** What migrate needs to know of a pool role (a `[[role]]` table of runnerpool.toml). */
export interface PoolRole {
  name: string;
  labels: string[];
  /** Host-mode privileged roles (iso) may use sudo; jobs routed there are not warned about it. */
  privileged?: boolean;
}

/** The first role whose labels cover every label of a job (act_runner's matching rule). */
export function roleServing(roles: readonly PoolRole[], labels: readonly string[]): PoolRole | undefined {
  return roles.find((role) => labels.every((l) => role.labels.includes(l)));
}
