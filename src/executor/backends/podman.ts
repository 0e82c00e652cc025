import type { Backend } from "../backend.js";
import { type ContainerBackendOptions, createContainerBackend } from "./container-backend.js";

export type PodmanBackendOptions = Omit<ContainerBackendOptions, "engine">;

/**
 * A fresh Podman container per job (no daemon). Podman needs `default_ulimits` in containers.conf
 * on machines whose nofile hard limit is low (see docs/operations.md).
 */
export function createPodmanBackend(options: PodmanBackendOptions): Backend {
  return createContainerBackend({ ...options, engine: "podman" });
}
