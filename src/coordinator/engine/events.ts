import { EventEmitter } from "node:events";
import type { Logger } from "../../lib/index.js";
import type { JobStatus, RunStatus, StepStatus } from "../store/records.js";
import type { WakeQueue } from "./queue.js";

export interface JobEvent {
  jobId: number;
  runId: number;
  status: JobStatus;
}

export interface StepEvent {
  jobId: number;
  taskId: number;
  index: number;
  status: StepStatus;
}

export interface LogEvent {
  jobId: number;
  taskId: number;
  /** Task-wide index of rows[0]. */
  index: number;
  rows: { time: string; content: string }[];
}

export interface RunEvent {
  runId: number;
  status: RunStatus;
}

/** What one pushed ref did to one workflow: a run, or the reason there is none. */
export interface PushOutcome {
  repo: string;
  ref: string;
  /** The pushed commit (a tag is peeled to its commit). */
  sha: string;
  workflow: string;
  runId?: number;
  /** The workflow could not be read, parsed or planned; nothing was started for it. */
  error?: string;
  time: string;
}

export interface CoordinatorEventMap {
  job: [JobEvent];
  step: [StepEvent];
  log: [LogEvent];
  run: [RunEvent];
  /** A pushed workflow started a run, or could not (`error`). */
  push: [PushOutcome];
}

export type CoordinatorEvents = EventEmitter<CoordinatorEventMap>;

export function createCoordinatorEvents(): CoordinatorEvents {
  const events = new EventEmitter<CoordinatorEventMap>();
  // Dashboards, the CLI and waitForRun may all listen; the default cap of 10 would only warn.
  events.setMaxListeners(0);
  return events;
}

type Emission = {
  [K in keyof CoordinatorEventMap]: { name: K; payload: CoordinatorEventMap[K][0] };
}[keyof CoordinatorEventMap];

/**
 * Events and queue wake-ups collected during a transaction and delivered after it committed, so a
 * listener sees committed state and a throwing listener cannot roll a state change back.
 */
export class Outbox {
  readonly #events: CoordinatorEvents;
  readonly #queue: WakeQueue;
  readonly #logger: Logger;
  #pending: Emission[] = [];
  #wake = false;

  constructor(events: CoordinatorEvents, queue: WakeQueue, logger: Logger) {
    this.#events = events;
    this.#queue = queue;
    this.#logger = logger;
  }

  job(payload: JobEvent): void {
    this.#pending.push({ name: "job", payload });
  }

  step(payload: StepEvent): void {
    this.#pending.push({ name: "step", payload });
  }

  log(payload: LogEvent): void {
    this.#pending.push({ name: "log", payload });
  }

  run(payload: RunEvent): void {
    this.#pending.push({ name: "run", payload });
  }

  /** Held-open fetches should look at the queue again. */
  wake(): void {
    this.#wake = true;
  }

  /** Drops what a rolled-back transaction queued. */
  discard(): void {
    this.#pending = [];
    this.#wake = false;
  }

  flush(): void {
    const pending = this.#pending;
    const wake = this.#wake;
    this.#pending = [];
    this.#wake = false;
    if (wake) this.#queue.wake();
    for (const e of pending) {
      try {
        (this.#events.emit as (name: string, payload: unknown) => boolean)(e.name, e.payload);
      } catch (err) {
        this.#logger.warn({ err, event: e.name }, "coordinator event listener threw");
      }
    }
  }
}
