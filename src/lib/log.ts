import { pino } from "pino";

export type Logger = pino.Logger;

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

function flatten(prefix: string, value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    out.push(`${prefix}=${quote(value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(","))}`);
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(prefix === "" ? k : `${prefix}.${k}`, v, out);
  } else out.push(`${prefix}=${quote(String(value))}`);
}

function quote(text: string): string {
  return text === "" || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/**
 * One pino record as one line a person can scan: `time LEVEL name: message key=value ...`. Nested
 * fields become dotted keys; an error shows its message (the stack only at debug level and below).
 */
export function formatLogLine(record: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(record) as Record<string, unknown>;
  } catch {
    return record.trimEnd();
  }
  const { level, time, msg, name, pid: _pid, hostname: _host, err, ...rest } = o;
  const fields: string[] = [];
  if (err && typeof err === "object") {
    const e = err as { message?: unknown; stack?: unknown };
    fields.push(`error=${quote(String(e.message ?? ""))}`);
    if (typeof level === "number" && level <= 20 && typeof e.stack === "string") fields.push(`stack=${quote(e.stack)}`);
  }
  flatten("", rest, fields);
  const when = typeof time === "number" ? new Date(time).toISOString() : "";
  const head = `${when} ${(LEVELS[level as number] ?? String(level)).padEnd(5)} ${String(name ?? "runnerpool")}:`;
  return [head, String(msg ?? ""), ...fields].filter((p) => p !== "").join(" ");
}

/**
 * Process log (not job logs). Goes to stderr so `--json` output on stdout stays clean: as text lines
 * (default, for people and journald) or as pino's JSON records (`format: "json"`, for machines).
 */
export function createLogger(
  options: { level?: string; name?: string; format?: "text" | "json"; write?: (line: string) => void } = {},
): Logger {
  const settings = {
    level: options.level ?? process.env.RUNNERPOOL_LOG_LEVEL ?? "warn",
    name: options.name ?? "runnerpool",
  };
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  if (options.format === "json") {
    return pino(settings, options.write ? { write } : pino.destination(2));
  }
  return pino(settings, { write: (record: string) => write(`${formatLogLine(record)}\n`) });
}

/** A logger that drops everything, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: "silent" });
