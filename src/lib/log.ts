import { pino } from "pino";

export type Logger = pino.Logger;

/** Process log (not job logs). Goes to stderr so `--json` output on stdout stays clean. */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    { level: options.level ?? process.env.RUNNERPOOL_LOG_LEVEL ?? "warn", name: options.name ?? "runnerpool" },
    pino.destination(2),
  );
}

/** A logger that drops everything, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: "silent" });
