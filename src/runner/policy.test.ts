import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeForge } from "../../test/support/fake-forge.js";
import type { JobOutcome } from "../executor/index.js";
import { Result } from "../protocol/index.js";
import { refusal, type TaskPolicy } from "./policy.js";
import { runTask } from "./task-runner.js";

const iso: TaskPolicy = { role: "iso", privileged: true, allowedRefs: ["refs/heads/main", "refs/tags/distro-v*"] };
const fast = { logIntervalMs: 20, stateIntervalMs: 20, closeTimeoutMs: 3000, attemptTimeoutMs: 1000 };

test("a role without policy runs every ref, a privileged role only the refs it allows", () => {
  const cases: [TaskPolicy | undefined, unknown, boolean][] = [
    [undefined, "refs/heads/feature", true],
    [{ role: "linux", privileged: false, allowedRefs: [] }, "refs/heads/feature", true],
    [iso, "refs/tags/distro-v1.2", true],
    [iso, "refs/heads/main", true],
    [iso, "refs/heads/feature", false],
    [iso, "refs/tags/v1.2", false],
    [iso, undefined, false],
    [iso, "", false],
    [iso, 42, false],
    [{ role: "iso", privileged: true, allowedRefs: [] }, "refs/heads/main", false],
    [{ role: "iso", privileged: true, allowedRefs: ["refs/tags/*", "!refs/tags/*-rc"] }, "refs/tags/v1-rc", false],
    [{ role: "iso", privileged: true, allowedRefs: ["refs/tags/[x"] }, "refs/tags/x", false],
    [{ role: "rel", privileged: false, allowedRefs: ["refs/tags/*"] }, "refs/heads/main", false],
  ];
  for (const [policy, ref, allowed] of cases) {
    const reason = refusal(policy, ref === undefined ? {} : { ref });
    assert.equal(reason === undefined, allowed, `${policy?.allowedRefs ?? "-"} on ${String(ref)}: ${reason}`);
  }
});

test("the refusal names the role, the ref and the allowed patterns", () => {
  const reason = refusal(iso, { ref: "refs/heads/feature" }) ?? "";
  assert.match(reason, /privileged role "iso"/);
  assert.match(reason, /"refs\/heads\/feature"/);
  assert.match(reason, /refs\/tags\/distro-v\*/);
  assert.match(refusal(iso, {}) ?? "", /no github\.ref/);
});

async function runWithRef(ref: string | undefined) {
  const forge = new FakeForge();
  const task = forge.assign(1, ref === undefined ? {} : { context: { repository: "o/r", ref } });
  let executed = false;
  const summary = await runTask({
    task,
    forge: forge.client(),
    execute: async (): Promise<JobOutcome> => {
      executed = true;
      return { result: "success", outputs: {}, steps: [] };
    },
    runnerName: "iso-1",
    signal: new AbortController().signal,
    report: fast,
    policy: iso,
  });
  return { summary, executed, fake: forge.task(task.id) };
}

test("a task whose ref the privileged role does not allow fails with the reason in its log and never runs", async () => {
  const { summary, executed, fake } = await runWithRef("refs/heads/feature");
  assert.equal(executed, false);
  assert.equal(summary.result, "failure");
  assert.equal(fake.result, Result.FAILURE);
  assert.ok(
    fake.rows.some((r) => /refused, nothing was executed/.test(r)),
    fake.rows.join("\n"),
  );
});

test("a task without a ref is refused by a privileged role (fail closed)", async () => {
  const { executed, fake } = await runWithRef(undefined);
  assert.equal(executed, false);
  assert.ok(fake.rows.some((r) => /no github\.ref/.test(r)));
});

test("a task on an allowed tag runs", async () => {
  const { summary, executed } = await runWithRef("refs/tags/distro-v2");
  assert.equal(executed, true);
  assert.equal(summary.result, "success");
});
