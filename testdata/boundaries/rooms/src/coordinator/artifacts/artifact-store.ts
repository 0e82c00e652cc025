import { openStore } from "../store/db.js";
import type { Engine } from "../engine/runs.js";

export const createArtifacts = (engine?: Engine) => ({ store: openStore(), engine });
