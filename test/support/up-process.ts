import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { until } from "./pool-harness.js";

const BIN = fileURLToPath(new URL("../../bin/runnerpool.js", import.meta.url));

/** A real `runnerpool up` process: its stdout and stderr, kept apart, and a way to stop it. */
export class UpProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";

  constructor(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
    this.child = spawn(process.execPath, [BIN, "up", "--listen", "127.0.0.1:0", ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr?.on("data", (d: Buffer) => {
      this.stderr += d.toString();
    });
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /** Waits until the combined output matches, or the process ended (then fails with its output). */
  async waitFor(pattern: RegExp, what: string, ms = 30_000): Promise<void> {
    await until(() => pattern.test(this.output) || this.child.exitCode !== null, what, ms);
    if (!pattern.test(this.output))
      throw new Error(`up exited (${this.child.exitCode}) before ${what}:\n${this.output}`);
  }

  ready(ms = 30_000): Promise<void> {
    return this.waitFor(/press Ctrl-C|"event":"ready"/, "up is ready", ms);
  }

  /** The exit code once it ends (after SIGTERM when `signal` is given). */
  async exit(signal?: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const ended = new Promise<number | null>((r) => this.child.once("exit", (code) => r(code)));
    if (signal) this.child.kill(signal);
    return ended;
  }
}
