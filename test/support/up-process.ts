import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { until } from "./pool-harness.js";

const BIN = fileURLToPath(new URL("../../bin/runnerpool.js", import.meta.url));

/** One JSON line of `up --json`. */
export interface UpEvent {
  event: string;
  text?: string;
  job?: { name: string };
  result?: string;
}

/** A real `runnerpool up --json` on 127.0.0.1 with a random port; `stop()` drains it like Ctrl-C. */
export class UpProcess {
  output = "";
  url = "";
  #child: ChildProcess | undefined;

  constructor(
    readonly config: string,
    readonly stateDir: string,
  ) {}

  async start(): Promise<this> {
    this.output = "";
    const child = spawn(process.execPath, [BIN, "up", "--config", this.config, "--listen", "127.0.0.1:0", "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    const keep = (d: Buffer) => {
      this.output += d.toString();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    await until(() => this.events().some((e) => e.event === "ready") || child.exitCode !== null, "up is ready", 30_000);
    if (child.exitCode !== null) throw new Error(`up exited ${child.exitCode}:\n${this.output}`);
    this.url = (JSON.parse(readFileSync(join(this.stateDir, "admin.json"), "utf8")) as { url: string }).url;
    return this;
  }

  events(): UpEvent[] {
    return this.output
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as UpEvent);
  }

  /** The admin token writes need. */
  token(): string {
    return readFileSync(join(this.stateDir, "admin-token"), "utf8").trim();
  }

  /** The git remote of `owner/name` with the push token in it. */
  remote(repo: string): string {
    const push = readFileSync(join(this.stateDir, "push-token"), "utf8").trim();
    return `${this.url.replace("://", `://me:${push}@`)}/${repo}.git`;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}
