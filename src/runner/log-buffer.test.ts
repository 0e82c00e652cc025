import assert from "node:assert/strict";
import { test } from "node:test";
import { LogBuffer } from "./log-buffer.js";

function filled(n: number): LogBuffer {
  const b = new LogBuffer();
  for (let i = 0; i < n; i++) b.push({ time: new Date(), content: `r${i}` });
  return b;
}

test("a full ack drops the sent rows", () => {
  const b = filled(5);
  const out = b.applyAck(0, 3, 3);
  assert.deepEqual(out, { complete: true, progressed: true, lost: 0, overAcked: false });
  assert.equal(b.acked, 3);
  assert.deepEqual(
    b.chunk(10, 1e6).map((r) => r.content),
    ["r3", "r4"],
  );
});

test("a short ack keeps the unaccepted rows for a resend from the ack", () => {
  const b = filled(5);
  const out = b.applyAck(0, 5, 2);
  assert.equal(out.complete, false);
  assert.equal(b.acked, 2);
  assert.equal(b.chunk(10, 1e6)[0]?.content, "r2");
});

test("an ack above what was sent is clamped", () => {
  const b = filled(2);
  const out = b.applyAck(0, 2, 9);
  assert.equal(out.overAcked, true);
  assert.equal(b.acked, 2);
});

test("rows the forge lost after acknowledging them are refilled so later indexes stay right", () => {
  const b = filled(6);
  b.applyAck(0, 4, 4);
  const out = b.applyAck(4, 2, 1);
  assert.equal(out.lost, 3);
  assert.equal(b.acked, 1);
  assert.equal(b.total, 6);
  assert.match(b.chunk(10, 1e6)[0]?.content ?? "", /lost 3 log row/);
});

test("a chunk respects the row and byte budgets but always holds one row", () => {
  const b = filled(10);
  assert.equal(b.chunk(4, 1e6).length, 4);
  assert.equal(b.chunk(100, 1).length, 1);
});
