import type { Task } from "../../protocol/gen/runner_pb.js";
import type { startEngine } from "../engine/runs.js";
import type { Store } from "../store/db.js";

export function serve(engine: ReturnType<typeof startEngine>, store: Store, task: Task) {
  return { engine, store, task };
}
