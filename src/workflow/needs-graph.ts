import type { Diagnostic, Job } from "./model.js";

/** Reports `needs` that name no job, and each dependency cycle once (at the job that closes it). */
export function checkNeedsGraph(jobs: readonly Job[], file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const at = (job: Job) => (job.position ? { line: job.position.line, col: job.position.col } : {});

  for (const job of jobs) {
    for (const need of job.needs) {
      if (!byId.has(need)) {
        diagnostics.push({
          code: "needs-unknown",
          severity: "error",
          message: `job '${job.id}' needs unknown job '${need}': use one of the job ids under 'jobs:'`,
          file,
          ...at(job),
        });
      }
    }
  }

  // Depth-first search; a back edge to a job still on the stack closes a cycle.
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (job: Job): void => {
    state.set(job.id, "visiting");
    stack.push(job.id);
    for (const need of job.needs) {
      const next = byId.get(need);
      if (!next) continue;
      const s = state.get(need);
      if (s === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(need)), need];
        diagnostics.push({
          code: "needs-cycle",
          severity: "error",
          message: `job '${job.id}' needs '${need}', which creates the cycle ${cycle.map((c) => `'${c}'`).join(" -> ")}: remove one of these needs`,
          file,
          ...at(job),
        });
      } else if (s === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(job.id, "done");
  };
  for (const job of jobs) if (!state.has(job.id)) visit(job);
  return diagnostics;
}
