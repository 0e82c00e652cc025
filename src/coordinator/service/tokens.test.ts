import assert from "node:assert/strict";
import { pbkdf2Sync } from "node:crypto";
import { test } from "node:test";
import { hashToken, newSaltedToken, verifyToken } from "./tokens.js";

test("a runner token is 40 lowercase hex chars with a 10-char salt", () => {
  const t = newSaltedToken();
  assert.match(t.token, /^[0-9a-f]{40}$/);
  assert.match(t.salt, /^[A-Za-z0-9]{10}$/);
  assert.equal(t.lastEight, t.token.slice(-8));
});

test("the hash is Gitea's PBKDF2-HMAC-SHA256 with 10000 iterations and 50 bytes", () => {
  const expected = pbkdf2Sync("abc", "salt123456", 10_000, 50, "sha256").toString("hex");
  assert.equal(hashToken("abc", "salt123456"), expected);
  assert.equal(expected.length, 100);
});

test("verifyToken accepts the token and refuses any other", () => {
  const t = newSaltedToken();
  assert.equal(verifyToken(t.token, t.salt, t.hash), true);
  const other = `${t.token.slice(0, -1)}${t.token.endsWith("0") ? "1" : "0"}`;
  assert.equal(verifyToken(other, t.salt, t.hash), false);
  assert.equal(verifyToken(t.token, "otherSalt0", t.hash), false);
});
