import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { errorMessage, PoolError } from "../lib/index.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `--secret NAME`: the value comes from the environment variable NAME, never from the command line,
 * where every local user can read it in `ps` and /proc/<pid>/cmdline. `NAME=value` is refused with that
 * reason.
 */
export function secretsFromEnv(names: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    if (name.includes("=")) {
      const key = name.slice(0, name.indexOf("="));
      throw new PoolError(
        "INVALID_ARGUMENT",
        `--secret ${key}=... would put the value in the process arguments, which any local user can read: export ${key} and pass --secret ${key}, or put it in a --secret-file`,
      );
    }
    if (!NAME.test(name)) throw new PoolError("INVALID_ARGUMENT", `--secret "${name}" is not a variable name`);
    const value = env[name];
    if (value === undefined) {
      throw new PoolError("INVALID_ARGUMENT", `--secret ${name}: the environment has no ${name}: export it first`);
    }
    out[name] = value;
  }
  return out;
}

/**
 * Secrets from a dotenv file: `NAME=value` lines, `export NAME=value`, `#` comments, values in double
 * quotes (with `\n`, `\"`, `\\` escapes, may span lines) or single quotes (literal).
 */
export function readDotenvSecrets(file: string, cwd: string): Record<string, string> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new PoolError("INVALID_ARGUMENT", `--secret-file "${file}" cannot be read: ${errorMessage(err)}`);
  }
  return parseDotenv(text, file);
}

/** A token kept in a file (mode 0600, one line): its trimmed text. `what` names the option or key. */
export function readTokenFile(file: string, what: string): string {
  let token: string;
  try {
    token = readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new PoolError("CONFIG_INVALID", `${what} "${file}": ${errorMessage(err)}`);
  }
  if (token === "") throw new PoolError("CONFIG_INVALID", `${what} "${file}" is empty`);
  return token;
}

export function parseDotenv(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const at = `${file}:${i + 1}`;
    const line = (lines[i] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new PoolError("INVALID_ARGUMENT", `${at}: expected NAME=value`);
    const [, name = "", rest = ""] = m;
    const quote = rest[0];
    if (quote !== '"' && quote !== "'") {
      out[name] = rest.replace(/\s+#.*$/, "").trim();
      continue;
    }
    // A quoted value runs to its closing quote, on this line or a later one.
    let body = rest.slice(1);
    let end = closingQuote(body, quote);
    while (end < 0 && i + 1 < lines.length) {
      body += `\n${lines[++i] ?? ""}`;
      end = closingQuote(body, quote);
    }
    if (end < 0) throw new PoolError("INVALID_ARGUMENT", `${at}: ${name} has no closing ${quote}`);
    const raw = body.slice(0, end);
    out[name] = quote === "'" ? raw : raw.replace(/\\([n"\\])/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return out;
}

function closingQuote(s: string, quote: string): number {
  for (let i = 0; i < s.length; i++) {
    if (quote === '"' && s[i] === "\\") i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}
