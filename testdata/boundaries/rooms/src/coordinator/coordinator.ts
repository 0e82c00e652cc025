import { createArtifacts } from "./artifacts/artifact-store.js";
import { createEngine } from "./engine/runs.js";
import { serve } from "./service/server.js";
import { openStore } from "./store/db.js";

export const createCoordinator = () => serve(createEngine(openStore()), createArtifacts());
