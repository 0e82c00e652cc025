import type { RunsPort } from "../ports.js";
import type { openStore } from "../store/db.js";

export type Engine = RunsPort;
export const createEngine = (store: ReturnType<typeof openStore>) => ({ store, list: () => [] });
