import type { Severity } from "./finding.js";
import type { RoleLabels } from "./role-labels.js";
import type { WorkflowFile } from "./workflow-file.js";

export interface RuleContext {
  wf: WorkflowFile;
  /** The pool's roles when `--config` was given; rules fall back to built-in knowledge without it. */
  roles?: readonly RoleLabels[];
}

/** A rule's raw result: where (source offset) and what; audit turns it into a Finding. */
export interface RuleHit {
  offset: number;
  message: string;
  fix: string;
  /** Overrides the rule's default severity for this hit. */
  severity?: Severity;
}

/** One audit rule; its metadata also feeds the SARIF `rules[]` table. */
export interface Rule {
  id: string;
  severity: Severity;
  shortDescription: string;
  help: string;
  check(ctx: RuleContext): RuleHit[];
}
