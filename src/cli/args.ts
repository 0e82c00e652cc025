import { type ParseArgsConfig, parseArgs } from "node:util";
import { errorMessage, PoolError } from "../lib/index.js";

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  isTTY: boolean;
}

/** What the migrate commands use of Io: they print plain text only. */
export type MigrateIo = Pick<Io, "stdout" | "stderr" | "cwd">;

/** parseArgs with our error type, so a typo in a flag is a clear message and exit code 2. */
export function parseCommandArgs<T extends ParseArgsConfig["options"]>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new PoolError("INVALID_ARGUMENT", `${errorMessage(err)}\nusage: ${usage}`);
  }
}

/** `K=V` pairs from repeated flags; a missing `=` is an error naming the flag. */
export function keyValues(flag: string, values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values ?? []) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new PoolError("INVALID_ARGUMENT", `--${flag} "${kv}" is not K=V: write --${flag} NAME=value`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}
