import { parse } from "yaml";
import type { JobRequest } from "../executor/index.js";
import { resultFromWire, type Task } from "../protocol/index.js";
import { normaliseRunsOn } from "../workflow/index.js";

const decoder = new TextDecoder();

/** The protocol-free job the executor runs, from a forge's Task. */
export function decodeTask(task: Task): JobRequest {
  const needs: JobRequest["needs"] = {};
  for (const [id, need] of Object.entries(task.needs)) {
    // A finished need always carries a result; treat a missing one as failed rather than guess success.
    needs[id] = { outputs: { ...need.outputs }, result: resultFromWire(need.result) ?? "failure" };
  }
  return {
    payload: decoder.decode(task.workflowPayload ?? new Uint8Array()),
    context: { ...(task.context ?? {}) },
    secrets: { ...task.secrets },
    vars: { ...task.vars },
    needs,
  };
}

/**
 * Entries in the `steps:` of the payload's single job: the forge created one step row per entry and
 * expects a state for each. 0 when the payload cannot be read (the executor reports that failure).
 */
export function countSteps(payload: string): number {
  try {
    const doc = parse(payload) as { jobs?: Record<string, { steps?: unknown }> } | null;
    const jobs = Object.values(doc?.jobs ?? {});
    const steps = jobs.length === 1 ? jobs[0]?.steps : undefined;
    return Array.isArray(steps) ? steps.length : 0;
  } catch {
    return 0;
  }
}

/**
 * The `runs-on` of the payload's single job, as the forge planned it (Gitea evaluates matrix values into
 * it). Empty when the payload cannot be read or holds no single job: a guarded role then refuses it.
 */
export function payloadRunsOn(payload: string): string[] {
  try {
    const doc = parse(payload) as { jobs?: Record<string, { "runs-on"?: unknown }> } | null;
    const jobs = Object.values(doc?.jobs ?? {});
    return jobs.length === 1 ? normaliseRunsOn(jobs[0]?.["runs-on"]) : [];
  } catch {
    return [];
  }
}
