import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { payloadWithSteps, runTestJob } from "../../test/support/run-test-job.js";
import { createSandboxBackend, isSandboxAvailable } from "./backends/sandbox.js";

const skip = (await isSandboxAvailable())
  ? false
  : "bubblewrap (/usr/bin/bwrap) is missing or cannot create namespaces here";

const payload = payloadWithSteps(`
- id: first
  run: |
    echo "pwd=$PWD ws=$GITHUB_WORKSPACE"
    echo "uid=$(id -u)"
    echo "out=from-sandbox" >> "$GITHUB_OUTPUT"
    echo "CARRY=over" >> "$GITHUB_ENV"
    test -r "$GITHUB_EVENT_PATH" && echo event-readable
- run: echo "\${{ steps.first.outputs.out }} $CARRY"`);

describe("runJob on the sandbox backend", { skip }, () => {
  test("runs steps at /workspace with working file commands", async () => {
    const { outcome, sink, leftovers } = await runTestJob(payload, {
      backend: (workdirParent) => createSandboxBackend({ workdirParent }),
    });
    assert.equal(outcome.result, "success", sink.text);
    for (const line of ["pwd=/workspace ws=/workspace", "event-readable", "from-sandbox over"]) {
      assert.ok(sink.lines.includes(line), `${line} in\n${sink.text}`);
    }
    assert.deepEqual(leftovers, []);
  });

  test("file commands work when steps run as another uid", {
    skip: process.getuid?.() !== 0 && "needs root",
  }, async () => {
    const { outcome, sink } = await runTestJob(payload, {
      backend: (workdirParent) => createSandboxBackend({ workdirParent, uid: 12345 }),
    });
    assert.equal(outcome.result, "success", sink.text);
    assert.ok(sink.lines.includes("uid=12345"), sink.text);
    assert.ok(sink.lines.includes("from-sandbox over"), sink.text);
  });

  test("JavaScript and composite actions run inside the sandbox with the host's Node", async () => {
    const seed = await mkdtemp(join(tmpdir(), "sandbox-seed-"));
    try {
      await mkdir(join(seed, "js"));
      await writeFile(join(seed, "js/action.yml"), "runs:\n  using: node20\n  main: m.js\n  post: p.js\n");
      await writeFile(join(seed, "js/m.js"), "console.log('js in', process.env.GITHUB_ACTION_PATH, process.cwd());\n");
      await writeFile(join(seed, "js/p.js"), "console.log('post in sandbox');\n");
      await mkdir(join(seed, "comp"));
      await writeFile(
        join(seed, "comp/action.yml"),
        "runs:\n  using: composite\n  steps:\n    - shell: sh\n      run: echo composite at $GITHUB_ACTION_PATH\n    - uses: ./js\n",
      );
      const { outcome, sink } = await runTestJob(payloadWithSteps("- uses: ./comp"), {
        backend: (workdirParent) => createSandboxBackend({ workdirParent }),
        seedWorkspace: seed,
      });
      assert.equal(outcome.result, "success", sink.text);
      for (const line of ["composite at /workspace/comp", "js in /workspace/js /workspace", "post in sandbox"]) {
        assert.ok(sink.lines.includes(line), `${line} in\n${sink.text}`);
      }
    } finally {
      await rm(seed, { recursive: true, force: true });
    }
  });
});
