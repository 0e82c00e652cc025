import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Backend,
  createHostBackend,
  type JobOutcome,
  type JobRequest,
  type RunJobOptions,
  runJob,
} from "../../src/executor/index.js";
import { RecordingSink } from "./recording-sink.js";

export interface TestJobOptions {
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  context?: Record<string, unknown>;
  needs?: JobRequest["needs"];
  env?: Record<string, string>;
  signal?: AbortSignal;
  sink?: RecordingSink;
  backend?: (workdirParent: string) => Backend;
  seedWorkspace?: string;
  actions?: RunJobOptions["actions"];
  secretsDir?: string;
}

export interface TestJobResult {
  outcome: JobOutcome;
  sink: RecordingSink;
  /** What was left in the backend's directory after the job (should be nothing). */
  leftovers: string[];
}

export const TEST_CONTEXT: Record<string, unknown> = {
  sha: "0123456789abcdef0123456789abcdef01234567",
  ref: "refs/heads/main",
  ref_name: "main",
  ref_type: "branch",
  repository: "owner/repo",
  repository_owner: "owner",
  run_id: "42",
  run_number: "7",
  run_attempt: "1",
  job: "test",
  actor: "alice",
  event_name: "push",
  server_url: "http://127.0.0.1:3000/",
  api_url: "http://127.0.0.1:3000/api/v1",
  workflow: "ci.yml",
  token: "task-token-0123456789",
  event: { ref: "refs/heads/main", head_commit: { message: "hello" } },
};

/** Runs a payload on a real host backend in a fresh temp dir, with a recording sink. */
export async function runTestJob(payload: string, options: TestJobOptions = {}): Promise<TestJobResult> {
  const parent = await mkdtemp(join(tmpdir(), "run-job-"));
  const sink = options.sink ?? new RecordingSink();
  try {
    const backend = options.backend?.(parent) ?? createHostBackend({ workdirParent: parent });
    const outcome = await runJob({
      request: {
        payload,
        context: { ...TEST_CONTEXT, ...options.context },
        secrets: { GITHUB_TOKEN: "task-token-0123456789", ...options.secrets },
        vars: options.vars ?? {},
        needs: options.needs ?? {},
      },
      backend,
      sink,
      signal: options.signal ?? new AbortController().signal,
      runnerName: "test-runner",
      ...(options.env ? { env: options.env } : {}),
      ...(options.seedWorkspace ? { seedWorkspace: options.seedWorkspace } : {}),
      ...(options.actions ? { actions: options.actions } : {}),
      ...(options.secretsDir ? { secretsDir: options.secretsDir } : {}),
    });
    const leftovers = (await readdir(parent)).filter((n) => !n.startsWith("."));
    return { outcome, sink, leftovers };
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

/** A single-job workflow around the given `steps:` YAML (indented by 6 spaces in the result). */
export function payloadWithSteps(steps: string, jobExtra = "", workflowExtra = ""): string {
  const indent = (text: string, n: number) =>
    text
      .split("\n")
      .map((l) => (l.trim() === "" ? "" : " ".repeat(n) + l))
      .join("\n");
  return [
    "name: ci",
    "on: push",
    workflowExtra,
    "jobs:",
    "  test:",
    "    runs-on: self-hosted",
    indent(jobExtra, 4),
    "    steps:",
    indent(steps, 6),
    "",
  ]
    .filter((l) => l !== "")
    .join("\n");
}
