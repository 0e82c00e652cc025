import assert from "node:assert/strict";
import { test } from "node:test";
import { canMatchLabels } from "./match.js";

const cases: { name: string; runsOn: string[]; labels: string[]; match: boolean }[] = [
  { name: "exact single label", runsOn: ["linux"], labels: ["linux"], match: true },
  { name: "case-sensitive: Linux is not linux", runsOn: ["Linux"], labels: ["linux"], match: false },
  {
    name: "subset: every runs-on entry is a runner label",
    runsOn: ["self-hosted", "linux"],
    labels: ["linux", "self-hosted"],
    match: true,
  },
  { name: "one runs-on entry missing", runsOn: ["self-hosted", "iso"], labels: ["self-hosted", "linux"], match: false },
  { name: "extra runner labels are fine", runsOn: ["linux"], labels: ["linux", "x64", "docker"], match: true },
  { name: "empty runs-on matches every runner (Gitea)", runsOn: [], labels: ["linux"], match: true },
  { name: "empty runs-on matches a runner without labels", runsOn: [], labels: [], match: true },
  { name: "runner without labels serves nothing named", runsOn: ["linux"], labels: [], match: false },
  {
    name: "no globbing or scheme parsing",
    runsOn: ["ubuntu-latest"],
    labels: ["ubuntu-latest:docker://node:20"],
    match: false,
  },
];

for (const c of cases) {
  test(`label matching: ${c.name}`, () => {
    assert.equal(canMatchLabels(c.runsOn, c.labels), c.match);
  });
}
