import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Result, Runner, Task, TaskStateSchema } from "../protocol/index.js";

/** One job log line on its way to the forge. */
export interface LogRowInput {
  time: Date;
  content: string;
}

/**
 * What a runner needs from a forge. The protocol client satisfies it structurally; tests hand in fakes
 * that inject faults. Every method throws PoolError (FORGE_UNAUTHENTICATED, FORGE_UNAVAILABLE,
 * FORGE_ALREADY_EXISTS, FORGE_UNIMPLEMENTED, FORGE_ERROR, TASK_CANCELLED).
 */
export interface RunnerForge {
  ping(data: string, signal: AbortSignal): Promise<string>;
  register(
    request: {
      name: string;
      token: string;
      labels: string[];
      version: string;
      ephemeral?: boolean;
      capabilities?: string[];
    },
    signal: AbortSignal,
  ): Promise<Runner>;
  declare(
    request: { version: string; labels: string[]; capabilities?: string[] },
    signal: AbortSignal,
  ): Promise<Runner>;
  /**
   * `waitMs` > 0 asks a runnerpool coordinator to hold the call open until a task arrives; `requestKey`
   * (Forgejo's retry key) is the same on a retry of a fetch that failed, so a lost answer is sent again.
   */
  fetchTask(
    tasksVersion: bigint,
    signal: AbortSignal,
    waitMs?: number,
    requestKey?: string,
  ): Promise<{ task: Task | undefined; tasksVersion: bigint }>;
  updateTask(
    state: MessageInitShape<typeof TaskStateSchema>,
    outputs: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ result: Result; sentOutputs: string[] }>;
  /** Resolves with the ack index: how many rows of the task the forge now holds. */
  updateLog(
    request: { taskId: bigint; index: bigint; rows: LogRowInput[]; noMore: boolean },
    signal: AbortSignal,
  ): Promise<bigint>;
}
