import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { type Timestamp, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "../../lib/index.js";
import {
  MAX_WAIT_MS,
  Result,
  RunnerSchema,
  type RunnerService,
  resultFromWire,
  resultToWire,
  type StepState,
  WAIT_HEADER,
} from "../../protocol/index.js";
import type { Outbox } from "../engine/events.js";
import type { Picker } from "../engine/picker.js";
import type { WakeQueue } from "../engine/queue.js";
import type { RunEngine } from "../engine/run-engine.js";
import type { Store } from "../store/db.js";
import type { RunnerRecord, StepStatus, TaskRecord } from "../store/records.js";
import { isFinal } from "../store/records.js";
import type { RunnerAuth } from "./auth.js";
import { newSaltedToken } from "./tokens.js";

export interface RunnerServiceOptions {
  store: Store;
  auth: RunnerAuth;
  engine: RunEngine;
  picker: Picker;
  queue: WakeQueue;
  outbox: Outbox;
  logger: Logger;
  /** True once the coordinator is closing: held-open fetches return at once. */
  closed: () => boolean;
  /** Runner set or labels changed (the unservable check may change its mind). */
  onRunnersChanged: () => void;
}

const MAX_OUTPUT_KEY_BYTES = 255;
const MAX_OUTPUT_VALUE_BYTES = 1024 * 1024;
/** Gitea's MaxLineSize: one row is one display line, cut at 64 KiB. */
const MAX_ROW_BYTES = 64 * 1024;

function cut(content: string): string {
  if (Buffer.byteLength(content) <= MAX_ROW_BYTES) return content;
  return Buffer.from(content).subarray(0, MAX_ROW_BYTES).toString();
}

function ms(t: Timestamp | undefined): number | null {
  return t === undefined ? null : timestampMs(t);
}

function waitMsOf(ctx: HandlerContext): number {
  const n = Number(ctx.requestHeader.get(WAIT_HEADER) ?? "0");
  return Number.isFinite(n) && n > 0 ? Math.min(n, MAX_WAIT_MS) : 0;
}

function runnerMessage(r: RunnerRecord, token: string) {
  return create(RunnerSchema, {
    id: BigInt(r.id),
    uuid: r.uuid,
    token,
    name: r.name,
    version: r.version,
    labels: r.labels,
    ephemeral: r.ephemeral,
  });
}

/** runner.v1.RunnerService with Gitea's semantics (forge-protocol section 3) and Forgejo's real error codes. */
export function createRunnerService(o: RunnerServiceOptions): ServiceImpl<typeof RunnerService> {
  const { store, auth, engine, picker, queue, outbox } = o;

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
    register(req) {
      if (req.token === "" || req.name === "") {
        throw new ConnectError("missing runner token, name", Code.InvalidArgument);
      }
      const reg = store.registrationTokens.find(req.token);
      if (!reg) throw new ConnectError("runner registration token not found", Code.NotFound);
      if (!reg.isActive) {
        throw new ConnectError(
          "runner registration token has been invalidated, please use the latest one",
          Code.PermissionDenied,
        );
      }
      const secret = newSaltedToken();
      // Gitea <= 1.20 runners sent labels only as agent_labels (field 3).
      const labels = req.labels.length > 0 ? req.labels : req.agentLabels;
      const runner = store.runners.insert(
        {
          uuid: randomUUID(),
          name: req.name.slice(0, 255),
          tokenHash: secret.hash,
          tokenSalt: secret.salt,
          labels,
          version: req.version.slice(0, 64),
          ephemeral: req.ephemeral,
        },
        Date.now(),
      );
      o.logger.info({ runner: runner.name, labels }, "runner registered");
      o.onRunnersChanged();
      return { runner: runnerMessage(runner, secret.token) };
    },

    declare(req, ctx) {
      const runner = auth.authenticate(ctx.requestHeader);
      store.runners.declare(runner.id, req.labels, req.version.slice(0, 64));
      store.runners.touch(runner.id, Date.now(), false);
      o.onRunnersChanged();
      return { runner: runnerMessage(store.runners.get(runner.id)!, "") };
    },

    async fetchTask(req, ctx) {
      let runner = auth.authenticate(ctx.requestHeader);
      store.runners.touch(runner.id, Date.now(), false);
      const latest = () => BigInt(store.counters.tasksVersion());
      if (req.tasksVersion !== latest()) {
        const picked = picker.pick(runner);
        if (picked) return { task: picked.task, tasksVersion: latest() };
      }
      const waitMs = waitMsOf(ctx);
      const deadline = Date.now() + waitMs;
      while (waitMs > 0 && !o.closed()) {
        const why = await queue.wait(deadline - Date.now(), ctx.signal);
        if (why !== "woken" || o.closed()) break;
        // A runner that gave up on this call (drain, shutdown) may not have been noticed yet: let pending
        // socket events land before claiming a job the response could never deliver.
        await new Promise((r) => setImmediate(r));
        if (ctx.signal.aborted) break;
        // Labels may have been re-declared, or the runner deleted, while this call was parked.
        const current = store.runners.findByUuid(runner.uuid);
        if (!current) break;
        runner = current;
        const picked = picker.pick(runner);
        if (picked && ctx.signal.aborted) {
          picker.release(picked);
          queue.wake();
          break;
        }
        if (picked) return { task: picked.task, tasksVersion: latest() };
      }
      if (o.closed()) return { tasksVersion: req.tasksVersion };
      return { tasksVersion: latest() };
    },

    updateTask(req, ctx) {
      const runner = auth.authenticate(ctx.requestHeader);
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

    updateLog(req, ctx) {
      const runner = auth.authenticate(ctx.requestHeader);
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
