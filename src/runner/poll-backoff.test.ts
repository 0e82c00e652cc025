import assert from "node:assert/strict";
import { test } from "node:test";
import { pollBackoff } from "./poll-backoff.js";

const cases: { name: string; streak: number; random: number; want: number }[] = [
  { name: "first empty poll waits the interval", streak: 1, random: 0.5, want: 2000 },
  { name: "two in a row, doubled", streak: 2, random: 0.5, want: 4000 },
  { name: "three in a row, capped at the max", streak: 3, random: 0.5, want: 5000 },
  { name: "a long streak stays at the max", streak: 40, random: 0.5, want: 5000 },
  { name: "lowest jitter is 20 % below", streak: 1, random: 0, want: 1600 },
  { name: "highest jitter approaches 20 % above", streak: 3, random: 0.999999, want: 6000 },
];

for (const c of cases) {
  test(`poll backoff: ${c.name}`, () => {
    assert.equal(pollBackoff(c.streak, { baseMs: 2000, maxMs: 5000, random: () => c.random }), c.want);
  });
}

test("poll backoff never goes below the interval when the max is set lower", () => {
  assert.equal(pollBackoff(3, { baseMs: 2000, maxMs: 100, random: () => 0.5 }), 2000);
});
