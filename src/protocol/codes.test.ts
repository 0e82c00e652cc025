import assert from "node:assert/strict";
import { test } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { type ErrorCode, PoolError } from "../lib/index.js";
import { forgeErrorFrom, forgeStatusOf, isRetryable } from "./codes.js";

const REAL_CODES: [Code, ErrorCode][] = [
  [Code.Unauthenticated, "FORGE_UNAUTHENTICATED"],
  [Code.Unavailable, "FORGE_UNAVAILABLE"],
  [Code.DeadlineExceeded, "FORGE_UNAVAILABLE"],
  [Code.ResourceExhausted, "FORGE_UNAVAILABLE"],
  [Code.Aborted, "FORGE_UNAVAILABLE"],
  [Code.NotFound, "FORGE_NOT_FOUND"],
  [Code.AlreadyExists, "FORGE_ALREADY_EXISTS"],
  [Code.InvalidArgument, "FORGE_INVALID_ARGUMENT"],
  [Code.Unimplemented, "FORGE_UNIMPLEMENTED"],
  [Code.PermissionDenied, "FORGE_ERROR"],
  [Code.Internal, "FORGE_ERROR"],
  [Code.Unknown, "FORGE_ERROR"],
  [Code.Canceled, "TASK_CANCELLED"],
];

test("maps each real connect code (Forgejo style) to its PoolError code", () => {
  for (const [code, want] of REAL_CODES) {
    assert.equal(forgeErrorFrom(new ConnectError("boom", code)).code, want, Code[code]);
  }
});

test("reads the gRPC code out of Gitea's Code.Unknown messages", () => {
  const cases: [string, ErrorCode][] = [
    ["Unauthenticated", "FORGE_UNAUTHENTICATED"],
    ["AlreadyExists", "FORGE_ALREADY_EXISTS"],
    ["NotFound", "FORGE_NOT_FOUND"],
    ["InvalidArgument", "FORGE_INVALID_ARGUMENT"],
    ["Unavailable", "FORGE_UNAVAILABLE"],
    ["Internal", "FORGE_ERROR"],
  ];
  for (const [name, want] of cases) {
    const err = new ConnectError(`rpc error: code = ${name} desc = something`, Code.Unknown);
    assert.equal(forgeErrorFrom(err).code, want, name);
  }
});

test("keeps the description and names the call in the message", () => {
  const err = new ConnectError("rpc error: code = Unauthenticated desc = unregistered runner", Code.Unknown);
  const pe = forgeErrorFrom(err, "FetchTask");
  assert.equal(pe.code, "FORGE_UNAUTHENTICATED");
  assert.match(pe.message, /^forge call "FetchTask" was refused: "unregistered runner"; /);
  assert.equal(pe.cause, err);
  assert.deepEqual(forgeStatusOf(err), { code: Code.Unauthenticated, message: "unregistered runner", parsed: true });
});

test("leaves a plain Gitea error text as FORGE_ERROR", () => {
  const pe = forgeErrorFrom(new ConnectError("runner registration token not found", Code.Unknown), "Register");
  assert.equal(pe.code, "FORGE_ERROR");
  assert.match(pe.message, /"runner registration token not found"/);
});

test("ignores an unknown gRPC code name in the message", () => {
  const err = new ConnectError("rpc error: code = Bogus desc = x", Code.Unknown);
  assert.equal(forgeErrorFrom(err).code, "FORGE_ERROR");
});

test("treats a Canceled read from a Gitea message as the server giving up, not our cancel", () => {
  const err = new ConnectError("rpc error: code = Canceled desc = context canceled", Code.Unknown);
  assert.equal(forgeErrorFrom(err).code, "FORGE_UNAVAILABLE");
});

test("maps an internal error caused by a refused connection to FORGE_UNAVAILABLE", () => {
  const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
  assert.equal(
    forgeErrorFrom(new ConnectError("fetch failed", Code.Internal, undefined, undefined, cause)).code,
    "FORGE_UNAVAILABLE",
  );
  assert.equal(forgeErrorFrom(cause).code, "FORGE_UNAVAILABLE");
});

test("maps abort errors to TASK_CANCELLED and passes PoolErrors through", () => {
  const abort = new DOMException("aborted", "AbortError");
  assert.equal(forgeErrorFrom(abort).code, "TASK_CANCELLED");
  const pe = new PoolError("CONFIG_INVALID", "x");
  assert.equal(forgeErrorFrom(pe), pe);
  assert.equal(forgeErrorFrom("weird").code, "FORGE_ERROR");
});

test("calls unavailability and server faults retryable, refusals not", () => {
  const retry = (e: ConnectError) => isRetryable(forgeErrorFrom(e));
  assert.equal(retry(new ConnectError("down", Code.Unavailable)), true);
  assert.equal(retry(new ConnectError("database is locked", Code.Unknown)), true);
  assert.equal(retry(new ConnectError("oops", Code.Internal)), true);
  assert.equal(retry(new ConnectError("rpc error: code = Unauthenticated desc = x", Code.Unknown)), false);
  assert.equal(retry(new ConnectError("no", Code.PermissionDenied)), false);
  assert.equal(retry(new ConnectError("old", Code.Unimplemented)), false);
  assert.equal(retry(new ConnectError("gone", Code.Canceled)), false);
  assert.equal(isRetryable(new PoolError("FORGE_ERROR", "no cause")), false);
});
