import { existsSync } from "node:fs";
import { createForgeClient } from "../protocol/index.js";
import { loadRegistration, type Registration, register } from "../runner/index.js";

export interface InstanceRegistrationOptions {
  forgeUrl: string;
  /** Asked only when a new registration is needed, so a rotated token is used from then on. */
  token: () => string;
  name: string;
  /** The role's label names; registered as `<label>:host`. */
  labels: string[];
  version: string;
  /** The instance's `.runner` file. */
  file: string;
  signal: AbortSignal;
}

/**
 * The registration an instance runs with: its `.runner` file when that is for the same forge and
 * the same labels (a restart keeps its identity), else a fresh one written to the file.
 */
export async function instanceRegistration(options: InstanceRegistrationOptions): Promise<Registration> {
  const { forgeUrl, file } = options;
  if (existsSync(file)) {
    try {
      const existing = loadRegistration(file);
      const sameLabels = existing.labels.map((l) => l.split(":")[0]).join(",") === options.labels.join(",");
      if (existing.address === forgeUrl && sameLabels) return existing;
    } catch {
      // An unreadable file is replaced by a fresh registration.
    }
  }
  return register({
    client: createForgeClient({ url: forgeUrl, version: options.version }),
    url: forgeUrl,
    token: options.token(),
    name: options.name,
    labels: options.labels.map((l) => `${l}:host`),
    version: options.version,
    file,
    signal: options.signal,
  });
}
