import { PoolError } from "../lib/index.js";

/**
 * The part of a runner label the forge matches `runs-on` against: `linux:host` → `linux`,
 * `ubuntu:docker://node:20` → `ubuntu`. The scheme stays runner-local (forge-protocol.md §6).
 */
export function labelName(label: string): string {
  const colon = label.indexOf(":");
  const name = (colon < 0 ? label : label.slice(0, colon)).trim();
  if (name === "") throw new PoolError("INVALID_ARGUMENT", `runner label "${label}" has no name: write name[:scheme]`);
  return name;
}
