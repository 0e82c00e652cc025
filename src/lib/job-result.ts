/** Every way a job, a step or a needed job can end, as the forge, the store and the executor spell it. */
export const JOB_RESULTS = ["success", "failure", "cancelled", "skipped"] as const;

/** How a job, step or needed job ended. */
export type JobResult = (typeof JOB_RESULTS)[number];

const NAMES: ReadonlySet<string> = new Set(JOB_RESULTS);

/** Narrows text from a store row, a CLI flag or a JSON file to a result. */
export function isJobResult(value: unknown): value is JobResult {
  return typeof value === "string" && NAMES.has(value);
}
