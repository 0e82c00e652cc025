import { formatLocation } from "./location.js";

/** Stable machine codes; messages may change, codes may not. */
export type ErrorCode =
  | "CONFIG_INVALID"
  | "WORKFLOW_INVALID"
  | "EXPRESSION_INVALID"
  | "FORGE_UNAUTHENTICATED"
  | "FORGE_UNAVAILABLE"
  | "FORGE_NOT_FOUND"
  | "FORGE_ALREADY_EXISTS"
  | "FORGE_INVALID_ARGUMENT"
  | "FORGE_UNIMPLEMENTED"
  | "FORGE_ERROR"
  | "BACKEND_UNAVAILABLE"
  | "WORKSPACE_CLEANUP_FAILED"
  | "TASK_TIMEOUT"
  | "TASK_CANCELLED"
  | "NO_RUNNER_FOR_LABELS"
  | "POLICY_REFUSED"
  | "NOT_FOUND"
  | "INVALID_ARGUMENT"
  | "ALREADY_EXISTS"
  | "LIMIT_EXCEEDED"
  | "INTERNAL";

export interface PoolErrorOptions {
  cause?: unknown;
  /** Where in a user document the problem is, when there is one. */
  file?: string;
  line?: number;
  col?: number;
}

export class PoolError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly col: number | undefined;

  constructor(code: ErrorCode, message: string, options: PoolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PoolError";
    this.code = code;
    this.file = options.file;
    this.line = options.line;
    this.col = options.col;
  }

  /** `file:line:col: message` when a location is known, else the message. */
  get located(): string {
    if (this.file === undefined) return this.message;
    return `${formatLocation({ file: this.file, line: this.line, col: this.col })}: ${this.message}`;
  }

  /** Normalises anything thrown into a PoolError; aborts become TASK_CANCELLED. */
  static from(err: unknown, fallback: ErrorCode = "INTERNAL"): PoolError {
    if (err instanceof PoolError) return err;
    if (err instanceof Error) {
      if (err.name === "AbortError" || err.name === "TimeoutError") {
        return new PoolError("TASK_CANCELLED", err.message, { cause: err });
      }
      return new PoolError(fallback, err.message, { cause: err });
    }
    return new PoolError(fallback, String(err));
  }
}

/** The text of anything thrown: an Error's message, else the value as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isPoolError(err: unknown, code?: ErrorCode): err is PoolError {
  return err instanceof PoolError && (code === undefined || err.code === code);
}
