import assert from "node:assert/strict";
import { test } from "node:test";
import { labelNames, labelsCover, parseLabel } from "./labels.js";

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

const covers: { name: string; runsOn: string[]; labels: string[]; covered: boolean }[] = [
  { name: "an exact single label", runsOn: ["linux"], labels: ["linux"], covered: true },
  { name: "case matters: Linux is not linux", runsOn: ["Linux"], labels: ["linux"], covered: false },
  {
    name: "every runs-on entry is a label",
    runsOn: ["self-hosted", "linux"],
    labels: ["linux", "self-hosted"],
    covered: true,
  },
  {
    name: "one runs-on entry missing",
    runsOn: ["self-hosted", "iso"],
    labels: ["self-hosted", "linux"],
    covered: false,
  },
  { name: "extra runner labels are fine", runsOn: ["linux"], labels: ["linux", "x64", "docker"], covered: true },
  { name: "an empty runs-on is covered by every runner (Gitea)", runsOn: [], labels: ["linux"], covered: true },
  { name: "an empty runs-on is covered by a runner without labels", runsOn: [], labels: [], covered: true },
  { name: "a runner without labels covers nothing named", runsOn: ["linux"], labels: [], covered: false },
  {
    name: "no globbing or scheme parsing",
    runsOn: ["ubuntu-latest"],
    labels: ["ubuntu-latest:docker://node:20"],
    covered: false,
  },
];

for (const c of covers) {
  test(`labels cover runs-on: ${c.name}`, () => {
    assert.equal(labelsCover(c.runsOn, c.labels), c.covered);
  });
}
