import { readFileSync } from "node:fs";
import { formatProblem, validateConfigText } from "../config/index.js";
import { errorMessage } from "../lib/index.js";
import type { Supervisor } from "../pool/index.js";
import { resolveRoles } from "./assembly/roles.js";
import type { Progress } from "./progress.js";

/**
 * Applies the config file's roles to the pool on SIGHUP. A running pool keeps its last good config:
 * a bad edit is reported and ignored. Returns the function that stops listening.
 */
export function reloadOnHangup(
  configFile: string | undefined,
  pool: Supervisor,
  progress: Progress,
  roles: { sandbox: boolean; baseDir: string },
): () => void {
  const reload = () => {
    if (!configFile) {
      progress.note("config reload: up runs the built-in pool (no config file was given or found); nothing to reload");
      return;
    }
    let text: string;
    try {
      text = readFileSync(configFile, "utf8");
    } catch (err) {
      progress.note(`config reload: cannot read "${configFile}": ${errorMessage(err)}; keeping the running config`);
      return;
    }
    const { config: next, problems } = validateConfigText(text, configFile, { baseDir: roles.baseDir });
    if (!next) {
      progress.note(`config reload: ${problems.length} problem(s); keeping the running config`);
      for (const p of problems) progress.note(`  ${formatProblem(p)}`);
      return;
    }
    pool.update(resolveRoles(next, roles.sandbox, roles.baseDir));
    progress.note(`config reloaded: roles ${next.role.map((r) => r.name).join(", ")}`);
  };
  process.on("SIGHUP", reload);
  return () => process.off("SIGHUP", reload);
}
