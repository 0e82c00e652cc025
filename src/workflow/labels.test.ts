import assert from "node:assert/strict";
import { test } from "node:test";
import { labelNames, parseLabel } from "./labels.js";

const cases: [string, ReturnType<typeof parseLabel>][] = [
  ["ubuntu-latest", { name: "ubuntu-latest", scheme: "host", arg: "" }],
  ["ubuntu-latest:host", { name: "ubuntu-latest", scheme: "host", arg: "" }],
  ["ubuntu-latest:docker://node:18-bullseye", { name: "ubuntu-latest", scheme: "docker", arg: "node:18-bullseye" }],
  [
    "ci:docker://docker.gitea.com/runner-images:ubuntu-latest",
    { name: "ci", scheme: "docker", arg: "docker.gitea.com/runner-images:ubuntu-latest" },
  ],
  ["x:docker", { name: "x", scheme: "docker", arg: "" }],
  ["pool:e57e01", { name: "pool:e57e01", scheme: "host", arg: "" }],
];

for (const [label, want] of cases) {
  test(`parses runner label '${label}'`, () => {
    assert.deepEqual(parseLabel(label), want);
  });
}

test("sends only the label names to the server", () => {
  assert.deepEqual(labelNames(["a:docker://node:20", "b:host", "c", "pool:x1"]), ["a", "b", "c", "pool:x1"]);
});
