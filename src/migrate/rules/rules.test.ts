// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the fixtures are shell and workflow text, where ${...} is literal
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { auditWorkflow } from "../audit.js";
import type { RoleLabels } from "../role-labels.js";

const ROLES: RoleLabels[] = [
  { name: "linux", labels: ["self-hosted", "linux"] },
  { name: "android", labels: ["self-hosted", "android"] },
  { name: "iso", labels: ["self-hosted", "iso"], privileged: true },
];

/** A job with the given steps (each a YAML list entry already indented for `steps:`). */
function job(steps: string, head = "    runs-on: [self-hosted, linux]\n"): string {
  return `on: push\njobs:\n  build:\n${head}    steps:\n${steps}`;
}

function hits(text: string, rule: string, roles?: RoleLabels[]): string[] {
  return auditWorkflow("w.yml", text, roles ? { roles } : {})
    .filter((f) => f.ruleId === rule)
    .map((f) => `${f.line}:${f.col} ${f.severity}`);
}

describe("rsync-checkout", () => {
  const cases: Array<[string, string, string[]]> = [
    ["rsync -a", '      - run: rsync -a "$LOCAL_REPO/" "$GITHUB_WORKSPACE/"\n', ["6:14 error"]],
    [
      "rsync -av --delete with LOCAL_REPO on the job",
      "      - name: Checkout (local rsync)\n        run: rsync -av --delete ${LOCAL_REPO}/ .\n",
      ["7:14 error"],
    ],
    [
      "multi-line with excludes",
      "      - run: |\n          set -e\n          rsync -a --delete \\\n            --exclude '.git' \\\n            --exclude='*/build/' \\\n            \"${LOCAL_REPO}/\" \"${{ github.workspace }}/\"\n",
      ["8:11 error"],
    ],
    ["cp -a", '      - run: cp -a "$LOCAL_REPO/." "$GITHUB_WORKSPACE/"\n', ["6:14 error"]],
    ["a home directory source", "      - run: rsync -a ~/dev/koder/ ./\n", ["6:14 error"]],
    ["git clone of the worktree", "      - run: git clone /home/koder/dev/koder .\n", ["6:14 error"]],
    ["rsync of build output to a server", "      - run: rsync -avz dist/ deploy@web:/srv/site/\n", []],
    ["rsync from the worktree to a remote host", '      - run: rsync -a "$LOCAL_REPO/dist/" deploy@web:/srv/\n', []],
    ["a plain copy without -a or -r", '      - run: cp "$LOCAL_REPO/VERSION" .\n', []],
  ];
  for (const [name, steps, want] of cases) {
    test(`${want.length > 0 ? "flags" : "ignores"} ${name}`, () => {
      assert.deepEqual(hits(job(steps), "rsync-checkout"), want);
    });
  }
});

describe("local-repo-leftover", () => {
  test("reports a job-level LOCAL_REPO and a later use, but not uses inside the rsync step", () => {
    const text = job(
      '      - run: rsync -a "$LOCAL_REPO/" .\n      - run: |\n          make\n          cd "$LOCAL_REPO" && git describe\n',
      "    runs-on: [self-hosted, linux]\n    env:\n      LOCAL_REPO: /home/koder/dev/koder\n",
    );
    assert.deepEqual(hits(text, "local-repo-leftover"), ["6:7 error", "11:16 error"]);
  });

  test("reports LOCAL_REPO read through the env context", () => {
    assert.deepEqual(hits(job("      - run: echo ${{ env.LOCAL_REPO }}\n"), "local-repo-leftover"), ["6:27 error"]);
  });
});

describe("hardcoded-path", () => {
  const cases: Array<[string, string[]]> = [
    ["/home/koder/.ssh/id_ed25519", ["6:20 warning"]],
    ["/Users/koder/results", ["6:20 warning"]],
    ["~/dev/koder", ["6:20 warning"]],
    ["$HOME/src/tools", ["6:20 warning"]],
    ["/mnt/builds/cache", ["6:20 warning"]],
    ["https://example.org/home/koder/x", []],
    ["~/.cache/pip", []],
    ["${GITHUB_WORKSPACE}/home/x/", []],
  ];
  for (const [path, want] of cases) {
    test(`${want.length > 0 ? "flags" : "ignores"} ${path}`, () => {
      assert.deepEqual(hits(job(`      - run: ls -l ${path}\n`), "hardcoded-path"), want);
    });
  }
});

describe("unserved-label", () => {
  const head = (runsOn: string) => `    runs-on: ${runsOn}\n`;
  const steps = "      - run: echo\n";
  test("without a config flags GitHub-hosted labels at the label", () => {
    assert.deepEqual(hits(job(steps, head("[self-hosted, ubuntu-latest]")), "unserved-label"), ["4:28 error"]);
    assert.deepEqual(hits(job(steps, head("macos-14")), "unserved-label"), ["4:14 error"]);
    assert.deepEqual(hits(job(steps, head("windows-2022")), "unserved-label"), ["4:14 error"]);
    assert.deepEqual(hits(job(steps, head("[self-hosted, gpu]")), "unserved-label"), []);
  });

  test("with a config flags a label no role lists", () => {
    assert.deepEqual(hits(job(steps, head("[self-hosted, gpu]")), "unserved-label", ROLES), ["4:28 error"]);
    assert.deepEqual(hits(job(steps, head("[self-hosted, android]")), "unserved-label", ROLES), []);
  });

  test("with a config flags a set that no single role covers", () => {
    const [finding] = auditWorkflow("w.yml", job(steps, head("[linux, android]")), { roles: ROLES });
    assert.equal(finding?.ruleId, "unserved-label");
    assert.match(finding?.message ?? "", /no single role serves all/);
  });

  test("points at the matrix value a runs-on expression takes", () => {
    const text =
      "on: push\njobs:\n  b:\n    strategy:\n      matrix:\n        os: [linux, macos-latest]\n    runs-on: ${{ matrix.os }}\n    steps:\n      - run: echo\n";
    assert.deepEqual(hits(text, "unserved-label", ROLES), ["6:21 error"]);
  });

  test("notes a runs-on expression it cannot expand", () => {
    assert.deepEqual(hits(job(steps, head("${{ inputs.runner }}")), "unserved-label", ROLES), ["4:14 note"]);
  });
});

describe("host-mode-assumption", () => {
  test("flags sudo, package installs and writes outside the workspace", () => {
    const text = job(
      "      - run: |\n          sudo make install\n          apt-get install -y jq\n          echo x > /etc/motd\n          cp bin/tool /usr/local/bin/\n          systemctl restart docker\n",
    );
    assert.deepEqual(hits(text, "host-mode-assumption"), [
      "7:11 warning",
      "8:11 warning",
      "9:18 warning",
      "10:11 warning",
      "11:11 warning",
    ]);
  });

  test("allows apt-get install in a job with its own container", () => {
    const text = job("      - run: apt-get install -y jq\n", "    runs-on: linux\n    container: debian:trixie\n");
    assert.deepEqual(hits(text, "host-mode-assumption"), []);
  });

  test("allows sudo on a privileged role and commands sent over ssh", () => {
    const iso = job("      - run: sudo lb build\n", "    runs-on: [self-hosted, iso]\n");
    assert.deepEqual(hits(iso, "host-mode-assumption", ROLES), []);
    assert.deepEqual(hits(iso, "host-mode-assumption"), ["6:14 warning"]);
    assert.deepEqual(hits(job("      - run: ssh web 'sudo systemctl reload caddy'\n"), "host-mode-assumption"), []);
  });
});

describe("missing-checkout", () => {
  test("flags a job that builds without checking out", () => {
    assert.deepEqual(hits(job("      - run: make release\n"), "missing-checkout"), ["3:3 warning"]);
    assert.deepEqual(hits(job("      - uses: ./.github/actions/setup\n"), "missing-checkout"), ["3:3 warning"]);
  });

  test("accepts a checkout action, an rsync checkout or a git clone", () => {
    for (const first of [
      "      - uses: https://code.forgejo.org/actions/checkout@v4\n",
      '      - run: rsync -a "$LOCAL_REPO/" .\n',
      "      - run: git clone --depth 1 https://flow.example.org/org/repo.git .\n",
    ]) {
      assert.deepEqual(hits(job(`${first}      - run: make\n`), "missing-checkout"), [], first);
    }
  });

  test("ignores a job that only works on downloaded artifacts", () => {
    const steps = "      - uses: actions/download-artifact@v4\n      - run: scp dist/* web:/srv/\n";
    assert.deepEqual(hits(job(steps), "missing-checkout"), []);
  });
});

describe("submodules-on", () => {
  const checkout = (v: string) => `      - uses: actions/checkout@v4\n        with:\n          submodules: ${v}\n`;
  test("flags submodules: true and recursive at the value", () => {
    assert.deepEqual(hits(job(checkout("true")), "submodules-on"), ["8:23 warning"]);
    assert.deepEqual(hits(job(checkout("'recursive'")), "submodules-on"), ["8:23 warning"]);
  });
  test("accepts submodules: false", () => {
    assert.deepEqual(hits(job(checkout("false")), "submodules-on"), []);
  });
});

describe("yaml-syntax", () => {
  test("reports a YAML error at its position instead of throwing", () => {
    const findings = auditWorkflow("w.yml", "on: push\njobs:\n  a:\n    runs-on: [linux\n    steps: []\n");
    assert.ok(findings.length > 0);
    assert.ok(findings.every((f) => f.ruleId === "yaml-syntax" && f.severity === "error" && f.line >= 4));
  });

  test("reports duplicate keys", () => {
    const [f] = auditWorkflow("w.yml", "on: push\non: pull_request\njobs: {}\n");
    assert.equal(`${f?.ruleId} ${f?.line}:${f?.col}`, "yaml-syntax 2:1");
  });
});

describe("unnamed-guarded-role", () => {
  const roles: RoleLabels[] = [...ROLES, { name: "deploy", labels: ["self-hosted", "deploy"], guarded: true }];
  const cases: Array<[string, string, string[]]> = [
    ["[self-hosted]", "    runs-on: [self-hosted]\n", ["4:14 error"]],
    ["no runs-on", "", ["3:3 error"]],
    ["a single self-hosted", "    runs-on: self-hosted\n", ["4:14 error"]],
    ["the role named", "    runs-on: [self-hosted, iso]\n", []],
    ["another role named", "    runs-on: [self-hosted, linux]\n", []],
  ];
  for (const [name, head, want] of cases) {
    test(`${want.length > 0 ? "flags" : "ignores"} ${name}`, () => {
      assert.deepEqual(hits(job("      - run: make\n", head), "unnamed-guarded-role", roles), want);
    });
  }

  test("without guarded roles in the pool nothing is flagged", () => {
    const plain = ROLES.filter((r) => r.privileged !== true);
    assert.deepEqual(
      hits(job("      - run: make\n", "    runs-on: [self-hosted]\n"), "unnamed-guarded-role", plain),
      [],
    );
  });

  test("the finding names every guarded role the job could reach", () => {
    const [f] = auditWorkflow("w.yml", job("      - run: make\n", ""), { roles }).filter(
      (x) => x.ruleId === "unnamed-guarded-role",
    );
    assert.match(f?.message ?? "", /"iso", "deploy" also match without being named/);
  });
});
