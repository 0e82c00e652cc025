import { Code, ConnectError } from "@connectrpc/connect";
import { type ErrorCode, errorMessage, PoolError } from "../lib/index.js";

// Gitea hands gRPC status errors to connect-go, which cannot read them: they arrive as Code.Unknown
// (HTTP 500) with the status text, e.g. "rpc error: code = Unauthenticated desc = unregistered runner".
const GRPC_STATUS = /rpc error: code = ([A-Za-z]+) desc = ([\s\S]*)$/;

// Node errno values that mean the forge could not be reached or dropped the connection.
const NETWORK_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
]);

/** The connect code the forge meant, and its message without Gitea's status wrapping. */
export interface ForgeStatus {
  code: Code;
  message: string;
  /** True when the code was read out of a Gitea "rpc error: code = X" message. */
  parsed: boolean;
}

/** Reads the effective status of a connect error, undoing Gitea's Code.Unknown wrapping. */
export function forgeStatusOf(err: ConnectError): ForgeStatus {
  if (err.code === Code.Unknown || err.code === Code.Internal) {
    const m = GRPC_STATUS.exec(err.rawMessage);
    const code = m === null ? undefined : codeFromName(m[1] ?? "");
    if (m !== null && code !== undefined) return { code, message: m[2] ?? "", parsed: true };
  }
  return { code: err.code, message: err.rawMessage, parsed: false };
}

/**
 * The one place where a failed forge call becomes a PoolError. `procedure` (e.g. "FetchTask") only
 * makes the message clearer.
 */
export function forgeErrorFrom(err: unknown, procedure?: string): PoolError {
  if (err instanceof PoolError) return err;
  const call = procedure === undefined ? "forge call" : `forge call "${procedure}"`;
  if (!(err instanceof ConnectError)) {
    if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError")) {
      return new PoolError("TASK_CANCELLED", `${call} was cancelled`, { cause: err });
    }
    if (hasNetworkErrno(err)) return unavailable(call, errorMessage(err), err);
    return new PoolError("FORGE_ERROR", `${call} failed: "${errorMessage(err)}"`, { cause: err });
  }
  const { code, message, parsed } = forgeStatusOf(err);
  const desc = JSON.stringify(message);
  switch (code) {
    case Code.Canceled:
      // A "code = Canceled" inside a Gitea message means the server gave up, not that we cancelled.
      if (parsed) return unavailable(call, message, err);
      return new PoolError("TASK_CANCELLED", `${call} was cancelled`, { cause: err });
    case Code.Unauthenticated:
      return new PoolError(
        "FORGE_UNAUTHENTICATED",
        `${call} was refused: ${desc}; the runner was deleted or its token is wrong, register it again`,
        { cause: err },
      );
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.ResourceExhausted:
    case Code.Aborted:
      return unavailable(call, message, err);
    case Code.NotFound:
      return new PoolError("FORGE_NOT_FOUND", `${call} found nothing: ${desc}`, { cause: err });
    case Code.AlreadyExists:
      return new PoolError("FORGE_ALREADY_EXISTS", `${call} conflicts with existing state: ${desc}`, { cause: err });
    case Code.InvalidArgument:
      return new PoolError("FORGE_INVALID_ARGUMENT", `${call} was rejected as invalid: ${desc}`, { cause: err });
    case Code.Unimplemented:
      return new PoolError(
        "FORGE_UNIMPLEMENTED",
        `${call} is not supported by this forge: ${desc}; upgrade it (Gitea 1.21 or later)`,
        { cause: err },
      );
    case Code.Internal:
      if (hasNetworkErrno(err.cause)) return unavailable(call, message, err);
      return new PoolError("FORGE_ERROR", `${call} failed: ${desc}`, { cause: err });
    default:
      return new PoolError("FORGE_ERROR", `${call} failed: ${desc}`, { cause: err });
  }
}

const RETRYABLE: ReadonlySet<ErrorCode> = new Set(["FORGE_UNAVAILABLE"]);

/**
 * Whether repeating the same call later may succeed. FORGE_ERROR counts only when the forge reported a
 * server fault (Unknown/Internal: Gitea reports database hiccups that way), so bound those retries.
 */
export function isRetryable(err: PoolError): boolean {
  if (RETRYABLE.has(err.code)) return true;
  if (err.code !== "FORGE_ERROR") return false;
  if (!(err.cause instanceof ConnectError)) return false;
  const { code } = forgeStatusOf(err.cause);
  return code === Code.Unknown || code === Code.Internal;
}

function unavailable(call: string, message: string, cause: unknown): PoolError {
  return new PoolError(
    "FORGE_UNAVAILABLE",
    `${call} could not reach the forge: ${JSON.stringify(message)}; check the instance URL and network, it will be retried`,
    { cause },
  );
}

function codeFromName(name: string): Code | undefined {
  const value = (Code as unknown as Record<string, unknown>)[name];
  return typeof value === "number" ? (value as Code) : undefined;
}

function hasNetworkErrno(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERRNO.has(code)) return true;
    e = e.cause;
  }
  return false;
}
