import assert from "node:assert/strict";
import { test } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { TOKEN_HEADER, UUID_HEADER } from "../../protocol/index.js";
import { openStore } from "../store/db.js";
import { RunnerAuth } from "./auth.js";
import { newSaltedToken } from "./tokens.js";

function setUp() {
  const store = openStore(":memory:");
  const secret = newSaltedToken();
  store.runners.insert(
    {
      uuid: "u-1",
      name: "r",
      tokenHash: secret.hash,
      tokenSalt: secret.salt,
      labels: [],
      version: "",
      ephemeral: false,
    },
    Date.now(),
  );
  const headers = (token: string) => new Headers({ [UUID_HEADER]: "u-1", [TOKEN_HEADER]: token });
  return { auth: new RunnerAuth(store), token: secret.token, headers };
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return "ok";
  } catch (err) {
    return Code[ConnectError.from(err).code];
  }
};

test("after repeated wrong tokens a runner's uuid turns unknown tokens away unhashed; its own still works", async () => {
  const { auth, token, headers } = setUp();
  assert.equal(await codeOf(auth.authenticate(headers(token))), "ok");
  const codes: (string | undefined)[] = [];
  for (let i = 0; i < 7; i++) codes.push(await codeOf(auth.authenticate(headers(`forged-${i}`))));
  assert.deepEqual(codes, [...Array(5).fill("Unauthenticated"), "ResourceExhausted", "ResourceExhausted"]);
  assert.equal(await codeOf(auth.authenticate(headers(token))), "ok", "the real runner is not locked out");
});

test("token checks run off the main thread: the event loop keeps turning during a check", async () => {
  const { auth, headers } = setUp();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  await Promise.all(Array.from({ length: 4 }, (_, i) => codeOf(auth.authenticate(headers(`forged-${i}`)))));
  clearInterval(timer);
  assert.ok(ticks > 0, "timers ran while the PBKDF2 checks were in flight");
});
