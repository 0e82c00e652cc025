import { resolve } from "node:path";
import type { PoolConfig } from "../../config/index.js";
import type { PoolRole } from "../../pool/index.js";

/**
 * Config roles -> pool roles: `auto` settled by whether bubblewrap works here, limits in the
 * units cgroups take, and secrets_dir resolved against `baseDir` (the config file's directory).
 */
export function resolveRoles(config: PoolConfig, sandboxAvailable: boolean, baseDir = process.cwd()): PoolRole[] {
  return config.role.map((r) => ({
    name: r.name,
    labels: r.labels,
    backend: r.backend === "auto" ? (sandboxAvailable ? "sandbox" : "host") : r.backend,
    capacity: r.capacity,
    env: r.env,
    ...(r.image === undefined ? {} : { image: r.image }),
    pull: r.pull,
    ...(r.registry_auth_file === undefined ? {} : { registryAuthFile: resolve(baseDir, r.registry_auth_file) }),
    instances: r.instances,
    idleTimeoutMs: r.idle_timeout,
    limits: {
      ...(r.limits.cpu === undefined ? {} : { cpus: r.limits.cpu }),
      ...(r.limits.memory === undefined ? {} : { memoryBytes: r.limits.memory }),
      ...(r.limits.pids === undefined ? {} : { pids: r.limits.pids }),
    },
    provider: r.provider,
    privileged: r.privileged,
    allowedRefs: r.allowed_refs,
    ...(r.secrets_dir === undefined ? {} : { secretsDir: resolve(baseDir, r.secrets_dir) }),
  }));
}
