import type { JobResult } from "../lib/index.js";
import { Result } from "./gen/runner/v1/messages_pb.js";

// Re-exported so protocol users keep one import; the union itself lives in lib.
export type { JobResult };

const TO_WIRE: Record<JobResult, Result> = {
  success: Result.SUCCESS,
  failure: Result.FAILURE,
  cancelled: Result.CANCELLED,
  skipped: Result.SKIPPED,
};

export function resultToWire(r: JobResult): Result {
  return TO_WIRE[r];
}

/** UNSPECIFIED (task still running) and numbers a newer forge might add give undefined. */
export function resultFromWire(r: Result): JobResult | undefined {
  switch (r) {
    case Result.SUCCESS:
      return "success";
    case Result.FAILURE:
      return "failure";
    case Result.CANCELLED:
      return "cancelled";
    case Result.SKIPPED:
      return "skipped";
    default:
      return undefined;
  }
}
