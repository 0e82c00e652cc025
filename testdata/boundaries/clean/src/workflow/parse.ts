import { PoolError } from "../lib/index.js";
import type { Workflow } from "./model.js";

export function parse(text: string): Workflow {
  if (text === "") throw new PoolError("empty");
  return { name: text };
}
