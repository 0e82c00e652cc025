import type { Diagnostic } from "./model.js";

type WorkflowParserModule = typeof import("@actions/workflow-parser");

let loaded: Promise<WorkflowParserModule | undefined> | undefined;

/**
 * @actions/workflow-parser imports its schema JSON without an import attribute, which plain
 * Node 20 refuses (workflow-libs.md §1). bin/runnerpool.js registers a JSON hook and tsx also copes;
 * anywhere else the import fails and schema checks are skipped.
 */
function load(): Promise<WorkflowParserModule | undefined> {
  loaded ??= import("@actions/workflow-parser").catch(() => undefined);
  return loaded;
}

/** Whether the GitHub schema checks can run in this process. */
export async function schemaCheckAvailable(): Promise<boolean> {
  return (await load()) !== undefined;
}

/**
 * Extra diagnostics from GitHub's workflow schema (types of values, unknown keys, …), all as
 * warnings with code "schema": the schema is GitHub's, and Gitea/Forgejo accept some things it
 * rejects (a job without runs-on, for one). Returns [] when the library cannot be loaded.
 */
export async function schemaDiagnostics(source: string, file: string): Promise<Diagnostic[]> {
  const lib = await load();
  if (!lib) return [];
  let errors: { rawMessage: string; range?: { start: { line: number; column: number } } }[];
  try {
    const result = lib.parseWorkflow({ name: file, content: source }, new lib.NoOperationTraceWriter());
    errors = result.context.errors.getErrors();
  } catch {
    return [];
  }
  return errors.map((e) => ({
    code: "schema",
    severity: "warning" as const,
    message: `GitHub schema: ${e.rawMessage}`,
    file,
    ...(e.range ? { line: e.range.start.line, col: e.range.start.column } : {}),
  }));
}
