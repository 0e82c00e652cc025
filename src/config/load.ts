import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse, TomlError } from "smol-toml";
import { z } from "zod";
import { errorMessage, formatLocation, PoolError } from "../lib/index.js";
import { type IndexedRole, type PolicyOptions, policyProblems } from "./policy.js";
import { configSchema, type PoolConfig, roleSchema } from "./schema.js";

export interface ConfigProblem {
  file: string;
  line?: number;
  col?: number;
  keyPath: string;
  message: string;
}

function keyPath(path: readonly PropertyKey[], doc: unknown): string {
  let out = "";
  let node: unknown = doc;
  for (const seg of path) {
    if (typeof seg === "number") {
      const name = (node as unknown[] | undefined)?.[seg] as { name?: unknown } | undefined;
      out += typeof name?.name === "string" && out.endsWith("role") ? `[${seg}] (${name.name})` : `[${seg}]`;
      node = (node as unknown[] | undefined)?.[seg];
    } else {
      out += out === "" ? String(seg) : `.${String(seg)}`;
      node = (node as Record<string, unknown> | undefined)?.[String(seg)];
    }
  }
  return out === "" ? "(top level)" : out;
}

function problemsFrom(error: z.ZodError, file: string, doc: unknown): ConfigProblem[] {
  return error.issues.map((issue) => {
    const extra =
      issue.code === "unrecognized_keys"
        ? `: ${issue.keys.map((k) => `"${k}"`).join(", ")} (remove or fix the spelling)`
        : "";
    return { file, keyPath: keyPath(issue.path, doc), message: `${issue.message}${extra}` };
  });
}

/**
 * smol-toml keeps no positions, so a problem's line is found from its key path: the i-th `[[table]]`
 * header, then the key inside it. Good enough to point an editor at the right place.
 */
function locate(problem: ConfigProblem, text: string): ConfigProblem {
  const m = /^([a-z_]+)(?:\[(\d+)\])?(?: \([^)]*\))?(?:\.([a-z_]+))?/.exec(problem.keyPath);
  if (!m) return problem;
  const [, table, index, key] = m;
  const lines = text.split("\n");
  let start = -1;
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = (lines[i] ?? "").trim();
    if (t === `[[${table}]]` || t === `[${table}]`) {
      seen++;
      if (index === undefined || seen === Number(index)) {
        start = i;
        break;
      }
    }
  }
  if (start < 0) return problem;
  let line = start;
  const wanted = key ?? /"([a-z_]+)"/.exec(problem.message)?.[1];
  if (wanted) {
    for (let i = start + 1; i < lines.length && !(lines[i] ?? "").trim().startsWith("["); i++) {
      if (new RegExp(`^\\s*${wanted}\\s*=`).test(lines[i] ?? "")) {
        line = i;
        break;
      }
    }
  }
  return { ...problem, line: line + 1, col: 1 };
}

/**
 * The roles of a file that fails the schema, with their indexes, so their policy problems are still
 * reported with the schema's and one edit fixes everything. A role with other bad keys still takes
 * part in the cross-role rules by its name, labels and guard keys (`partial`).
 */
function parsedRoles(doc: unknown): IndexedRole[] {
  const roles = (doc as { role?: unknown } | null)?.role;
  if (!Array.isArray(roles)) return [];
  return roles.flatMap((raw: unknown, index) => {
    const parsed = roleSchema.safeParse(raw);
    if (parsed.success) return [{ role: parsed.data, index }];
    const named = z.object({ name: roleSchema.shape.name, labels: roleSchema.shape.labels }).safeParse(raw);
    if (!named.success) return [];
    const { privileged, secrets_dir } = raw as { privileged?: unknown; secrets_dir?: unknown };
    const guard = {
      privileged: privileged === true,
      ...(typeof secrets_dir === "string" ? { secrets_dir } : {}),
    };
    return [{ role: roleSchema.parse({ ...named.data, ...guard }), index, partial: true }];
  });
}

/**
 * Parses and validates TOML text, collecting every problem (schema and policy together) instead of
 * stopping at the first. With `baseDir`, paths in the file must exist there (`secrets_dir`).
 */
export function validateConfigText(
  text: string,
  file: string,
  options: PolicyOptions = {},
): { config?: PoolConfig; problems: ConfigProblem[] } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split("\n")[0] ?? err.message;
      return { problems: [{ file, line: err.line, col: err.column, keyPath: "(syntax)", message: reason }] };
    }
    throw err;
  }
  const result = configSchema.safeParse(doc);
  const roles = result.success ? result.data.role.map((role, index) => ({ role, index })) : parsedRoles(doc);
  const problems = [
    ...(result.success ? [] : problemsFrom(result.error, file, doc)),
    ...policyProblems(roles, options).map((p) => ({ file, ...p })),
  ]
    .map((p) => locate(p, text))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return result.success && problems.length === 0 ? { config: result.data, problems } : { problems };
}

export function formatProblem(p: ConfigProblem): string {
  return `${formatLocation(p)}: ${p.keyPath}: ${p.message}`;
}

/** Loads a config file; throws CONFIG_INVALID listing every problem. */
export function loadConfig(file: string): PoolConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new PoolError("CONFIG_INVALID", `cannot read config file "${file}": ${errorMessage(err)}`, {
      cause: err,
      file,
    });
  }
  const { config, problems } = validateConfigText(text, file, { baseDir: dirname(file) });
  if (!config) {
    throw new PoolError("CONFIG_INVALID", `invalid config:\n${problems.map(formatProblem).join("\n")}`, { file });
  }
  return config;
}

/** The pool used when no --config is given (architecture doc, issue A). */
export function defaultConfig(sandboxAvailable: boolean): PoolConfig {
  return configSchema.parse({
    role: [
      { name: "linux", labels: ["self-hosted", "linux"], backend: sandboxAvailable ? "sandbox" : "host", capacity: 2 },
    ],
  });
}
