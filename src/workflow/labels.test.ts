import assert from "node:assert/strict";
import { test } from "node:test";
import { exclusiveLabels, labelNames, labelsCover, parseLabel, routes } from "./labels.js";

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

const guarded = new Set(["iso", "deploy"]);
const routing: { name: string; runsOn: string[]; labels: string[]; routed: boolean }[] = [
  {
    name: "a plain runner takes what its labels cover",
    runsOn: ["self-hosted"],
    labels: ["self-hosted", "linux"],
    routed: true,
  },
  {
    name: "a guarded runner does not take [self-hosted]",
    runsOn: ["self-hosted"],
    labels: ["self-hosted", "iso"],
    routed: false,
  },
  {
    name: "a guarded runner does not take a job without runs-on",
    runsOn: [],
    labels: ["self-hosted", "deploy"],
    routed: false,
  },
  {
    name: "a guarded runner takes a job that names it",
    runsOn: ["self-hosted", "iso"],
    labels: ["self-hosted", "iso"],
    routed: true,
  },
  { name: "naming another guarded label is not enough", runsOn: ["deploy"], labels: ["deploy", "iso"], routed: true },
  {
    name: "naming it does not lift label cover",
    runsOn: ["iso", "gpu"],
    labels: ["self-hosted", "iso"],
    routed: false,
  },
];

for (const c of routing) {
  test(`routing: ${c.name}`, () => {
    assert.equal(routes(c.runsOn, c.labels, guarded), c.routed);
  });
}

test("a role's exclusive labels are those no other role has", () => {
  const roles = [
    { name: "linux", labels: ["self-hosted", "linux"], guarded: false },
    { name: "iso", labels: ["self-hosted", "iso"], guarded: true },
    { name: "both", labels: ["linux", "iso"], guarded: false },
  ];
  assert.deepEqual(exclusiveLabels(roles[0]!, roles), []);
  assert.deepEqual(exclusiveLabels(roles[1]!, roles.slice(0, 2)), ["iso"]);
  assert.deepEqual(exclusiveLabels(roles[1]!, roles), []);
  assert.deepEqual(exclusiveLabels(roles[1]!, [roles[1]!]), ["iso"], "self-hosted names no role, even alone");
});
