import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { engineSkipReason, TEST_IMAGE } from "../support/container-suite.js";
import { authFileText, registrySkipReason, TestRegistry } from "../support/registry.js";

// Docker pushes the test image; each engine then pulls it for a role of its own backend.
for (const engine of ["docker", "podman"] as const) {
  const skip = registrySkipReason() || engineSkipReason("docker") || engineSkipReason(engine);

  describe(`${engine}: a role's image is pulled from a registry on 127.0.0.1 as its pull policy says`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), "rp-image-pull-"));
    const registry = new TestRegistry();
    let image = "";
    let stepImage = "";

    before(async () => {
      await registry.start();
      image = registry.push(TEST_IMAGE, `rp/pull-${randomUUID().slice(0, 8)}:1`);
      stepImage = registry.push(TEST_IMAGE, `rp/step-${randomUUID().slice(0, 8)}:1`);
      mkdirSync(join(dir, "repo/.gitea/workflows"), { recursive: true });
      writeFileSync(
        join(dir, "repo/.gitea/workflows/ci.yml"),
        "on: push\njobs:\n  build:\n    runs-on: [self-hosted, boxed]\n    steps:\n      - run: echo ran-in-the-pulled-image\n",
      );
      writeFileSync(
        join(dir, "repo/.gitea/workflows/step.yml"),
        `on: push\njobs:\n  step:\n    runs-on: [self-hosted, boxed]\n    steps:\n      - uses: docker://${stepImage}\n        with:\n          args: echo ran-in-the-step-image\n`,
      );
    });
    after(() => {
      spawnSync(engine, ["rmi", "--force", image, stepImage], { stdio: "ignore" });
      registry.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    /** `run` with a docker role on the registry's image; the auth file sits beside the config (a relative path). */
    const runWith = (pull: string, password?: string, workflow = ".gitea/workflows/ci.yml") => {
      const conf = join(dir, `conf-${pull}-${password ?? "good"}`);
      mkdirSync(conf, { recursive: true });
      writeFileSync(join(conf, "auth.json"), authFileText(registry.host, password));
      writeFileSync(
        join(conf, "runnerpool.toml"),
        `[[role]]\nname = "boxed"\nlabels = ["self-hosted", "boxed"]\nbackend = "${engine}"\nimage = "${image}"\npull = "${pull}"\nregistry_auth_file = "auth.json"\n`,
      );
      return runCli(
        [
          "run",
          join(dir, "repo"),
          "--workflow",
          join(dir, "repo", workflow),
          "--config",
          join(conf, "runnerpool.toml"),
        ],
        {
          timeoutMs: 120_000,
        },
      );
    };

    test("never: a missing image fails the job, naming the image and the policy", async () => {
      const r = await runWith("never");
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`image "${image}" is not on this host and the pull policy is "never"`));
    });

    test("missing: the image is pulled with the credentials file, with progress in the job's log", async () => {
      const r = await runWith("missing");
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`pulling image "${image}" \\(pull policy "missing"\\) with credentials from \\S+auth\\.json`),
      );
      assert.match(
        r.stdout,
        engine === "docker" ? /Status: Downloaded newer image/ : /Writing manifest to image destination/,
      );
      assert.match(r.stdout, /│ ran-in-the-pulled-image/);
    });

    test("a docker:// step's image is pulled by the role's policy too", async () => {
      const r = await runWith("missing", undefined, ".gitea/workflows/step.yml");
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`pulling image "${stepImage}" \\(pull policy "missing"\\)`));
      assert.match(r.stdout, /│ ran-in-the-step-image/);
    });

    test("always with wrong credentials: the pull fails, naming the image and the policy", async () => {
      const r = await runWith("always", "wrong");
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`cannot pull image "${image}" \\(pull policy "always"\\): .*registry_auth_file`),
      );
    });
  });
}
