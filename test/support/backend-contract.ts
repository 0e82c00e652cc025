import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, chown, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Backend, JobEnvironment } from "../../src/executor/index.js";
import { isProcessAlive } from "../../src/lib/index.js";

export interface BackendContractOptions {
  name: string;
  /** A backend whose job directories live below `workdirParent` (a fresh temp dir per suite). */
  create(workdirParent: string): Backend | Promise<Backend>;
  /** Skips the whole suite, with the reason (e.g. the engine is missing). */
  skip?: string | false;
  /** Test names to skip, each with its reason. */
  skipTests?: Record<string, string>;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a shell snippet in the job's workspace and collects its output. */
export async function run(
  env: JobEnvironment,
  script: string,
  options: { cwd?: string; env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<ExecResult> {
  let stdout = "";
  let stderr = "";
  const code = await env.exec(["sh", "-c", script], {
    cwd: options.cwd ?? env.workspace,
    env: { ...env.baseEnv, ...options.env },
    signal: options.signal ?? new AbortController().signal,
    onStdout: (c) => {
      stdout += c.toString();
    },
    onStderr: (c) => {
      stderr += c.toString();
    },
  });
  return { code, stdout, stderr };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

/** Host pids of processes whose command line contains `marker`. */
export function pidsWithMarker(marker: string): number[] {
  const out = spawnSync("pgrep", ["-f", marker], { encoding: "utf8" });
  return out.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(Number)
    .filter((pid) => pid !== process.pid && isProcessAlive(pid));
}

const never = () => new AbortController().signal;

/** What each group of contract tests gets: `check` a test unless skipped, `prepare` a job disposed at the end. */
interface ContractSuite {
  check(name: string, fn: () => Promise<void>): void;
  prepare(jobKey?: string): Promise<JobEnvironment>;
}

/**
 * The behaviour every backend must show. Each implementation's test file calls this; a new
 * backend is done when the suite passes without skips it cannot justify.
 */
export function runBackendContract(options: BackendContractOptions): void {
  describe(`backend contract: ${options.name}`, { skip: options.skip || false }, () => {
    const suite = contractSuite(options);
    execContract(suite);
    cleanupContract(suite);
    isolationContract(suite);
  });
}

/** A fresh backend below a temp dir for one suite; every job it prepared is disposed after it. */
function contractSuite(options: BackendContractOptions): ContractSuite {
  let parent = "";
  let backend: Backend;
  const open: JobEnvironment[] = [];
  before(async () => {
    parent = await mkdtemp(join(tmpdir(), `contract-${options.name}-`));
    backend = await options.create(parent);
  });
  after(async () => {
    for (const env of open) await env.dispose(never()).catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  });
  return {
    check: (name, fn) => {
      test(name, { skip: options.skipTests?.[name] ?? false }, fn);
    },
    prepare: async (jobKey = `job-${randomUUID()}`) => {
      const env = await backend.prepare({ jobKey, signal: never() });
      open.push(env);
      return env;
    },
  };
}

/** Running processes: workspace, environment, exit code, output, working directory. */
function execContract({ check, prepare }: ContractSuite): void {
  check("prepares an empty workspace, even when a job with the same key left files", async () => {
    const first = await prepare("same-key");
    await writeFile(join(first.hostWorkspace, "left-behind"), "x");
    const second = await prepare("same-key");
    assert.deepEqual(await readdir(second.hostWorkspace), []);
    const listed = await run(second, "ls -A .");
    assert.equal(listed.code, 0);
    assert.equal(listed.stdout, "");
  });

  check("passes the given environment and nothing of the runner's own", async () => {
    process.env.RUNNERPOOL_CONTRACT_LEAK = "leaked";
    try {
      const env = await prepare();
      const r = await run(env, "env", { env: { CONTRACT_VALUE: "a b=c" } });
      assert.match(r.stdout, /^CONTRACT_VALUE=a b=c$/m);
      assert.doesNotMatch(r.stdout, /RUNNERPOOL_CONTRACT_LEAK/);
    } finally {
      delete process.env.RUNNERPOOL_CONTRACT_LEAK;
    }
  });

  check("resolves with the process's exit code", async () => {
    const env = await prepare();
    assert.equal((await run(env, "exit 7")).code, 7);
    assert.equal((await run(env, "true")).code, 0);
  });

  check("streams stdout and stderr separately", async () => {
    const env = await prepare();
    const r = await run(env, "echo to-out; echo to-err >&2");
    assert.equal(r.stdout, "to-out\n");
    assert.equal(r.stderr, "to-err\n");
  });

  check("runs in the given working directory", async () => {
    const env = await prepare();
    await mkdir(join(env.hostWorkspace, "sub", "dir"), { recursive: true });
    const r = await run(env, "pwd", { cwd: `${env.workspace}/sub/dir` });
    assert.equal(r.stdout.trim(), `${env.workspace}/sub/dir`);
  });

  check("shares the workspace between the host side and the processes", async () => {
    const env = await prepare();
    await writeFile(join(env.hostWorkspace, "from-host"), "hello");
    const r = await run(env, "cat from-host; echo back > from-job");
    assert.equal(r.stdout, "hello");
    assert.equal((await stat(join(env.hostWorkspace, "from-job"))).isFile(), true);
  });
}

/** Ending a job: cancel kills the process tree, dispose leaves nothing behind. */
function cleanupContract({ check, prepare }: ContractSuite): void {
  check("cancelling kills the whole process tree within 2 s", async () => {
    const env = await prepare();
    const marker = `${1000 + Math.floor(Math.random() * 1000)}.${Date.now() % 100000}`;
    const ac = new AbortController();
    const done = run(env, `sleep ${marker} & sleep ${marker}`, { signal: ac.signal });
    assert.ok(await waitFor(() => pidsWithMarker(marker).length >= 2, 5000), "both sleeps started");
    const pids = pidsWithMarker(marker);
    const started = Date.now();
    ac.abort();
    const r = await done;
    assert.notEqual(r.code, 0);
    assert.ok(await waitFor(() => pids.every((p) => !isProcessAlive(p)), 2000), `pids ${pids} gone`);
    assert.ok(Date.now() - started <= 2500);
  });

  check("dispose removes read-only and unreadable dirs, FIFOs and files of other users", async () => {
    const env = await prepare();
    const ws = env.hostWorkspace;
    await mkdir(join(ws, "ro", "inner"), { recursive: true });
    await writeFile(join(ws, "ro", "inner", "f"), "x");
    await chmod(join(ws, "ro", "inner"), 0o555);
    await chmod(join(ws, "ro"), 0o555);
    await mkdir(join(ws, "closed"));
    await writeFile(join(ws, "closed", "f"), "x");
    await chmod(join(ws, "closed"), 0o000);
    assert.equal(spawnSync("mkfifo", [join(ws, "fifo")]).status, 0);
    await writeFile(join(ws, "foreign"), "x");
    if (process.getuid?.() === 0) await chown(join(ws, "foreign"), 12345, 12345);
    const report = await env.dispose(never());
    assert.deepEqual(report.leftovers, []);
    await assert.rejects(stat(ws), { code: "ENOENT" });
  });

  check("dispose ends processes the job left running", async () => {
    const env = await prepare();
    const marker = `${2000 + Math.floor(Math.random() * 1000)}.${Date.now() % 100000}`;
    const r = await run(env, `(sleep ${marker} >/dev/null 2>&1 &) ; true`);
    assert.equal(r.code, 0);
    await env.dispose(never());
    assert.ok(await waitFor(() => pidsWithMarker(marker).length === 0, 2000), "left-over process gone");
  });
}

/** Jobs side by side: each has its own workspace and temp dir. */
function isolationContract({ check, prepare }: ContractSuite): void {
  check("concurrent prepares get distinct, isolated workspaces", async () => {
    const envs = await Promise.all([prepare(), prepare(), prepare()]);
    assert.equal(new Set(envs.map((e) => e.hostWorkspace)).size, 3);
    assert.equal(new Set(envs.map((e) => e.hostTemp)).size, 3);
    await Promise.all(envs.map((e, i) => run(e, `echo ${i} > mine`)));
    for (const [i, e] of envs.entries()) {
      assert.deepEqual(await readdir(e.hostWorkspace), ["mine"]);
      assert.equal((await run(e, "cat mine")).stdout.trim(), String(i));
    }
  });

  check("temp dir is writable by steps and visible on the host", async () => {
    const env = await prepare();
    const r = await run(env, `echo t > "${env.temp}/file"`);
    assert.equal(r.code, 0);
    assert.equal((await stat(join(env.hostTemp, "file"))).isFile(), true);
  });
}
