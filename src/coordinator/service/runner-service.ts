import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  MAX_WAIT_MS,
  REQUEST_KEY_HEADER,
  RunnerSchema,
  type RunnerService,
  WAIT_HEADER,
} from "../../protocol/index.js";
import type { Picker } from "../engine/picker.js";
import type { WakeQueue } from "../engine/queue.js";
import type { RunnerRecord } from "../store/records.js";
import { createTaskReports, type TaskReportsOptions } from "./task-reports.js";
import { newSaltedToken } from "./tokens.js";

export interface RunnerServiceOptions extends TaskReportsOptions {
  picker: Picker;
  queue: WakeQueue;
  /** True once the coordinator is closing: held-open fetches return at once. */
  closed: () => boolean;
  /** Runner set or labels changed (the unservable check may change its mind). */
  onRunnersChanged: () => void;
  /** A runner declared itself, which it does once per start: what it held before is lost. */
  onRunnerStarted: (runner: RunnerRecord) => void;
}

function waitMsOf(ctx: HandlerContext): number {
  const n = Number(ctx.requestHeader.get(WAIT_HEADER) ?? "0");
  return Number.isFinite(n) && n > 0 ? Math.min(n, MAX_WAIT_MS) : 0;
}

/** Forgejo's retry key: a UUID-like token the runner keeps until a fetch is answered. */
function requestKeyOf(ctx: HandlerContext): string | undefined {
  const key = ctx.requestHeader.get(REQUEST_KEY_HEADER)?.trim() ?? "";
  return key === "" || key.length > 128 ? undefined : key;
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
  const { store, auth, picker, queue } = o;

  const reports = createTaskReports(o);

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

    async declare(req, ctx) {
      const runner = await auth.authenticate(ctx.requestHeader);
      store.runners.declare(runner.id, req.labels, req.version.slice(0, 64));
      store.runners.touch(runner.id, Date.now(), false);
      o.onRunnerStarted(runner);
      o.onRunnersChanged();
      return { runner: runnerMessage(store.runners.get(runner.id)!, "") };
    },

    async fetchTask(req, ctx) {
      let runner = await auth.authenticate(ctx.requestHeader);
      store.runners.touch(runner.id, Date.now(), false);
      const latest = () => BigInt(store.counters.tasksVersion());
      const key = requestKeyOf(ctx);
      if (key !== undefined) {
        // The answer to a fetch with this key was lost on the way (Forgejo): send the same task again.
        const recovered = picker.recover(runner, key);
        if (recovered) return { task: recovered.task, tasksVersion: 0n };
      }
      if (req.tasksVersion !== latest()) {
        const picked = picker.pick(runner, key);
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
        const picked = picker.pick(runner, key);
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

    ...reports,
  };
}
