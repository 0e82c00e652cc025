import type { PoolConfig } from "../config/index.js";
import type { LocalRole } from "../pool/index.js";

/** Config roles -> pool roles, with `auto` settled by whether bubblewrap works here. */
export function resolveRoles(config: PoolConfig, sandboxAvailable: boolean): LocalRole[] {
  return config.role.map((r) => ({
    name: r.name,
    labels: r.labels,
    backend: r.backend === "auto" ? (sandboxAvailable ? "sandbox" : "host") : r.backend,
    capacity: r.capacity,
    env: r.env,
  }));
}
