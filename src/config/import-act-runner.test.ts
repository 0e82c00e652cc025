import assert from "node:assert/strict";
import { test } from "node:test";
import { importActRunner, validateConfigText } from "./index.js";

const CONFIG_YAML = `log:
  level: info
runner:
  file: .runner
  capacity: 2
  envs:
    GOFLAGS: -mod=mod
  timeout: 3h
  labels:
    - "ubuntu-latest:host"
    - "linux:host"
    - "node:docker://node:20-bookworm"
container:
  privileged: true
  valid_volumes: ["/home/koder/dev/koder"]
host:
  workdir_parent: /home/koder/.cache/act
`;

const RUNNER_FILE = JSON.stringify({
  WARNING: "generated",
  id: 3,
  uuid: "u",
  name: "koder-laptop",
  token: "SECRET-RUNNER-TOKEN",
  address: "https://flow.example.org",
  labels: ["ubuntu-latest:host", "linux:host"],
});

test("an act_runner setup becomes roles that validate, labels and mode carried over", () => {
  const out = importActRunner(CONFIG_YAML, RUNNER_FILE);
  const { config, problems } = validateConfigText(out.toml, "imported.toml");
  assert.deepEqual(problems, []);
  const host = config?.role.find((r) => r.backend === "host");
  const docker = config?.role.find((r) => r.backend === "docker");
  assert.deepEqual(host?.labels, ["ubuntu-latest", "linux"]);
  assert.equal(host?.name, "linux");
  assert.equal(host?.capacity, 2);
  assert.deepEqual(host?.env, { GOFLAGS: "-mod=mod" });
  assert.equal(docker?.image, "node:20-bookworm");
  assert.deepEqual(docker?.labels, ["node"]);
  assert.equal(config?.forge.url, "https://flow.example.org");
  assert.equal(config?.runner.workdir_parent, "/home/koder/.cache/act");
});

test("the import says what to change and never copies the old runner's token", () => {
  const out = importActRunner(CONFIG_YAML, RUNNER_FILE);
  assert.doesNotMatch(out.toml, /SECRET-RUNNER-TOKEN/);
  const text = out.changes.join("\n");
  assert.match(text, /ubuntu-latest.*GitHub-hosted/);
  assert.match(text, /host mode carried over/);
  assert.match(text, /privileged/);
  assert.match(text, /valid_volumes/);
  assert.match(text, /pool decommission koder-laptop/);
});

test("without a .runner file the .runner labels are not needed and the forge is left out", () => {
  const out = importActRunner("runner:\n  labels: ['linux:host']\n");
  const { config, problems } = validateConfigText(out.toml, "i.toml");
  assert.deepEqual(problems, []);
  assert.equal(config?.forge.url, undefined);
  assert.deepEqual(config?.role[0]?.labels, ["linux"]);
});
