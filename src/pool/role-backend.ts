import { join } from "node:path";
import { type Backend, createContainerBackend, createHostBackend, createSandboxBackend } from "../executor/index.js";
import { PoolError } from "../lib/index.js";
import type { PoolRole } from "./role.js";

/** The backend a role's jobs run in, with the role's limits and secrets; one per instance. */
export function createRoleBackend(role: PoolRole, workdirParent: string): Backend {
  const parent = join(workdirParent, role.name);
  switch (role.backend) {
    case "host":
      return createHostBackend({ workdirParent: parent, limits: role.limits, secretsDir: role.secretsDir });
    case "sandbox":
      return createSandboxBackend({ workdirParent: parent, limits: role.limits, secretsDir: role.secretsDir });
    case "docker":
    case "podman":
      if (role.image === undefined) {
        throw new PoolError("CONFIG_INVALID", `role "${role.name}": backend "${role.backend}" needs an image`);
      }
      return createContainerBackend({
        engine: role.backend,
        image: role.image,
        ...(role.pull === undefined ? {} : { pull: role.pull }),
        ...(role.registryAuthFile === undefined ? {} : { registryAuthFile: role.registryAuthFile }),
        workdirParent: parent,
        limits: role.limits,
        secretsDir: role.secretsDir,
        privileged: role.privileged === true,
      });
  }
}
