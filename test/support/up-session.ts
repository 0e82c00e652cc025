import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { git } from "./git-client.js";
import { UpProcess } from "./up-process.js";

/** One JSON line of `up --json`. */
export interface UpEvent {
  event: string;
  text?: string;
  job?: { name: string };
  result?: string;
}

/**
 * `runnerpool up --json` for one config, restartable, with what tests of its operator surface need:
 * its URL (from admin.json), its tokens, push remotes and progress events.
 */
export class UpSession {
  url = "";
  #up: UpProcess | undefined;

  constructor(
    readonly config: string,
    readonly stateDir: string,
  ) {}

  get output(): string {
    return this.#up?.output ?? "";
  }

  async start(): Promise<this> {
    this.#up = new UpProcess(["--config", this.config, "--json"], { cwd: dirname(this.config) });
    await this.#up.waitFor(/"event":"ready"/, "up is ready");
    this.url = (JSON.parse(readFileSync(join(this.stateDir, "admin.json"), "utf8")) as { url: string }).url;
    return this;
  }

  events(): UpEvent[] {
    return (this.#up?.stdout ?? "")
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

  /** Commits `files` in a new working tree beside the config and pushes it as `main` of `owner/name`. */
  async push(repo: string, files: Record<string, string>): Promise<void> {
    const work = join(dirname(this.config), repo.replace("/", "-"));
    await git(dirname(work), "init", "-q", "-b", "main", work);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    await git(work, "add", "-A");
    await git(work, "commit", "-q", "-m", "workflows");
    await git(work, "push", "-q", this.remote(repo), "main");
  }

  /** Drains and stops it like Ctrl-C. */
  async stop(): Promise<void> {
    await this.#up?.exit("SIGTERM");
  }
}
