import { resolve } from "node:path";
import { ANY_REF, type PoolConfig } from "../../config/index.js";
import { guardRoles, type PoolRole } from "../../pool/index.js";

/**
 * Config roles -> pool roles: `auto` settled by whether bubblewrap works here, limits in the
 * units cgroups take, secrets_dir resolved against `baseDir` (the config file's directory),
 * `allowed_refs = "any"` as no ref policy, and each guarded role's exclusive labels filled in.
 */
export function resolveRoles(config: PoolConfig, sandboxAvailable: boolean, baseDir = process.cwd()): PoolRole[] {
  return guardRoles(
    config.role.map((r) => ({
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
      allowedRefs: r.allowed_refs === ANY_REF ? [] : r.allowed_refs,
      ...(r.secrets_dir === undefined ? {} : { secretsDir: resolve(baseDir, r.secrets_dir) }),
    })),
  );
}
