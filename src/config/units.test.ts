import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDuration, parseSize } from "./units.js";

test("durations combine units and reject bare numbers", () => {
  assert.equal(parseDuration("10m"), 600_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("10"), undefined);
  assert.equal(parseDuration("m"), undefined);
  assert.equal(parseDuration(""), undefined);
});

test("sizes use binary units like docker --memory", () => {
  assert.equal(parseSize("2GB"), 2 * 1024 ** 3);
  assert.equal(parseSize("512MiB"), 512 * 1024 ** 2);
  assert.equal(parseSize("1g"), 1024 ** 3);
  assert.equal(parseSize("4096"), 4096);
  assert.equal(parseSize("2 parsecs"), undefined);
});
