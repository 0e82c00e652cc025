import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { jobContainerSpec } from "./job-container-spec.js";

describe("jobContainerSpec", () => {
  let workspace = "";
  before(async () => {
    workspace = await mkdtemp(join(tmpdir(), "spec-ws-"));
  });
  after(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  test("keeps env from env: and --env options, drops resource options and reads health options", async () => {
    const spec = await jobContainerSpec(
      "service 'db'",
      {
        image: "docker://pg:16",
        env: { A: "1", N: 2 },
        options: '--cpus 2 --memory=1g --health-cmd "pg_isready -U x" --health-retries 5 -e B=two --env=C=3',
      },
      workspace,
    );
    assert.equal(spec.image, "pg:16");
    assert.deepEqual(spec.env, { A: "1", N: "2", B: "two", C: "3" });
    assert.deepEqual(spec.cmd, []);
    assert.deepEqual(spec.health, { cmd: "pg_isready -U x", intervalMs: 30_000, timeoutMs: 30_000, retries: 5 });
  });

  test("reads health durations the way docker writes them", async () => {
    const spec = await jobContainerSpec(
      "s",
      { image: "x", options: "--health-cmd true --health-interval 1m30s --health-timeout 500ms" },
      workspace,
    );
    assert.equal(spec.health?.intervalMs, 90_000);
    assert.equal(spec.health?.timeoutMs, 500);
    await assert.rejects(
      jobContainerSpec("s", { image: "x", options: "--health-cmd true --health-interval soon" }, workspace),
      /"soon" is not a duration/,
    );
  });

  test("refuses options that would change the network or privileges, naming the option", async () => {
    await assert.rejects(
      jobContainerSpec("container", { image: "x", options: "--network host" }, workspace),
      /container: option "--network" is not supported/,
    );
    await assert.rejects(
      jobContainerSpec("container", { image: "x", options: "--privileged" }, workspace),
      /option "--privileged"/,
    );
  });

  test("maps workspace volumes to the host workspace and creates their sources", async () => {
    const spec = await jobContainerSpec(
      "container",
      { image: "x", volumes: ["./www:/www", "/workspace/data:/data:ro", "/scratch"] },
      workspace,
    );
    assert.deepEqual(spec.volumes, [
      `--volume=${join(workspace, "www")}:/www`,
      `--volume=${join(workspace, "data")}:/data:ro`,
      "--volume=/scratch",
    ]);
    assert.ok((await stat(join(workspace, "www"))).isDirectory());
  });

  test("takes a service's cmd as a list or a string", async () => {
    assert.deepEqual((await jobContainerSpec("s", { image: "x", cmd: ["a", 1] }, workspace)).cmd, ["a", "1"]);
    assert.deepEqual((await jobContainerSpec("s", { image: "x", command: "a 'b c'" }, workspace)).cmd, ["a", "b c"]);
  });

  test("refuses a spec without an image", async () => {
    await assert.rejects(jobContainerSpec("container", { env: {} }, workspace), /container: no image is given/);
  });
});
