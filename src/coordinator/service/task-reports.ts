import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "../../lib/index.js";
import {
  MAX_OUTPUT_KEY_BYTES,
  MAX_OUTPUT_VALUE_BYTES,
  MAX_ROW_BYTES,
  Result,
  type RunnerService,
  resultFromWire,
  resultToWire,
  type StepState,
} from "../../protocol/index.js";
import type { Outbox } from "../engine/events.js";
import type { RunEngine } from "../engine/run-engine.js";
import type { Store } from "../store/db.js";
import type { RunnerRecord, StepStatus, TaskRecord } from "../store/records.js";
import { isFinal } from "../store/records.js";
import type { RunnerAuth } from "./auth.js";

function cut(content: string): string {
  if (Buffer.byteLength(content) <= MAX_ROW_BYTES) return content;
  return Buffer.from(content).subarray(0, MAX_ROW_BYTES).toString();
}

export function ms(t: Timestamp | undefined): number | null {
  return t === undefined ? null : timestampMs(t);
}

export interface TaskReportsOptions {
  store: Store;
  auth: RunnerAuth;
  engine: RunEngine;
  outbox: Outbox;
  logger: Logger;
}

type TaskReports = Pick<ServiceImpl<typeof RunnerService>, "updateTask" | "updateLog">;

/** UpdateTask and UpdateLog: a runner reports its task's state, outputs and log rows. */
export function createTaskReports(o: TaskReportsOptions): TaskReports {
  const { store, auth, engine, outbox } = o;

  const ownedTask = (runner: RunnerRecord, id: bigint): TaskRecord => {
    const task = store.tasks.get(Number(id));
    if (!task) throw new ConnectError(`task ${id} not found`, Code.NotFound);
    if (task.runnerId !== runner.id) throw new ConnectError("invalid runner for task", Code.PermissionDenied);
    return task;
  };

  const applySteps = (task: TaskRecord, states: StepState[]): void => {
    for (const step of store.tasks.steps(task.id)) {
      const s = states.find((x) => x.id === BigInt(step.index));
      if (!s) continue;
      const result = resultFromWire(s.result);
      const started = ms(s.startedAt);
      let status: StepStatus = step.status;
      if (result !== undefined) status = result;
      else if (started !== null) status = "running";
      store.tasks.updateStep(task.id, {
        index: step.index,
        status,
        logIndex: Number(s.logIndex),
        logLength: Number(s.logLength),
        started,
        stopped: ms(s.stoppedAt),
      });
      if (status !== step.status) outbox.step({ jobId: task.jobId, taskId: task.id, index: step.index, status });
    }
  };

  return {
    async updateTask(req, ctx) {
      const runner = await auth.authenticate(ctx.requestHeader);
      const state = req.state;
      if (!state) throw new ConnectError("missing task state", Code.InvalidArgument);
      const task = ownedTask(runner, state.id);
      const now = Date.now();
      store.runners.touch(runner.id, now, true);
      engine.atomically(() => {
        for (const [key, value] of Object.entries(req.outputs)) {
          if (Buffer.byteLength(key) > MAX_OUTPUT_KEY_BYTES || Buffer.byteLength(value) > MAX_OUTPUT_VALUE_BYTES) {
            o.logger.warn({ task: task.id, key: key.slice(0, 64) }, "task output dropped: key or value too long");
            continue;
          }
          store.tasks.addOutput(task.id, key, value);
        }
        if (isFinal(task.status)) return;
        applySteps(task, state.steps);
        const result = resultFromWire(state.result);
        if (result === undefined) {
          store.tasks.heartbeat(task.id, now);
          return;
        }
        engine.finishTask(task, result, ms(state.stoppedAt) ?? now);
        if (runner.ephemeral) {
          store.runners.delete(runner.id, now);
          auth.forget(runner.uuid);
        }
      });
      const status = store.tasks.get(task.id)!.status;
      return {
        state: { id: state.id, result: isFinal(status) ? resultToWire(status) : Result.UNSPECIFIED },
        sentOutputs: Object.keys(store.tasks.outputs(task.id)),
      };
    },

    async updateLog(req, ctx) {
      const runner = await auth.authenticate(ctx.requestHeader);
      const task = ownedTask(runner, req.taskId);
      const now = Date.now();
      store.runners.touch(runner.id, now, true);
      const ack = task.logLength;
      const index = Number(req.index);
      // A gap: the runner lost track; it rewinds to the ack and resends.
      if (index > ack) return { ackIndex: BigInt(ack) };
      const fresh = req.rows.slice(ack - index).map((r) => ({ time: ms(r.time) ?? now, content: cut(r.content) }));
      if (fresh.length > 0 && task.logArchived) {
        throw new ConnectError("log file has been archived", Code.AlreadyExists);
      }
      const length = ack + fresh.length;
      const archived = task.logArchived || req.noMore;
      if (fresh.length === 0 && archived === task.logArchived) return { ackIndex: BigInt(ack) };
      engine.atomically(() => {
        store.logs.append(task.id, ack, fresh);
        store.tasks.setLogLength(task.id, length, archived);
        if (!isFinal(task.status)) store.tasks.heartbeat(task.id, now);
        if (fresh.length > 0) {
          outbox.log({
            jobId: task.jobId,
            taskId: task.id,
            index: ack,
            rows: fresh.map((r) => ({ time: new Date(r.time).toISOString(), content: r.content })),
          });
        }
      });
      return { ackIndex: BigInt(length) };
    },
  };
}
