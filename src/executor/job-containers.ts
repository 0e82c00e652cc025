import { PoolError } from "../lib/index.js";
import { type EvaluateOptions, type ExpressionContexts, evaluateValue, type Job } from "../workflow/index.js";
import type { Backend, PrepareOptions } from "./backend.js";

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `container: image` and `container: {image: ...}` alike. */
function containerSpec(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : { image: value };
  return isRecord(value) ? value : undefined;
}

/**
 * The job's `container:` and `services:`, evaluated, for the backend to start. A backend without
 * containers cannot honour them: the job fails before it starts, saying where to run it instead.
 */
export function jobContainers(
  file: string,
  job: Job,
  backend: Backend,
  contexts: ExpressionContexts,
  options: EvaluateOptions,
): Pick<PrepareOptions, "container" | "services"> {
  const parts = [job.container !== undefined ? "container:" : "", job.services !== undefined ? "services:" : ""].filter(
    (x) => x !== "",
  );
  if (parts.length === 0) return {};
  const uses = parts.join(" and ");
  if (backend.containers !== true) {
    throw new PoolError(
      "BACKEND_UNAVAILABLE",
      `job '${job.id}' uses ${uses}, which ${parts.length > 1 ? "need" : "needs"} a container backend, but this runner's backend is '${backend.name}': run the job on a runner whose backend is docker or podman, or remove ${uses}`,
      { file, ...(job.position ? { line: job.position.line, col: job.position.col } : {}) },
    );
  }
  const out: Pick<PrepareOptions, "container" | "services"> = {};
  const container = containerSpec(evaluateValue(job.container, contexts, options));
  if (container) out.container = container;
  const services = evaluateValue(job.services, contexts, options);
  if (isRecord(services)) {
    out.services = {};
    for (const [name, spec] of Object.entries(services)) {
      const s = containerSpec(spec);
      if (s) out.services[name] = s;
    }
  }
  return out;
}
