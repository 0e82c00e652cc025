import { create } from "@bufbuild/protobuf";
import { resultToWire, type Task, TaskNeedSchema, TaskSchema } from "../../protocol/index.js";
import type { Store } from "../store/db.js";
import type { JobRecord } from "../store/records.js";
import { type TaskContextInput, taskContext } from "./github-context.js";
import { collectNeeds } from "./needs.js";

export interface TaskMessageInput extends TaskContextInput {
  store: Store;
  jobsOfRun: readonly JobRecord[];
  taskId: number;
  /** The task token in clear; only this message ever carries it. */
  token: string;
  secrets: Record<string, string>;
}

/** The Task a runner receives from FetchTask (forge-protocol section 4). */
export function buildTaskMessage(input: TaskMessageInput): Task {
  const { run, job, token } = input;
  const needs = collectNeeds(input.store, job, input.jobsOfRun);
  return create(TaskSchema, {
    id: BigInt(input.taskId),
    workflowPayload: new TextEncoder().encode(job.payload),
    context: taskContext(input, token),
    // The task token is GITHUB_TOKEN/GITEA_TOKEN; a run secret of that name cannot override it.
    secrets: { ...input.secrets, GITHUB_TOKEN: token, GITEA_TOKEN: token },
    vars: { ...run.vars },
    needs: Object.fromEntries(
      Object.entries(needs).map(([id, n]) => [
        id,
        create(TaskNeedSchema, { outputs: n.outputs, result: resultToWire(n.result) }),
      ]),
    ),
  });
}
