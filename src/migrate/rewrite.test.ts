import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type RewriteOptions, rewriteWorkflow } from "./rewrite.js";
import type { RoleLabels } from "./role-labels.js";

const ROLES: RoleLabels[] = [
  { name: "linux", labels: ["self-hosted", "linux"] },
  { name: "android", labels: ["self-hosted", "android"] },
];

function rewrite(text: string, options: RewriteOptions = { roles: ROLES }): string {
  const out = rewriteWorkflow("w.yml", text, options);
  assert.ok(out.ok, "expected valid YAML");
  return out.text;
}

// Odd but valid formatting everywhere the rewrite does not reach: it must survive byte for byte.
const ODD = `%YAML 1.2
---
# header comment   with   spacing
"name":   'Odd  release'   # trailing
'on':
  push: { tags: [ "odd-v*" ] }
env: &top
    KEEP_ME: "yes"     # quoted, aligned
    LOCAL_REPO:   /home/koder/dev/koder
jobs:

    build:
        runs-on:   ubuntu-latest     # GitHub label
        env: *top
        steps:
            # step comment kept
            -   id: co
                name: "Checkout (local rsync)"
                if: \${{ github.event_name == 'push' }}
                run: |
                    rsync -a --delete "\${LOCAL_REPO}/" "\${GITHUB_WORKSPACE}/"

            -   name: Build   # inline
                run: >
                    make
                    all
...
`;

test("changes only the rsync step, the LOCAL_REPO entry and runs-on; every other byte stays", () => {
  const want = ODD.replace("    LOCAL_REPO:   /home/koder/dev/koder\n", "")
    .replace("runs-on:   ubuntu-latest", "runs-on:   [self-hosted, linux]")
    .replace(
      `id: co
                name: "Checkout (local rsync)"
                if: \${{ github.event_name == 'push' }}
                run: |
                    rsync -a --delete "\${LOCAL_REPO}/" "\${GITHUB_WORKSPACE}/"`,
      `id: co
                name: Checkout
                if: \${{ github.event_name == 'push' }}
                uses: actions/checkout@v4
                with:
                    fetch-depth: 1
                    filter: blob:none
                    submodules: false`,
    );
  assert.notEqual(want, ODD);
  assert.equal(rewrite(ODD), want);
});

test("running the rewrite on its own output changes nothing", () => {
  const once = rewrite(ODD);
  assert.equal(rewrite(once), once);
});

test("keeps CRLF line endings in the lines it writes", () => {
  const text =
    'on: push\r\njobs:\r\n  a:\r\n    runs-on: linux\r\n    steps:\r\n      - run: rsync -a "$LOCAL_REPO/" .\r\n      - run: make\r\n';
  const out = rewrite(text);
  assert.ok(!/[^\r]\n/.test(out), JSON.stringify(out));
  assert.match(out, /uses: actions\/checkout@v4\r\n {8}with:\r\n {10}fetch-depth: 1\r\n/);
});

describe("labels", () => {
  const wf = (runsOn: string) => `on: push\njobs:\n  a:\n    runs-on: ${runsOn}\n    steps:\n      - run: echo\n`;

  test("--label-map maps without a config", () => {
    assert.equal(rewrite(wf("ubuntu-latest"), { labelMap: { "ubuntu-latest": "linux" } }), wf("[self-hosted, linux]"));
  });

  test("without a label map or a config labels stay as they are", () => {
    assert.equal(rewrite(wf("ubuntu-latest"), {}), wf("ubuntu-latest"));
  });

  test("the config maps ubuntu-* to the role named linux and keeps the list style and quotes", () => {
    assert.equal(rewrite(wf('["ubuntu-22.04"]')), wf('["self-hosted", "linux"]'));
    assert.equal(
      rewrite(wf("\n      - self-hosted\n      - ubuntu-latest")),
      wf("\n      - self-hosted\n      - linux"),
    );
  });

  test("a label set a role already serves is left alone", () => {
    assert.equal(rewrite(wf("[self-hosted, android]")), wf("[self-hosted, android]"));
  });

  test("an anchored runs-on is rewritten once, where it is defined", () => {
    const text = `on: push\njobs:\n  a:\n    runs-on: &r ubuntu-latest\n    steps: [{run: echo}]\n  b:\n    runs-on: *r\n    steps: [{run: echo}]\n`;
    assert.equal(rewrite(text), text.replace("&r ubuntu-latest", "&r [self-hosted, linux]"));
  });
});

describe("checkout steps", () => {
  const wf = (steps: string, jobEnv = "") =>
    `on: push\njobs:\n  a:\n    runs-on: [self-hosted, linux]\n${jobEnv}    steps:\n${steps}      - run: make\n`;

  test("a step that also runs other commands is left, with a note saying why", () => {
    const text = wf(
      '      - run: |\n          rsync -a "$LOCAL_REPO/" .\n          make prepare\n',
      "    env:\n      LOCAL_REPO: /x\n",
    );
    const out = rewriteWorkflow("w.yml", text, { roles: ROLES });
    assert.ok(out.ok);
    assert.equal(out.text, text);
    assert.deepEqual(
      out.notes.map((n) => `${n.line}:${n.col} ${n.message}`),
      ["6:7 LOCAL_REPO kept: still read at line 9", '9:11 step 1 of job "a" not replaced: it also runs "make prepare"'],
    );
  });

  test("variables only the removed script read go with it; others stay", () => {
    const text = wf(
      '      - name: Sync\n        env:\n          LOCAL_REPO: /x\n          FLAGS: -a\n          GIT_TRACE: "1"\n        run: rsync $FLAGS "$LOCAL_REPO/" .\n',
    );
    assert.equal(
      rewrite(text),
      wf(
        '      - name: Checkout\n        env:\n          GIT_TRACE: "1"\n        uses: actions/checkout@v4\n        with:\n          fetch-depth: 1\n          filter: blob:none\n          submodules: false\n',
      ),
    );
  });

  test("a step without a name gets name: Checkout", () => {
    const out = rewrite(wf("      - run: cp -a $LOCAL_REPO/. .\n"));
    assert.match(out, / {6}- name: Checkout\n {8}uses: actions\/checkout@v4\n/);
  });

  test("comments explaining the workaround go with the LOCAL_REPO entry; others stay", () => {
    const env =
      "    env:\n      # build flags\n      CGO: '0'\n      # TLS drops, so rsync from the local clone\n      LOCAL_REPO: /x\n";
    const out = rewrite(wf('      - run: rsync -a "$LOCAL_REPO/" .\n', env));
    assert.match(out, / {4}env:\n {6}# build flags\n {6}CGO: '0'\n {4}steps:\n/);
  });
});

describe("v2 copies", () => {
  const wf = (name: string) => `${name}on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n`;

  test("suffix the workflow name, keeping its quotes", () => {
    assert.match(rewrite(wf("name: 'Probe release'\n"), { roles: ROLES, v2: true }), /^name: 'Probe release \(v2\)'\n/);
    assert.match(rewrite(wf("name: Probe release\n"), { roles: ROLES, v2: true }), /^name: Probe release \(v2\)\n/);
  });

  test("get a name when the workflow has none", () => {
    const out = rewriteWorkflow(".gitea/workflows/probe-release.yml", wf(""), { roles: ROLES, v2: true });
    assert.ok(out.ok);
    assert.match(out.text, /^name: probe-release \(v2\)\non: push\n/);
  });

  test("are not renamed when nothing else changes", () => {
    const text = wf("name: x\n").replace("ubuntu-latest", "[self-hosted, linux]");
    assert.equal(rewrite(text, { roles: ROLES, v2: true }), text);
  });
});

test("a malformed workflow comes back as problems with positions and no text", () => {
  const out = rewriteWorkflow("w.yml", "on: push\njobs:\n  a:\n    runs-on: [linux\n    steps:\n", { roles: ROLES });
  assert.equal(out.ok, false);
  assert.ok(!out.ok && out.problems.length > 0 && (out.problems[0]?.line ?? 0) >= 4);
});
