import assert from "node:assert/strict";
import { test } from "node:test";
import { parseActionReference } from "./action-reference.js";

test("decodes local, docker, remote, sub-directory and full-URL references", () => {
  assert.deepEqual(parseActionReference("./.github/actions/x/"), {
    kind: "local",
    uses: "./.github/actions/x/",
    path: ".github/actions/x",
  });
  assert.deepEqual(parseActionReference("docker://alpine:3"), {
    kind: "docker",
    uses: "docker://alpine:3",
    image: "alpine:3",
  });
  assert.deepEqual(parseActionReference("actions/setup-node@v4"), {
    kind: "remote",
    uses: "actions/setup-node@v4",
    owner: "actions",
    repo: "setup-node",
    path: "",
    ref: "v4",
  });
  assert.deepEqual(parseActionReference("org/tools/lint/go@0123abc"), {
    kind: "remote",
    uses: "org/tools/lint/go@0123abc",
    owner: "org",
    repo: "tools",
    path: "lint/go",
    ref: "0123abc",
  });
  assert.deepEqual(parseActionReference("https://code.forgejo.org/actions/cache@v4"), {
    kind: "remote",
    uses: "https://code.forgejo.org/actions/cache@v4",
    baseUrl: "https://code.forgejo.org",
    owner: "actions",
    repo: "cache",
    path: "",
    ref: "v4",
  });
});

test("rejects references without @ref, without owner/repo, or with an empty image", () => {
  assert.throws(() => parseActionReference("actions/checkout"), /the '@ref' .* is missing/);
  assert.throws(() => parseActionReference("checkout@v4"), /it is not 'owner\/repo@ref'/);
  assert.throws(() => parseActionReference("owner/re po@v1"), /not a valid action reference/);
  assert.throws(() => parseActionReference("docker://"), /image after 'docker:\/\/' is missing/);
});
