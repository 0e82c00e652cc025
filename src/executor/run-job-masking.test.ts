import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { payloadWithSteps, runTestJob } from "../../test/support/run-test-job.js";

test("secret values are masked in every log line", async () => {
  const { sink } = await runTestJob(
    payloadWithSteps(`- run: echo "the word is \${{ secrets.WORD }}, twice \${{ secrets.WORD }}"`),
    {
      secrets: { WORD: "swordfish" },
    },
  );
  assert.ok(sink.lines.includes("the word is ***, twice ***"), sink.text);
  assert.ok(!sink.text.includes("swordfish"));
});

test("a secret written in two pieces across writes is still masked", async () => {
  const { sink } = await runTestJob(payloadWithSteps("- run: printf 'sec'; sleep 0.1; printf 'ret\\n'"), {
    secrets: { S: "secret" },
  });
  assert.ok(sink.lines.includes("***"), sink.text);
  assert.ok(!sink.text.includes("secret"));
});

test("each line of a multi-line secret is masked", async () => {
  const { sink } = await runTestJob(
    payloadWithSteps(`- run: printf 'a %s\\n' "$KEY"\n  env:\n    KEY: \${{ secrets.KEY }}`),
    {
      secrets: { KEY: "-----BEGIN-----\nmiddle-part\n-----END-----" },
    },
  );
  assert.deepEqual(
    sink.lines.filter((l) => l !== "Run printf 'a %s\\n' \"$KEY\""),
    ["a ***", "***", "***"],
  );
});

test("the task token from the context is masked", async () => {
  const { sink } = await runTestJob(payloadWithSteps(`- run: echo "\${{ github.token }}"`));
  assert.ok(sink.lines.includes("***"), sink.text);
  assert.ok(!sink.text.includes("task-token-0123456789"));
});

test("::add-mask:: masks the value in later lines and the command line is dropped", async () => {
  const { sink } = await runTestJob(
    payloadWithSteps(`
- run: |
    echo "::add-mask::generated-value"
    echo "value=generated-value"
- run: echo "again generated-value"`),
  );
  assert.ok(sink.lines.includes("value=***"), sink.text);
  assert.ok(sink.lines.includes("again ***"), sink.text);
  // Only the script header of the step that registers the mask still shows it, as on GitHub.
  assert.deepEqual(
    sink.lines.filter((l) => l.includes("generated-value")),
    ['Run echo "::add-mask::generated-value"'],
  );
});

test("::debug:: lines show only with ACTIONS_STEP_DEBUG", async () => {
  const payload = payloadWithSteps(`- run: echo "::debug::details"; echo "::group::G"; echo "::endgroup::"`);
  const quiet = await runTestJob(payload);
  assert.ok(!quiet.sink.lines.includes("::debug::details"), quiet.sink.text);
  assert.ok(quiet.sink.lines.includes("::group::G") && quiet.sink.lines.includes("::endgroup::"));
  const loud = await runTestJob(payload, { secrets: { ACTIONS_STEP_DEBUG: "true" } });
  assert.ok(loud.sink.lines.includes("::debug::details"), loud.sink.text);
});

test("::set-output sets a step output and warns that it is deprecated", async () => {
  const { sink } = await runTestJob(
    payloadWithSteps(`
- id: old
  run: echo "::set-output name=answer::42"
- run: echo "answer=\${{ steps.old.outputs.answer }}"`),
  );
  assert.ok(sink.lines.includes("answer=42"), sink.text);
  assert.ok(sink.lines.some((l) => l.startsWith("::warning::The `set-output` command is deprecated")));
});

test("a job output holding a secret is left out with a warning", async () => {
  const { outcome, sink } = await runTestJob(
    payloadWithSteps(`- run: "true"`, `outputs:\n  leak: \${{ secrets.WORD }}\n  fine: ok`),
    { secrets: { WORD: "swordfish" } },
  );
  assert.deepEqual(outcome.outputs, { fine: "ok" });
  assert.ok(sink.lines.some((l) => l.includes("job output 'leak' is left out")));
});

test("the contents of the role's secrets_dir files are masked, also base64-encoded", async () => {
  const dir = await mkdtemp(join(tmpdir(), "secrets-"));
  try {
    await mkdir(join(dir, "ssh"));
    await writeFile(join(dir, "token"), "dir-token-8c1f2a\n");
    await writeFile(join(dir, "ssh", "key"), "-----BEGIN KEY-----\nkey-body-77d0e3\n-----END KEY-----\n");
    const { sink } = await runTestJob(
      payloadWithSteps(
        '- run: |\n    echo "token dir-token-8c1f2a"\n    echo "key-body-77d0e3"\n    printf dir-token-8c1f2a | base64',
      ),
      { secretsDir: dir },
    );
    assert.ok(sink.lines.includes("token ***"), sink.text);
    assert.ok(sink.lines.includes("***"), sink.text);
    assert.ok(!sink.text.includes("dir-token-8c1f2a"), sink.text);
    assert.ok(!sink.text.includes("key-body-77d0e3"), sink.text);
    assert.ok(!sink.text.includes(Buffer.from("dir-token-8c1f2a").toString("base64").slice(0, 20)), sink.text);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
