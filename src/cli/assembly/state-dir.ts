import { mkdirSync } from "node:fs";

/** Creates a state directory (mode 0700: it holds tokens) and returns it. */
export function stateDirReady(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
