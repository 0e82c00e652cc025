import assert from "node:assert/strict";
import { test } from "node:test";
import { FAKE_TOKEN, FAKE_UUID, FakeForge } from "../../test/support/fake-forge.js";
import type { JobOutcome } from "../executor/index.js";
import { Result } from "../protocol/index.js";
import { refusal, type TaskPolicy } from "./policy.js";
import { startRunner } from "./runner.js";
import { runTask } from "./task-runner.js";
import { waitFor } from "./wait-for.js";

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

const deploy: TaskPolicy = { role: "deploy", privileged: false, allowedRefs: [], exclusiveLabels: ["deploy"] };

test("a guarded role takes only jobs whose runs-on names one of its exclusive labels", () => {
  const cases: [TaskPolicy, string[], boolean][] = [
    [deploy, ["self-hosted", "deploy"], true],
    [deploy, ["deploy"], true],
    [deploy, ["self-hosted"], false],
    [deploy, [], false],
    [{ ...deploy, exclusiveLabels: [] }, ["deploy"], false],
    [{ ...iso, exclusiveLabels: ["iso"] }, ["self-hosted"], false],
    [{ ...iso, exclusiveLabels: ["iso"] }, ["iso"], true],
  ];
  for (const [policy, runsOn, allowed] of cases) {
    const reason = refusal(policy, { ref: "refs/heads/main" }, runsOn);
    assert.equal(reason === undefined, allowed, `${policy.role} on [${runsOn}]: ${reason}`);
  }
  assert.match(
    refusal(deploy, { ref: "refs/heads/main" }, ["self-hosted"]) ?? "",
    /secret-holding role "deploy" takes only jobs whose runs-on names one of \[deploy\]; this job's runs-on is \[self-hosted\]/,
  );
});

test("a guarded runner refuses, fail closed, what a forge that picks by labels hands it anyway", async () => {
  // Gitea picks by label cover alone: [self-hosted] and a job without runs-on reach the deploy runner.
  const forge = new FakeForge();
  const payload = (runsOn: string) =>
    new TextEncoder().encode(`on: push\njobs:\n  j:\n${runsOn}    steps:\n      - run: echo hi\n`);
  const tasks = [
    forge.addTask(1, { workflowPayload: payload("    runs-on: [self-hosted]\n") }),
    forge.addTask(1, { workflowPayload: payload("") }),
    forge.addTask(1, { workflowPayload: payload("    runs-on: [self-hosted, deploy]\n") }),
  ];
  let executed = 0;
  const handle = await startRunner({
    registration: {
      id: 1,
      uuid: FAKE_UUID,
      name: "deploy-1",
      token: FAKE_TOKEN,
      address: "http://fake.invalid",
      labels: ["self-hosted:host", "deploy:host"],
      ephemeral: false,
    },
    forge: forge.client(),
    capacity: 1,
    execute: async (): Promise<JobOutcome> => {
      executed++;
      return { result: "success", outputs: {}, steps: [] };
    },
    settings: { version: "9.9.9", fetchIntervalMs: 5, fetchIntervalMaxMs: 10 },
    report: fast,
    policy: deploy,
    signal: new AbortController().signal,
  });
  try {
    await waitFor(
      () => tasks.every((t) => (forge.tasks.get(t.id)?.result ?? Result.UNSPECIFIED) !== Result.UNSPECIFIED),
      "every task to end",
    );
  } finally {
    await handle.drain();
  }
  const [selfHosted, none, named] = tasks.map((t) => forge.task(t.id));
  for (const refused of [selfHosted, none]) {
    assert.equal(refused?.result, Result.FAILURE);
    assert.ok(refused?.rows.some((r) => /takes only jobs whose runs-on names one of \[deploy\]/.test(r)));
  }
  assert.equal(named?.result, Result.SUCCESS);
  assert.equal(executed, 1, "only the job that named the role ran");
});
