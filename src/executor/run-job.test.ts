import assert from "node:assert/strict";
import { test } from "node:test";
import { payloadWithSteps, runTestJob, TEST_CONTEXT } from "../../test/support/run-test-job.js";

test("runs run steps in order, reports each, and succeeds", async () => {
  const { outcome, sink, leftovers } = await runTestJob(
    payloadWithSteps(`
- run: echo one
- name: second
  run: |
    echo two
    echo three`),
  );
  assert.equal(outcome.result, "success");
  assert.deepEqual(outcome.steps, [
    { name: "Run echo one", result: "success", outcome: "success" },
    { name: "second", result: "success", outcome: "success" },
  ]);
  assert.deepEqual(sink.events, ["start 0", "finish 0 success", "start 1", "finish 1 success"]);
  assert.deepEqual(sink.lines, ["Run echo one", "one", "Run echo two", "two", "three"]);
  assert.deepEqual(leftovers, [], "the job directory is removed");
});

test("env precedence is workflow < job < step, with interpolated values", async () => {
  const { sink } = await runTestJob(
    payloadWithSteps(
      `
- run: echo "$A $B $C $D"
  env:
    C: step
- run: echo "$C"`,
      `env:\n  B: job\n  C: job\n  D: \${{ env.A }}-derived`,
      "env:\n  A: workflow\n  B: workflow\n  C: workflow",
    ),
  );
  assert.ok(sink.lines.includes("workflow job step workflow-derived"), sink.text);
  assert.ok(sink.lines.includes("job"), sink.text);
});

test("GITHUB_ENV applies to later steps only, heredoc bodies may hold name=value lines", async () => {
  const { sink, outcome } = await runTestJob(
    payloadWithSteps(`
- run: |
    echo "FOO=bar=baz" >> "$GITHUB_ENV"
    printf 'MULTI<<EOF\\nline1\\nx=y\\nEOF\\n' >> "$GITHUB_ENV"
    echo "now:\${FOO:-unset}"
- run: |
    echo "later:$FOO"
    echo "$MULTI"
- run: echo "override:$FOO"
  env:
    FOO: step-wins
- run: echo "expr:\${{ env.FOO }}"`),
  );
  assert.equal(outcome.result, "success", sink.text);
  for (const line of ["now:unset", "later:bar=baz", "line1", "x=y", "override:step-wins", "expr:bar=baz"]) {
    assert.ok(sink.lines.includes(line), `${line} in\n${sink.text}`);
  }
});

test("GITHUB_OUTPUT feeds steps.<id>.outputs and the job outputs", async () => {
  const { outcome, sink } = await runTestJob(
    payloadWithSteps(
      `
- id: produce
  run: |
    echo "simple=hello" >> "$GITHUB_OUTPUT"
    printf 'multi<<DELIM\\na\\nb\\nDELIM\\n' >> "$GITHUB_OUTPUT"
- run: echo "got \${{ steps.produce.outputs.simple }} \${{ steps.produce.outcome }}"`,
      `outputs:\n  greeting: \${{ steps.produce.outputs.simple }} world\n  lines: \${{ steps.produce.outputs.multi }}`,
    ),
  );
  assert.ok(sink.lines.includes("got hello success"), sink.text);
  assert.deepEqual(outcome.outputs, { greeting: "hello world", lines: "a\nb" });
  assert.deepEqual(sink.outputValues, [{ greeting: "hello world", lines: "a\nb" }]);
});

test("a failed step skips later steps except those asking for failure() or always()", async () => {
  const { outcome, sink } = await runTestJob(
    payloadWithSteps(`
- run: exit 3
- run: echo not-run
- if: failure()
  run: echo "on-failure \${{ job.status }}"
- if: success()
  run: echo never
- if: always()
  run: echo always`),
  );
  assert.equal(outcome.result, "failure");
  assert.deepEqual(
    outcome.steps.map((s) => s.result),
    ["failure", "skipped", "success", "skipped", "success"],
  );
  assert.ok(sink.lines.includes("::error::Process completed with exit code 3."), sink.text);
  assert.ok(sink.lines.includes("on-failure failure"), sink.text);
  assert.ok(sink.lines.includes("always"));
  assert.ok(!sink.lines.includes("not-run"));
});

test("continue-on-error keeps the job going: outcome failure, conclusion success", async () => {
  const { outcome, sink } = await runTestJob(
    payloadWithSteps(`
- id: flaky
  continue-on-error: true
  run: exit 1
- run: echo "\${{ steps.flaky.outcome }}/\${{ steps.flaky.conclusion }} \${{ job.status }}"`),
  );
  assert.equal(outcome.result, "success");
  assert.deepEqual(outcome.steps[0], { name: "Run exit 1", result: "success", outcome: "failure" });
  assert.ok(sink.lines.includes("failure/success success"), sink.text);
  assert.deepEqual(sink.finished[0], { index: 0, result: "success", outcome: "failure" });
});

test("continue-on-error may be an expression", async () => {
  const payload = payloadWithSteps(`- continue-on-error: \${{ vars.TOLERANT == 'yes' }}\n  run: exit 1`);
  assert.equal((await runTestJob(payload, { vars: { TOLERANT: "yes" } })).outcome.result, "success");
  assert.equal((await runTestJob(payload, { vars: { TOLERANT: "no" } })).outcome.result, "failure");
});

test("step if sees env, vars, secrets-free contexts and skips when false", async () => {
  const { outcome } = await runTestJob(
    payloadWithSteps(
      `
- if: env.MODE == 'fast'
  run: echo fast
- if: vars.FLAG == 'on' && github.ref == 'refs/heads/main'
  run: echo flag`,
      "",
      "env:\n  MODE: slow",
    ),
    { vars: { FLAG: "on" } },
  );
  assert.deepEqual(
    outcome.steps.map((s) => s.result),
    ["skipped", "success"],
  );
});

test("a missing working directory fails the step with a line naming it", async () => {
  const { sink, outcome } = await runTestJob(
    payloadWithSteps("- run: echo hi", "defaults:\n  run:\n    working-directory: missing"),
  );
  assert.equal(outcome.result, "failure");
  assert.match(sink.text, /working directory '.*\/workspace\/missing' does not exist/);
});

test("working-directory default applies once the directory exists", async () => {
  const { sink, outcome } = await runTestJob(
    payloadWithSteps(
      `
- run: mkdir -p a/b sub
  working-directory: \${{ github.workspace }}
- run: basename "$PWD"
- run: basename "$PWD"
  working-directory: a/b`,
      "defaults:\n  run:\n    working-directory: sub",
    ),
  );
  assert.equal(outcome.result, "success", sink.text);
  assert.ok(sink.lines.includes("sub"));
  assert.ok(sink.lines.includes("b"));
});

test("shells: default bash -e, explicit bash with pipefail, sh, and custom templates", async () => {
  const { sink, outcome } = await runTestJob(
    payloadWithSteps(`
- run: |
    false | true
    echo "default:\${BASH_VERSION:+bash}"
- run: echo "sh:\${BASH_VERSION:-notbash}"
  shell: sh
- run: echo custom-template-body
  shell: cat {0}
- id: pipe
  continue-on-error: true
  shell: bash
  run: |
    false | true
    echo "pipefail-missed"`),
  );
  assert.equal(outcome.result, "success", sink.text);
  assert.ok(sink.lines.includes("default:bash"), sink.text);
  assert.ok(sink.lines.includes("sh:notbash"), sink.text);
  assert.ok(sink.lines.includes("echo custom-template-body"), sink.text);
  assert.ok(!sink.lines.includes("pipefail-missed"));
  assert.equal(outcome.steps[3]?.outcome, "failure");
});

test("defaults.run.shell at workflow level is overridden by the job's", async () => {
  const { sink } = await runTestJob(
    payloadWithSteps(
      `- run: echo "\${BASH_VERSION:-notbash}"`,
      "defaults:\n  run:\n    shell: sh",
      "defaults:\n  run:\n    shell: bash",
    ),
  );
  assert.ok(sink.lines.includes("notbash"), sink.text);
});

test("steps see the GITHUB_*, RUNNER_* and CI variables, and the event file", async () => {
  const { sink, outcome } = await runTestJob(
    payloadWithSteps(`
- run: |
    echo "sha=$GITHUB_SHA ref=$GITHUB_REF name=$GITHUB_REF_NAME type=$GITHUB_REF_TYPE"
    echo "repo=$GITHUB_REPOSITORY run=$GITHUB_RUN_ID/$GITHUB_RUN_NUMBER job=$GITHUB_JOB actor=$GITHUB_ACTOR"
    echo "event=$GITHUB_EVENT_NAME server=$GITHUB_SERVER_URL api=$GITHUB_API_URL workflow=$GITHUB_WORKFLOW"
    echo "flags=$CI $GITHUB_ACTIONS $GITEA_ACTIONS os=$RUNNER_OS name=$RUNNER_NAME"
    test "$PWD" = "$GITHUB_WORKSPACE" && echo cwd-ok
    test -d "$RUNNER_TEMP" && test -d "$RUNNER_TOOL_CACHE" && test -d "$HOME" && echo dirs-ok
    for f in "$GITHUB_OUTPUT" "$GITHUB_ENV" "$GITHUB_PATH" "$GITHUB_STATE" "$GITHUB_STEP_SUMMARY"; do test -f "$f" -a ! -s "$f" || echo "bad $f"; done
    test "$GITEA_OUTPUT" = "$GITHUB_OUTPUT" && echo twins-ok
    grep -q '"message": "hello"' "$GITHUB_EVENT_PATH" && echo event-ok
    echo "token=\${GITHUB_TOKEN:-absent}"
    echo "extra=$EXTRA"`),
    { env: { EXTRA: "runner-wide" } },
  );
  assert.equal(outcome.result, "success", sink.text);
  const expected = [
    `sha=${TEST_CONTEXT.sha} ref=refs/heads/main name=main type=branch`,
    "repo=owner/repo run=42/7 job=test actor=alice",
    "event=push server=http://127.0.0.1:3000 api=http://127.0.0.1:3000/api/v1 workflow=ci.yml",
    "flags=true true true os=Linux name=test-runner",
    "cwd-ok",
    "dirs-ok",
    "twins-ok",
    "event-ok",
    "token=absent",
    "extra=runner-wide",
  ];
  for (const line of expected) assert.ok(sink.lines.includes(line), `${line} in\n${sink.text}`);
  assert.ok(!sink.text.includes("bad "), sink.text);
});

test("the runner's own environment does not reach steps", async () => {
  process.env.RUNNERPOOL_TEST_LEAK = "leaked";
  try {
    const { sink } = await runTestJob(payloadWithSteps(`- run: echo "leak=\${RUNNERPOOL_TEST_LEAK:-absent}"`));
    assert.ok(sink.lines.includes("leak=absent"), sink.text);
  } finally {
    delete process.env.RUNNERPOOL_TEST_LEAK;
  }
});

test("GITHUB_PATH prepends directories for later steps, latest first", async () => {
  const { sink } = await runTestJob(
    payloadWithSteps(`
- run: |
    mkdir -p one two
    printf '#!/bin/sh\\necho from-one\\n' > one/tool
    printf '#!/bin/sh\\necho from-two\\n' > two/tool
    chmod +x one/tool two/tool
    echo "$GITHUB_WORKSPACE/one" >> "$GITHUB_PATH"
- run: tool
- run: echo "$GITHUB_WORKSPACE/two" >> "$GITHUB_PATH"
- run: tool`),
  );
  assert.deepEqual(
    sink.lines.filter((l) => l.startsWith("from-")),
    ["from-one", "from-two"],
  );
});

test("contexts: matrix from the pinned strategy, needs, inputs, vars, secrets, runner, strategy", async () => {
  const { sink, outcome } = await runTestJob(
    payloadWithSteps(
      `- run: |
    echo "matrix=\${{ matrix.os }}/\${{ matrix.node }}"
    echo "needs=\${{ needs.build.outputs.version }}/\${{ needs.build.result }}"
    echo "inputs=\${{ inputs.level }} vars=\${{ vars.COLOR }}"
    echo "runner=\${{ runner.os }}/\${{ runner.name }} strategy=\${{ strategy.job-total }}"
    echo "secret-length=\${{ secrets.SECRET_WORD != '' }}"`,
      "strategy:\n  matrix:\n    os: [linux]\n    node: [20]",
    ),
    {
      needs: { build: { outputs: { version: "1.2.3" }, result: "success" } },
      context: { event: { inputs: { level: "high" } } },
      vars: { COLOR: "blue" },
      secrets: { SECRET_WORD: "swordfish" },
    },
  );
  assert.equal(outcome.result, "success", sink.text);
  for (const line of [
    "matrix=linux/20",
    "needs=1.2.3/success",
    "inputs=high vars=blue",
    "runner=Linux/test-runner strategy=1",
    "secret-length=true",
  ]) {
    assert.ok(sink.lines.includes(line), `${line} in\n${sink.text}`);
  }
});

test("a uses: without @ref fails its step with a message saying what to write", async () => {
  const { outcome, sink } = await runTestJob(payloadWithSteps("- uses: someone/action\n- run: echo after"));
  assert.equal(outcome.result, "failure");
  assert.deepEqual(outcome.steps[0], { name: "Run someone/action", result: "failure", outcome: "failure" });
  assert.match(sink.text, /uses: 'someone\/action' is not a valid action reference \(the '@ref'.*is missing\)/);
  assert.equal(outcome.steps[1]?.result, "skipped");
});

test("hashFiles hashes matching workspace files and is empty when nothing matches", async () => {
  const { sink } = await runTestJob(
    payloadWithSteps(`
- run: mkdir -p lib && echo a > lib/x.lock && echo b > y.lock
- run: |
    echo "h=\${{ hashFiles('**/*.lock') }}"
    echo "n=\${{ hashFiles('nothing/*') }}"`),
  );
  const h = sink.lines.find((l) => l.startsWith("h="));
  assert.match(h ?? "", /^h=[0-9a-f]{64}$/);
  assert.ok(sink.lines.includes("n="), sink.text);
});

test("a job whose if is false is skipped with all its steps", async () => {
  const { outcome, sink } = await runTestJob(
    payloadWithSteps("- run: echo hi", "if: github.ref == 'refs/heads/other'"),
  );
  assert.equal(outcome.result, "skipped");
  assert.deepEqual(sink.finished, [{ index: 0, result: "skipped", outcome: "skipped" }]);
  assert.deepEqual(sink.lines, []);
});

test("step names are interpolated, with the step's own env in scope", async () => {
  const { sink, outcome } = await runTestJob(
    payloadWithSteps(`
- name: build \${{ env.TARGET }} on \${{ runner.os }}
  env:
    TARGET: arm
  run: "true"`),
  );
  assert.deepEqual(sink.started, [{ index: 0, name: "build arm on Linux" }]);
  assert.equal(outcome.steps[0]?.name, "build arm on Linux");
});
