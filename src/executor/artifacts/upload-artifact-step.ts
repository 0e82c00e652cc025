import { PoolError } from "../../lib/index.js";
import type { Step } from "../../workflow/index.js";
import type { StepContext, StepOutcome, StepRunner } from "../steps/step-runner.js";
import { ArtifactClient, artifactEndpoint } from "./artifact-client.js";
import { collectUploadFiles, type UploadFile } from "./artifact-files.js";
import { hostPath } from "./host-path.js";

const PARALLEL_UPLOADS = 4;

function flag(ctx: StepContext, name: string): boolean {
  const value = (ctx.inputs[name] ?? "").trim().toLowerCase();
  if (value === "" || value === "false") return false;
  if (value === "true") return true;
  throw new PoolError("INVALID_ARGUMENT", `input ${name} '${ctx.inputs[name]}' is not true or false`);
}

async function uploadAll(
  client: ArtifactClient,
  uploadId: string,
  files: UploadFile[],
  signal: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++] as UploadFile;
      await client.putFile(uploadId, file.path, file.source, file.size, signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, files.length) }, worker));
}

/**
 * `actions/upload-artifact@<any>` run natively against the runnerpool coordinator's artifact API:
 * inputs `name`, `path`, `if-no-files-found`, `retention-days`, `overwrite`, `include-hidden-files`
 * (`compression-level` is accepted and ignored); outputs `artifact-id` and `artifact-url`.
 */
export const uploadArtifactStep: StepRunner = {
  kind: "upload-artifact",
  defaultName: (step: Step) => `Run ${step.uses ?? "actions/upload-artifact"}`,
  async main(ctx: StepContext): Promise<StepOutcome> {
    ctx.log.line(`Run ${ctx.step.uses ?? "actions/upload-artifact"} (native)`);
    const name = (ctx.inputs.name ?? "").trim() || "artifact";
    const pathText = ctx.inputs.path ?? "";
    if (pathText.trim() === "") {
      ctx.log.error("Input required and not supplied: path");
      return "failure";
    }
    const ifNone = (ctx.inputs["if-no-files-found"] ?? "").trim().toLowerCase() || "warn";
    if (ifNone !== "warn" && ifNone !== "error" && ifNone !== "ignore") {
      throw new PoolError("INVALID_ARGUMENT", `input if-no-files-found '${ifNone}' is not warn, error or ignore`);
    }
    const retentionText = (ctx.inputs["retention-days"] ?? "").trim();
    const retentionDays = retentionText === "" ? undefined : Number(retentionText);
    if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays >= 0)) {
      throw new PoolError("INVALID_ARGUMENT", `input retention-days '${retentionText}' is not a whole number of days`);
    }
    const { files, root } = collectUploadFiles(pathText, {
      toHost: (p) => hostPath(ctx.environment, p),
      workspace: ctx.environment.workspace,
      home: ctx.env.HOME,
      includeHidden: flag(ctx, "include-hidden-files"),
    });
    if (files.length === 0) {
      const text = `No files were found with the provided path: ${pathText.trim()}. No artifacts will be uploaded.`;
      if (ifNone === "error") {
        ctx.log.error(text);
        return "failure";
      }
      if (ifNone === "warn") ctx.log.warning(text);
      else ctx.log.line(text);
      return "success";
    }
    ctx.log.line(`With the provided path, there will be ${files.length} file(s) uploaded`);
    ctx.log.line(`Root directory: ${root}`);
    const { serverUrl, token } = artifactEndpoint(ctx);
    const client = new ArtifactClient(serverUrl, token);
    try {
      const uploadId = await client.begin(
        { name, overwrite: flag(ctx, "overwrite"), ...(retentionDays ? { retentionDays } : {}) },
        ctx.signal,
      );
      try {
        await uploadAll(client, uploadId, files, ctx.signal);
      } catch (err) {
        await client.abort(uploadId, AbortSignal.timeout(5_000)).catch(() => undefined);
        throw err;
      }
      const artifact = await client.finalize(uploadId, ctx.signal);
      ctx.log.line(
        `Artifact ${artifact.name} has been successfully uploaded! Final size is ${artifact.size} bytes. Artifact ID is ${artifact.id}`,
      );
      ctx.setOutput("artifact-id", String(artifact.id));
      ctx.setOutput("artifact-url", client.archiveUrl(artifact.runId, artifact.name));
      return "success";
    } finally {
      client.close();
    }
  },
};
