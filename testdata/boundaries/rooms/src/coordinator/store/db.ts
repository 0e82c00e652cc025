import type { Engine } from "../engine/runs.js";

export const openStore = (engine?: Engine) => ({ engine });
