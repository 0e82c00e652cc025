import assert from "node:assert/strict";
import { test } from "node:test";
import { until } from "../../../test/support/coordinator-harness.js";
import { TokenPool } from "./token-pool.js";
import { verifyToken } from "./tokens.js";

test("the pool hashes tokens in the background and refills after a take", async () => {
  const pool = new TokenPool(2);
  try {
    await until(() => pool.ready === 2);
    const t = pool.take();
    assert.equal(pool.ready, 1);
    assert.match(t.token, /^[0-9a-f]{40}$/);
    assert.equal(t.lastEight, t.token.slice(-8));
    assert.equal(verifyToken(t.token, t.salt, t.hash), true);
    await until(() => pool.ready === 2);
  } finally {
    pool.close();
  }
});

test("an empty pool still hands out distinct valid tokens at once", () => {
  const pool = new TokenPool(1);
  try {
    const taken = Array.from({ length: 4 }, () => pool.take());
    assert.equal(new Set(taken.map((t) => t.token)).size, 4);
    for (const t of taken) assert.equal(verifyToken(t.token, t.salt, t.hash), true);
  } finally {
    pool.close();
  }
});
