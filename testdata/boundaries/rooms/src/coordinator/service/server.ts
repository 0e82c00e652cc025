import type { createArtifacts } from "../artifacts/artifact-store.js";
import type { createEngine } from "../engine/runs.js";

export const serve = (engine: ReturnType<typeof createEngine>, artifacts: ReturnType<typeof createArtifacts>) => ({
  engine,
  artifacts,
});
