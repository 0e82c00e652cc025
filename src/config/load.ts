import { readFileSync } from "node:fs";
import { parse, TomlError } from "smol-toml";
import type { z } from "zod";
import { errorMessage, formatLocation, PoolError } from "../lib/index.js";
import { labelsCover } from "../workflow/index.js";
import { configSchema, type PoolConfig, type RoleConfig } from "./schema.js";

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

function roleKey(role: RoleConfig, i: number, key: string): string {
  return `role[${i}] (${role.name}).${key}`;
}

/**
 * Cross-field rules the schema cannot express, including the two-way privileged rule: a privileged
 * role refuses refs outside allowed_refs (fail closed: it must list some), and no other role may be
 * able to take its jobs, or a job meant for the quarantined role could run elsewhere.
 */
function semanticProblems(config: PoolConfig, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (keyPath: string, message: string) => problems.push({ file, keyPath, message });
  const seen = new Map<string, number>();
  config.role.forEach((role: RoleConfig, i: number) => {
    const prev = seen.get(role.name);
    if (prev !== undefined) add(roleKey(role, i, "name"), `role name "${role.name}" is already used by role[${prev}]`);
    seen.set(role.name, i);
    if ((role.backend === "docker" || role.backend === "podman") && role.image === undefined) {
      add(
        roleKey(role, i, "backend"),
        `backend "${role.backend}" needs an image: set image = "runnerpool-linux:local"`,
      );
    }
    if (role.provider !== "local") {
      if (role.image === undefined) {
        add(roleKey(role, i, "provider"), `provider "${role.provider}" needs an image with node: set image`);
      }
      if (role.privileged || role.allowed_refs.length > 0 || role.secrets_dir !== undefined) {
        add(
          roleKey(role, i, "provider"),
          `provider "${role.provider}" cannot enforce privileged, allowed_refs or secrets_dir: use provider = "local" for this role`,
        );
      }
    }
    if (role.privileged && role.allowed_refs.length === 0) {
      add(
        roleKey(role, i, "allowed_refs"),
        'a privileged role must list the refs it may run (fail closed): e.g. allowed_refs = ["refs/tags/v*"]',
      );
    }
    config.role.forEach((other: RoleConfig, j: number) => {
      if (j <= i) return;
      if (labelsCover(other.labels, role.labels) && labelsCover(role.labels, other.labels)) {
        add(
          roleKey(other, j, "labels"),
          `label collision: role "${other.name}" has the same labels as role "${role.name}" [${role.labels.join(", ")}], so jobs cannot choose between them: give each role a label of its own`,
        );
      }
    });
  });
  config.role.forEach((role: RoleConfig, i: number) => {
    if (!role.privileged) return;
    config.role.forEach((other: RoleConfig, j: number) => {
      if (i === j || other.privileged) return;
      if (labelsCover(role.labels, other.labels)) {
        add(
          roleKey(other, j, "labels"),
          `role "${other.name}" is not privileged but its labels [${other.labels.join(", ")}] cover every label of the privileged role "${role.name}" [${role.labels.join(", ")}], so its jobs could run there: drop "${role.labels.find((l) => !["self-hosted"].includes(l)) ?? role.labels[0]}" from "${other.name}" or give "${role.name}" a label of its own`,
        );
      }
    });
  });
  return problems;
}

/** Parses and validates TOML text, collecting every problem instead of stopping at the first. */
export function validateConfigText(text: string, file: string): { config?: PoolConfig; problems: ConfigProblem[] } {
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
  if (!result.success) return { problems: problemsFrom(result.error, file, doc).map((p) => locate(p, text)) };
  const problems = semanticProblems(result.data, file)
    .map((p) => locate(p, text))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return problems.length > 0 ? { problems } : { config: result.data, problems };
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
  const { config, problems } = validateConfigText(text, file);
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
