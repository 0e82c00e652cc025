import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse } from "smol-toml";
import { PoolError } from "../lib/index.js";
import { defaultConfig } from "./load.js";

// Readers of a config that may still be mid-edit: each reads only the keys its caller needs and
// does not enforce the rest of the schema (`config validate` and `loadConfig` do that).

/**
 * `runner.state_dir` of a config file, absolute (a relative one is relative to the file's directory);
 * the default when the file or the key is missing, or the TOML does not parse yet. A running pool
 * ignores a bad edit, so the runbook commands must still find it.
 */
export function readStateDir(file: string, options: { mustExist: boolean }): string {
  const fallback = defaultConfig(false).runner.state_dir;
  if (!existsSync(file)) {
    if (options.mustExist) throw new PoolError("CONFIG_INVALID", `config file "${file}" does not exist`);
    return resolve(dirname(file), fallback);
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch {
    doc = {};
  }
  const dir = (doc as { runner?: { state_dir?: unknown } }).runner?.state_dir;
  return resolve(dirname(file), typeof dir === "string" ? dir : fallback);
}

/**
 * Only the `[[role]]` names, labels, privileged flags and whether they hold secrets (all that auditing
 * and rewriting workflows need of a pool); at least one role must be there.
 */
export async function readRoleLabels(
  file: string,
  signal: AbortSignal,
): Promise<{ name: string; labels: string[]; privileged: boolean; guarded: boolean }[]> {
  let text: string;
  try {
    text = await readFile(file, { encoding: "utf8", signal });
  } catch (err) {
    throw new PoolError("INVALID_ARGUMENT", `config file "${file}" cannot be read: check the --config path`, {
      cause: err,
    });
  }
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    const e = err as { line?: number; column?: number; message: string };
    throw new PoolError("CONFIG_INVALID", `${(e.message.split("\n")[0] ?? "").trim()}: fix the TOML`, {
      file,
      ...(e.line === undefined ? {} : { line: e.line, col: e.column ?? 1 }),
    });
  }
  const tables = doc.role;
  if (!Array.isArray(tables) || tables.length === 0) {
    throw new PoolError("CONFIG_INVALID", "no [[role]] tables: add at least one role with name and labels", { file });
  }
  return tables.map((t: unknown, i: number) => {
    const role = t as { name?: unknown; labels?: unknown; privileged?: unknown; secrets_dir?: unknown };
    const labels = role.labels;
    if (typeof role.name !== "string" || !Array.isArray(labels) || !labels.every((l) => typeof l === "string")) {
      throw new PoolError("CONFIG_INVALID", `role[${i}] needs a name and a list of labels`, { file });
    }
    const privileged = role.privileged === true;
    const guarded = privileged || typeof role.secrets_dir === "string";
    return { name: role.name, labels: labels as string[], privileged, guarded };
  });
}
