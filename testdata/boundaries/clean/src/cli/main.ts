import { createCoordinator } from "../coordinator/index.js";
import { Task } from "../protocol/gen/runner_pb.js";

export async function main() {
  const { parse } = await import("../workflow/index.js");
  return [createCoordinator(new Task()), parse("x")];
}
