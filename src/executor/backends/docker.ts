import type { Backend } from "../backend.js";
import { type ContainerBackendOptions, createContainerBackend } from "./container-backend.js";

export type DockerBackendOptions = Omit<ContainerBackendOptions, "engine">;

/** A fresh Docker container per job (dockerd must be running; the image must be local). */
export function createDockerBackend(options: DockerBackendOptions): Backend {
  return createContainerBackend({ ...options, engine: "docker" });
}
