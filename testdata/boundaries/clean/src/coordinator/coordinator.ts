import type { Task } from "../protocol/index.js";
import { startEngine } from "./engine/runs.js";
import { serve } from "./service/server.js";
import { openStore } from "./store/db.js";

export function createCoordinator(task: Task) {
  const store = openStore();
  return serve(startEngine(store), store, task);
}
