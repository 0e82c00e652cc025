import { existsSync } from "node:fs";
import { join } from "node:path";

/** The config file's name where runnerpool looks for one without `--config`. */
export const CONFIG_FILE = "runnerpool.toml";

/** The config a command uses: the one given (whether or not it exists), else the first `runnerpool.toml` in `dirs`. */
export function locateConfig(given: string | undefined, dirs: readonly string[]): string | undefined {
  if (given !== undefined) return given;
  return dirs.map((d) => join(d, CONFIG_FILE)).find((f) => existsSync(f));
}
