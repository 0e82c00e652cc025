import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { Harness } from "../support/e2e-harness.js";

// `runner register` must not need the registration token in its arguments, where `ps` shows it.
describe("runner register reads the registration token from a file or the environment", () => {
  const h = new Harness();
  before(() => h.start());
  after(() => h.close());
  const register = (name: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(
      [
        "runner",
        "register",
        "--instance",
        h.server.url,
        "--name",
        name,
        "--file",
        join(h.dir, `${name}.runner`),
        ...args,
      ],
      { env: { RUNNERPOOL_REGISTRATION_TOKEN: "", ...env }, timeoutMs: 30_000 },
    );

  test("--token-file", async () => {
    const file = join(h.dir, "registration-token");
    writeFileSync(file, `${h.coordinator.runners.registrationToken()}\n`, { mode: 0o600 });
    const r = await register("from-file", ["--token-file", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.ok(existsSync(join(h.dir, "from-file.runner")));
  });

  test("RUNNERPOOL_REGISTRATION_TOKEN", async () => {
    const r = await register("from-env", [], {
      RUNNERPOOL_REGISTRATION_TOKEN: h.coordinator.runners.registrationToken(),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(h.dir, "from-env.runner")));
  });

  test("--token still works, with a warning", async () => {
    const r = await register("from-arg", ["--token", h.coordinator.runners.registrationToken()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: --token puts the registration token in the process arguments/);
  });

  test("no token at all is a usage error naming both ways", async () => {
    const r = await register("none", []);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--token-file FILE or RUNNERPOOL_REGISTRATION_TOKEN/);
  });
});
