import assert from "node:assert/strict";
import { test } from "node:test";
import { lossPolicyForLabels, validateConfigText } from "./index.js";

const TEXT = `
[runner]
lease = "45s"
shutdown_timeout = "2m"

[[role]]
name = "linux"
labels = ["linux"]

[[role]]
name = "release"
labels = ["release"]
privileged = true
allowed_refs = ["refs/tags/v*"]

[[role]]
name = "deploy"
labels = ["deploy"]
secrets_dir = "secrets"
allowed_refs = "any"
retry_on_loss = 2
lease = "5s"
`;

test("lease and retry_on_loss: [runner] lease by default, one retry unless privileged or secrets_dir", () => {
  const { config, problems } = validateConfigText(TEXT, "pool.toml");
  assert.deepEqual(problems, []);
  assert.equal(config?.runner.shutdown_timeout, 120_000);
  assert.deepEqual(lossPolicyForLabels(config!, ["linux:host"]), { leaseMs: 45_000, retries: 1 });
  assert.deepEqual(lossPolicyForLabels(config!, ["release:host"]), { leaseMs: 45_000, retries: 0 });
  assert.deepEqual(lossPolicyForLabels(config!, ["deploy:host"]), { leaseMs: 5_000, retries: 2 });
  assert.equal(lossPolicyForLabels(config!, ["linux", "gpu"]), undefined);
});

test("defaults: a 30 s lease and a 10 min shutdown timeout", () => {
  const { config } = validateConfigText('[[role]]\nname = "a"\nlabels = ["a"]\n', "p.toml");
  assert.equal(config?.runner.lease, 30_000);
  assert.equal(config?.runner.shutdown_timeout, 600_000);
});
