import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { RecordingSink } from "../../test/support/recording-sink.js";
import { payloadWithSteps, runTestJob } from "../../test/support/run-test-job.js";
import type { Backend } from "./backend.js";
import { createHostBackend } from "./backends/host.js";
import { runJob } from "./run-job.js";

test("a step over its timeout-minutes is killed and fails with a timed-out line", async () => {
  const started = Date.now();
  const { outcome, sink } = await runTestJob(
    payloadWithSteps(`
- timeout-minutes: 0.02
  run: sleep 30
- if: always()
  run: echo after`),
  );
  assert.ok(Date.now() - started < 10_000, "did not wait for sleep 30");
  assert.equal(outcome.result, "failure");
  assert.deepEqual(outcome.steps[0], { name: "Run sleep 30", result: "failure", outcome: "failure" });
  assert.ok(sink.lines.includes("::error::The step timed out after 0.02 minutes."), sink.text);
  assert.ok(sink.lines.includes("after"), "later always() steps still run");
});

test("a job over its timeout-minutes fails, later steps are cancelled unless always()", async () => {
  const started = Date.now();
  const { outcome, sink } = await runTestJob(
    payloadWithSteps(
      `
- run: sleep 30
- run: echo never
- if: always()
  run: echo cleanup`,
      "timeout-minutes: 0.02",
    ),
  );
  assert.ok(Date.now() - started < 10_000);
  assert.equal(outcome.result, "failure");
  assert.deepEqual(
    outcome.steps.map((s) => s.result),
    ["failure", "cancelled", "success"],
  );
  assert.ok(sink.lines.includes("::error::The job timed out after 0.02 minutes."), sink.text);
  assert.ok(sink.lines.includes("cleanup"));
});

test("cancelling kills the running step within 2 s; the rest is cancelled unless always()/cancelled()", async () => {
  const ac = new AbortController();
  const sink = new RecordingSink();
  let abortedAt = 0;
  sink.onLine = (line) => {
    if (line === "started") {
      abortedAt = Date.now();
      ac.abort();
    }
  };
  const { outcome } = await runTestJob(
    payloadWithSteps(`
- run: |
    echo started
    sleep 1000 &
    sleep 1000
- run: echo never
- if: cancelled()
  run: echo "cancelled() \${{ job.status }}"
- if: always()
  run: echo always-ran`),
    { signal: ac.signal, sink },
  );
  assert.ok(abortedAt > 0, sink.text);
  assert.ok(Date.now() - abortedAt < 3000, "the job ended soon after the cancel");
  assert.equal(outcome.result, "cancelled");
  assert.deepEqual(
    outcome.steps.map((s) => s.result),
    ["cancelled", "cancelled", "success", "success"],
  );
  assert.ok(sink.lines.includes("cancelled() cancelled"), sink.text);
  assert.ok(sink.lines.includes("always-ran"));
  assert.ok(!sink.lines.includes("never"));
});

test("an always() step after a cancel is cut off at the cancel timeout", async () => {
  const ac = new AbortController();
  const sink = new RecordingSink();
  sink.onLine = (line) => {
    if (line === "started") ac.abort();
  };
  const parent = await mkdtemp(join(tmpdir(), "cancel-timeout-"));
  const started = Date.now();
  try {
    const outcome = await runJob({
      request: {
        payload: payloadWithSteps("- run: echo started; sleep 1000\n- if: always()\n  run: sleep 1000"),
        context: {},
        secrets: {},
        vars: {},
        needs: {},
      },
      backend: createHostBackend({ workdirParent: parent }),
      sink,
      signal: ac.signal,
      cancelTimeoutMs: 300,
    });
    assert.equal(outcome.result, "cancelled");
    assert.deepEqual(
      outcome.steps.map((s) => s.result),
      ["cancelled", "cancelled"],
    );
    assert.ok(Date.now() - started < 5000);
  } finally {
    spawnSync("rm", ["-rf", parent]);
  }
});

test("a job cancelled before it starts runs nothing", async () => {
  const ac = new AbortController();
  ac.abort();
  const { outcome, sink } = await runTestJob(payloadWithSteps("- run: echo hi"), { signal: ac.signal });
  assert.equal(outcome.result, "cancelled");
  assert.deepEqual(sink.finished, [{ index: 0, result: "cancelled", outcome: "cancelled" }]);
  assert.deepEqual(sink.started, []);
});

test("a cancel that arrives while the backend prepares cancels every step", async () => {
  const ac = new AbortController();
  const { outcome, sink } = await runTestJob(payloadWithSteps("- run: echo hi\n- if: success()\n  run: echo hi"), {
    signal: ac.signal,
    backend: (workdirParent) => {
      const host = createHostBackend({ workdirParent });
      return {
        name: "slow-host",
        prepare: async (options) => {
          const env = await host.prepare(options);
          ac.abort();
          return env;
        },
      };
    },
  });
  assert.equal(outcome.result, "cancelled");
  assert.deepEqual(
    outcome.steps.map((s) => s.result),
    ["cancelled", "cancelled"],
  );
  assert.ok(!sink.lines.includes("hi"));
});

test("a payload that is not YAML fails the job with a line naming the workflow file, line and column", async () => {
  const { outcome, sink } = await runTestJob("jobs: [unclosed");
  assert.equal(outcome.result, "failure");
  assert.ok(sink.lines.length > 0);
  // TEST_CONTEXT says the task came from ci.yml.
  assert.match(sink.lines[0] ?? "", /^::error::ci\.yml:\d+:\d+: invalid YAML/);
});

test("a payload with two jobs fails the job with a line naming the problem", async () => {
  const payload = "on: push\njobs:\n  a:\n    steps:\n      - run: echo a\n  b:\n    steps:\n      - run: echo b\n";
  const { outcome, sink } = await runTestJob(payload);
  assert.equal(outcome.result, "failure");
  assert.ok(
    sink.lines.some((l) => l.includes("has 2 jobs ('a', 'b')")),
    sink.text,
  );
});

test("a reusable-workflow caller job fails with a line saying it is not expanded here", async () => {
  const payload = "on: push\njobs:\n  call:\n    uses: ./.gitea/workflows/other.yml\n";
  const { outcome, sink } = await runTestJob(payload);
  assert.equal(outcome.result, "failure");
  assert.match(sink.text, /calls the reusable workflow '.\/.gitea\/workflows\/other.yml'/);
});

test("an empty payload fails the job with a line", async () => {
  const { outcome, sink } = await runTestJob("");
  assert.equal(outcome.result, "failure");
  assert.match(sink.text, /payload is empty/);
});

test("a bad expression in a step fails that step with a line naming it", async () => {
  const { outcome, sink } = await runTestJob(
    payloadWithSteps(`
- name: broken
  run: echo \${{ fromJSON('not json') }}
- if: always()
  run: echo next`),
  );
  assert.equal(outcome.result, "failure");
  assert.equal(outcome.steps[0]?.result, "failure");
  assert.match(sink.text, /::error::step 'broken': .*JSON/);
  assert.ok(sink.lines.includes("next"));
});

test("a bad expression in job env fails the job before any step", async () => {
  const { outcome, sink } = await runTestJob(payloadWithSteps("- run: echo hi", `env:\n  X: \${{ fromJSON('{') }}`));
  assert.equal(outcome.result, "failure");
  assert.match(sink.text, /job 'test' env 'X'/);
  assert.deepEqual(sink.started, []);
  assert.deepEqual(outcome.steps, [{ name: "Run echo hi", result: "skipped", outcome: "skipped" }]);
});

test("a backend that cannot prepare fails the job with a line", async () => {
  const broken: Backend = {
    name: "broken",
    prepare: async () => {
      throw new Error("disk full");
    },
  };
  const { outcome, sink } = await runTestJob(payloadWithSteps("- run: echo hi"), { backend: () => broken });
  assert.equal(outcome.result, "failure");
  assert.ok(sink.lines.includes("::error::cannot prepare the broken backend for this job: disk full"), sink.text);
});

test("a sink that throws does not break the job", async () => {
  const sink = new RecordingSink();
  sink.onLine = () => {
    throw new Error("reporter down");
  };
  const { outcome } = await runTestJob(payloadWithSteps("- run: echo hi\n- run: echo again"), { sink });
  assert.equal(outcome.result, "success");
});

test("cleanup problems are logged, not thrown", async (t) => {
  const parent = await mkdtemp(join(tmpdir(), "cleanup-"));
  const sink = new RecordingSink();
  try {
    const outcome = await runJob({
      request: {
        payload: payloadWithSteps("- run: touch stuck && chattr +i stuck"),
        context: {},
        secrets: {},
        vars: {},
        needs: {},
      },
      backend: createHostBackend({ workdirParent: parent }),
      sink,
      signal: new AbortController().signal,
      jobKey: "cleanup-job",
    });
    if (outcome.result !== "success") {
      t.skip("chattr +i is not available here");
      return;
    }
    assert.ok(
      sink.lines.some((l) => l.startsWith("::warning::cleanup could not remove 1 path(s)")),
      sink.text,
    );
    assert.ok(sink.lines.some((l) => l.includes("/.quarantine/cleanup-job-")));
  } finally {
    spawnSync("chattr", ["-R", "-i", parent]);
    spawnSync("rm", ["-rf", parent]);
  }
});
