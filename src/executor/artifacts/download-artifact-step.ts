import { posix } from "node:path";
import { PoolError } from "../../lib/index.js";
import type { Step } from "../../workflow/index.js";
import type { StepContext, StepOutcome, StepRunner } from "../steps/step-runner.js";
import { ArtifactClient, artifactEndpoint, type RemoteArtifact } from "./artifact-client.js";
import { checkedJoin } from "./checked-join.js";
import { hostPath } from "./host-path.js";
import { pathGlobToRegExp } from "./path-glob.js";

function wanted(ctx: StepContext, all: RemoteArtifact[]): { artifacts: RemoteArtifact[]; single: boolean } {
  const name = (ctx.inputs.name ?? "").trim();
  if (name !== "") {
    const found = all.find((a) => a.name === name);
    if (!found) {
      throw new PoolError(
        "NOT_FOUND",
        `Unable to download artifact(s): Artifact not found for name: ${name}` +
          ` (this run has ${all.length === 0 ? "none" : all.map((a) => a.name).join(", ")})`,
      );
    }
    return { artifacts: [found], single: true };
  }
  let artifacts = all;
  const ids = (ctx.inputs["artifact-ids"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (ids.length > 0) artifacts = artifacts.filter((a) => ids.includes(String(a.id)));
  const pattern = (ctx.inputs.pattern ?? "").trim();
  if (pattern !== "") {
    const re = pathGlobToRegExp(pattern);
    artifacts = artifacts.filter((a) => re.test(a.name));
  }
  return { artifacts, single: ids.length === 1 };
}

/**
 * `actions/download-artifact@<any>` run natively: fetches artifacts of the same run from the
 * runnerpool coordinator, so a later job gets what an earlier one uploaded. Inputs `name` (absent:
 * all), `pattern`, `artifact-ids`, `path` (default the workspace), `merge-multiple`; output `download-path`.
 */
export const downloadArtifactStep: StepRunner = {
  kind: "download-artifact",
  defaultName: (step: Step) => `Run ${step.uses ?? "actions/download-artifact"}`,
  async main(ctx: StepContext): Promise<StepOutcome> {
    ctx.log.line(`Run ${ctx.step.uses ?? "actions/download-artifact"} (native)`);
    const { serverUrl, token, runId } = artifactEndpoint(ctx);
    const otherRun = (ctx.inputs["run-id"] ?? "").trim();
    if (otherRun !== "" && otherRun !== runId) {
      throw new PoolError(
        "POLICY_REFUSED",
        `run-id ${otherRun}: a job may only download artifacts of its own run (${runId})`,
      );
    }
    let target = (ctx.inputs.path ?? "").trim() || ctx.environment.workspace;
    if (target === "~" || target.startsWith("~/")) target = (ctx.env.HOME ?? "") + target.slice(1);
    const visible = posix.resolve(ctx.environment.workspace, target);
    const host = hostPath(ctx.environment, visible);
    const merge = (ctx.inputs["merge-multiple"] ?? "").trim().toLowerCase() === "true";
    const client = new ArtifactClient(serverUrl, token);
    try {
      const { artifacts, single } = wanted(ctx, await client.list(runId, ctx.signal));
      if (artifacts.length === 0) ctx.log.line("No artifacts found to download");
      for (const artifact of artifacts) {
        const dir = single || merge ? host : checkedJoin(host, artifact.name);
        ctx.log.line(`Downloading artifact ${artifact.name} (${artifact.files.length} files, ${artifact.size} bytes)`);
        for (const file of artifact.files) {
          await client.download(artifact, file, checkedJoin(dir, file.path), ctx.signal, ctx.environment.owner);
        }
      }
      ctx.log.line(`Downloaded ${artifacts.length} artifact(s) to ${visible}`);
      ctx.setOutput("download-path", visible);
      return "success";
    } finally {
      client.close();
    }
  },
};
