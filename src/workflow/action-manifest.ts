import { checkExpressions } from "./expression-check.js";
import type { Diagnostic, Step } from "./model.js";
import { buildStep } from "./parse.js";
import { collectDiagnostics, type Report } from "./report.js";
import { YamlSource } from "./yaml-source.js";

export interface ActionInput {
  description?: string;
  required: boolean;
  /** Unevaluated; may hold `${{ }}`. */
  default?: string;
  deprecationMessage?: string;
}

export interface ActionOutput {
  description?: string;
  /** Composite actions: `${{ steps.x.outputs.y }}`. */
  value?: string;
}

export type ActionRuns =
  | { using: "node"; runtime: string; main: string; pre?: string; post?: string; preIf?: string; postIf?: string }
  | { using: "composite"; steps: Step[] }
  | {
      using: "docker";
      image: string;
      entrypoint?: string;
      preEntrypoint?: string;
      postEntrypoint?: string;
      preIf?: string;
      postIf?: string;
      args: string[];
      env: Record<string, string>;
    };

/** An action's `action.yml`, as the runner executes it. */
export interface ActionManifest {
  file: string;
  name?: string;
  description?: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, ActionOutput>;
  runs: ActionRuns;
}

export interface ActionParseResult {
  /** Undefined when any error was found: an action with a broken manifest does not run. */
  action?: ActionManifest;
  diagnostics: Diagnostic[];
}

const NODE_RUNTIMES = new Set(["node12", "node16", "node20", "node24"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : String(v);
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/**
 * Reads an action's metadata file (`action.yml`). Lenient where act is (no `name` or `description`
 * needed), strict where running would go wrong: `runs.using` must be known, a node action needs
 * `main`, a composite needs `steps` whose `run:` entries name a `shell`. Every problem names the
 * file, line and column.
 */
export function parseActionManifest(source: string, file: string): ActionParseResult {
  const yaml = new YamlSource(source, file);
  if (yaml.syntaxErrors.length > 0) return { diagnostics: yaml.syntaxErrors };
  const { diagnostics, report } = collectDiagnostics(file);
  const root = yaml.value;
  if (!isRecord(root)) {
    report("not-a-mapping", "error", "the action metadata is not a mapping: add 'runs:'", yaml.positionOf([]));
    return { diagnostics };
  }
  const inputs: Record<string, ActionInput> = {};
  for (const [name, raw] of Object.entries(isRecord(root.inputs) ? root.inputs : {})) {
    const r = isRecord(raw) ? raw : {};
    const input: ActionInput = { required: r.required === true || r.required === "true" };
    setIf(input, "description", text(r.description));
    setIf(input, "default", text(r.default));
    setIf(input, "deprecationMessage", text(r.deprecationMessage));
    inputs[name] = input;
  }
  const outputs: Record<string, ActionOutput> = {};
  for (const [name, raw] of Object.entries(isRecord(root.outputs) ? root.outputs : {})) {
    const r = isRecord(raw) ? raw : {};
    const output: ActionOutput = {};
    setIf(output, "description", text(r.description));
    setIf(output, "value", text(r.value));
    outputs[name] = output;
  }
  const runs = readRuns(root.runs, yaml, report);
  diagnostics.push(...checkExpressions(yaml));
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  if (runs === undefined || diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  const action: ActionManifest = { file, inputs, outputs, runs };
  setIf(action, "name", text(root.name));
  setIf(action, "description", text(root.description));
  return { action, diagnostics };
}

function readRuns(raw: unknown, yaml: YamlSource, report: Report): ActionRuns | undefined {
  if (!isRecord(raw)) {
    report(
      "runs-missing",
      "error",
      "the action has no 'runs:' mapping: add 'runs: {using: ...}'",
      yaml.positionOf(["runs"], []),
    );
    return undefined;
  }
  const using = (text(raw.using) ?? "").trim();
  const at = yaml.positionOf(["runs", "using"], ["runs"]);
  if (NODE_RUNTIMES.has(using.toLowerCase())) {
    const main = text(raw.main);
    if (main === undefined || main.trim() === "") {
      report(
        "runs-main-missing",
        "error",
        `a '${using}' action needs 'runs.main': name its entry script`,
        yaml.positionOf(["runs"]),
      );
      return undefined;
    }
    const runs: ActionRuns = { using: "node", runtime: using.toLowerCase(), main };
    setIf(runs, "pre", text(raw.pre));
    setIf(runs, "post", text(raw.post));
    setIf(runs, "preIf", text(raw["pre-if"]));
    setIf(runs, "postIf", text(raw["post-if"]));
    return runs;
  }
  if (using === "composite") {
    if (!Array.isArray(raw.steps)) {
      report(
        "runs-steps-missing",
        "error",
        "a composite action needs 'runs.steps': list its steps",
        yaml.positionOf(["runs"]),
      );
      return undefined;
    }
    const steps = raw.steps.map((s, i) => buildStep(s, i, ["runs", "steps", i], yaml, report));
    for (const step of steps) {
      if (step.run !== undefined && step.shell === undefined)
        report(
          "composite-shell-missing",
          "error",
          `composite step ${step.index + 1} has 'run' but no 'shell': add 'shell: bash'`,
          step.position,
        );
    }
    return { using: "composite", steps };
  }
  if (using === "docker") {
    const image = text(raw.image);
    if (image === undefined || image.trim() === "") {
      report(
        "runs-image-missing",
        "error",
        "a docker action needs 'runs.image': 'Dockerfile' or 'docker://image'",
        yaml.positionOf(["runs"]),
      );
      return undefined;
    }
    const runs: ActionRuns = {
      using: "docker",
      image,
      args: Array.isArray(raw.args) ? raw.args.map((a) => text(a) ?? "") : [],
      env: Object.fromEntries(Object.entries(isRecord(raw.env) ? raw.env : {}).map(([k, v]) => [k, text(v) ?? ""])),
    };
    setIf(runs, "entrypoint", text(raw.entrypoint));
    setIf(runs, "preEntrypoint", text(raw["pre-entrypoint"]));
    setIf(runs, "postEntrypoint", text(raw["post-entrypoint"]));
    setIf(runs, "preIf", text(raw["pre-if"]));
    setIf(runs, "postIf", text(raw["post-if"]));
    return runs;
  }
  report(
    "runs-using-invalid",
    "error",
    `runs.using '${using}' is not supported: use node20, node24, composite or docker`,
    at,
  );
  return undefined;
}
