import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { expandMatrix, goSprint, matrixName } from "./matrix.js";

describe("expandMatrix", () => {
  includeExcludeTests();
  edgeAndLimitTests();
});

/** How include and exclude shape the product, as the GitHub docs describe it. */
function includeExcludeTests(): void {
  test("builds the product with the first key varying slowest", () => {
    assert.deepEqual(expandMatrix({ os: ["linux", "mac"], node: [18, 20] }), [
      { os: "linux", node: 18 },
      { os: "linux", node: 20 },
      { os: "mac", node: 18 },
      { os: "mac", node: 20 },
    ]);
  });

  test("extends only the combinations an include entry matches (GitHub docs example)", () => {
    const combos = expandMatrix({
      os: ["windows-latest", "ubuntu-latest"],
      node: [14, 16],
      include: [{ os: "windows-latest", node: 16, npm: 6 }],
    });
    assert.deepEqual(combos, [
      { os: "windows-latest", node: 14 },
      { os: "windows-latest", node: 16, npm: 6 },
      { os: "ubuntu-latest", node: 14 },
      { os: "ubuntu-latest", node: 16 },
    ]);
  });

  test("follows the fruit and animal include example from the GitHub docs exactly", () => {
    const combos = expandMatrix({
      fruit: ["apple", "pear"],
      animal: ["cat", "dog"],
      include: [
        { color: "green" },
        { color: "pink", animal: "cat" },
        { fruit: "apple", shape: "circle" },
        { fruit: "banana" },
        { fruit: "banana", animal: "cat" },
      ],
    });
    assert.deepEqual(combos, [
      { fruit: "apple", animal: "cat", color: "pink", shape: "circle" },
      { fruit: "apple", animal: "dog", color: "green", shape: "circle" },
      { fruit: "pear", animal: "cat", color: "pink" },
      { fruit: "pear", animal: "dog", color: "green" },
      { fruit: "banana" },
      { fruit: "banana", animal: "cat" },
    ]);
  });

  test("never overwrites an original matrix value with an include value", () => {
    const combos = expandMatrix({ os: ["a", "b"], include: [{ os: "c", extra: 1 }] });
    assert.deepEqual(combos, [{ os: "a" }, { os: "b" }, { os: "c", extra: 1 }]);
  });

  test("removes combinations that match an exclude entry partially", () => {
    const combos = expandMatrix({
      os: ["macos-latest", "windows-latest"],
      version: [12, 14, 16],
      environment: ["staging", "production"],
      exclude: [
        { os: "macos-latest", version: 12, environment: "production" },
        { os: "windows-latest", version: 16 },
      ],
    });
    assert.equal(combos.length, 9);
    assert.ok(!combos.some((c) => c.os === "windows-latest" && c.version === 16));
    assert.ok(!combos.some((c) => c.os === "macos-latest" && c.version === 12 && c.environment === "production"));
    assert.ok(combos.some((c) => c.os === "macos-latest" && c.version === 12 && c.environment === "staging"));
  });

  test("applies exclude before include, so an include can add back an excluded combination", () => {
    const combos = expandMatrix({ os: ["a", "b"], exclude: [{ os: "b" }], include: [{ os: "b", note: "back" }] });
    assert.deepEqual(combos, [{ os: "a" }, { os: "b", note: "back" }]);
  });
}

/** Matrices without vectors, object values, overwrites, and what is rejected. */
function edgeAndLimitTests(): void {
  test("turns every include entry into its own combination when there are no vectors", () => {
    const combos = expandMatrix({
      include: [
        { site: "production", datacenter: "site-a" },
        { site: "staging", datacenter: "site-b" },
      ],
    });
    assert.deepEqual(combos, [
      { site: "production", datacenter: "site-a" },
      { site: "staging", datacenter: "site-b" },
    ]);
  });

  test("matches object values in include and exclude by deep equality", () => {
    const combos = expandMatrix({
      cfg: [{ a: 1 }, { a: 2 }, { a: 3 }],
      exclude: [{ cfg: { a: 3 } }],
      include: [{ cfg: { a: 1 }, x: "y" }],
    });
    assert.deepEqual(combos, [{ cfg: { a: 1 }, x: "y" }, { cfg: { a: 2 } }]);
  });

  test("lets a later include overwrite a value added by an earlier include", () => {
    const combos = expandMatrix({ os: ["a", "b"], include: [{ color: "green" }, { os: "a", color: "pink" }] });
    assert.deepEqual(combos, [
      { os: "a", color: "pink" },
      { os: "b", color: "green" },
    ]);
  });

  test("rejects an exclude key that is not a vector", () => {
    assert.throws(() => expandMatrix({ os: ["a"], exclude: [{ arch: "x" }] }), /exclude' key 'arch'/);
  });

  test("rejects an empty vector, a scalar vector and a non-mapping matrix", () => {
    assert.throws(() => expandMatrix({ os: [] }), /vector 'os' is empty/);
    assert.throws(() => expandMatrix({ os: "linux" }), /vector 'os' is not a list/);
    assert.throws(() => expandMatrix("x"), /is not a mapping/);
    assert.throws(() => expandMatrix({ os: ["a"], include: ["x"] }), /'include' entry "x" is not a mapping/);
  });

  test("rejects a matrix where everything is excluded", () => {
    assert.throws(() => expandMatrix({ os: ["a"], exclude: [{ os: "a" }] }), /no combinations/);
  });

  test("rejects more than 256 combinations", () => {
    const values = Array.from({ length: 17 }, (_, i) => i);
    assert.throws(() => expandMatrix({ a: values, b: values }), /289 combinations/);
  });
}

describe("matrixName", () => {
  test("lists values in sorted key order like Gitea", () => {
    assert.equal(matrixName({ os: "linux", node: 18 }), "(18, linux)");
  });

  test("formats nested values like Go's fmt.Sprint", () => {
    assert.equal(goSprint({ b: [1, "x"], a: null }), "map[a:<nil> b:[1 x]]");
    assert.equal(goSprint(true), "true");
  });
});
