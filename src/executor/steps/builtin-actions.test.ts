import assert from "node:assert/strict";
import { test } from "node:test";
import { payloadWithSteps, runTestJob } from "../../../test/support/run-test-job.js";
import { builtinActionKey, findBuiltinAction, registerBuiltinAction } from "./builtin-actions.js";
import type { StepRunner } from "./step-runner.js";

test("a uses: value maps to owner/repo whatever its ref, host or case", () => {
  assert.equal(builtinActionKey("actions/checkout@v4"), "actions/checkout");
  assert.equal(builtinActionKey("Actions/Checkout@main"), "actions/checkout");
  assert.equal(builtinActionKey("https://code.forgejo.org/actions/checkout@v4"), "actions/checkout");
  assert.equal(builtinActionKey("https://github.com/actions/upload-artifact.git@v4"), "actions/upload-artifact");
  assert.equal(builtinActionKey("owner/repo/sub/dir@v1"), "owner/repo/sub/dir");
  assert.equal(builtinActionKey("./local"), undefined);
  assert.equal(builtinActionKey("docker://alpine"), undefined);
  assert.equal(builtinActionKey("checkout"), undefined);
});

test("a registered built-in runs instead of a fetch, with inputs, outputs and a post phase", async () => {
  const native: StepRunner = {
    kind: "test-native",
    defaultName: (step) => `Native ${step.uses ?? ""}`,
    async main(ctx) {
      ctx.log.line(`native main with=${ctx.inputs.flavor} token-set=${String(ctx.contexts.github !== undefined)}`);
      ctx.setOutput("result", `made-${ctx.inputs.flavor}`);
      ctx.addPost({
        name: "native cleanup",
        run: async (post) => {
          post.log.line("native post");
          return "success";
        },
      });
      return "success";
    },
  };
  registerBuiltinAction("Test-Org/Native", native);
  assert.equal(findBuiltinAction("test-org/native@v9"), native);
  const { outcome, sink } = await runTestJob(
    payloadWithSteps(`
- id: n
  uses: test-org/native@v1
  with:
    flavor: \${{ github.ref_name }}
- run: echo "out=\${{ steps.n.outputs.result }}"`),
  );
  assert.equal(outcome.result, "success", sink.text);
  assert.equal(outcome.steps[0]?.name, "Native test-org/native@v1");
  const at = (line: string) => sink.lines.indexOf(line);
  assert.ok(at("native main with=main token-set=true") >= 0, sink.text);
  assert.ok(at("out=made-main") > at("native main with=main token-set=true"), sink.text);
  assert.ok(at("Post native cleanup") > at("out=made-main"), sink.text);
  assert.ok(at("native post") > at("Post native cleanup"), sink.text);
});

test("registering a name that is not owner/repo throws", () => {
  assert.throws(() =>
    registerBuiltinAction("checkout", { kind: "x", defaultName: () => "", main: async () => "success" }),
  );
});
