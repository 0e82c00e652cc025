// Test support: the coordinator's git server as a separate process (the executor may not import the
// coordinator), plus helpers to build repositories with the git CLI.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { git } from "./git-client.js";

export { git };

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface ServedRequest {
  method: string;
  path: string;
  host: string;
  hostHeaders: number;
  gitProtocol: string;
  user: string;
  status: number;
  bytes: number;
}

export interface TestGitServer {
  url: string;
  requests: ServedRequest[];
  /** Resolves once `pred` holds for the requests seen so far (the server logs a request after answering it). */
  waitFor(pred: (r: ServedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts bench/checkout/git-server.ts on 127.0.0.1:0 serving `reposDir`. */
export async function spawnGitServer(reposDir: string, args: string[] = []): Promise<TestGitServer> {
  const script = join(root, "bench", "checkout", "git-server.ts");
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(
    process.execPath,
    ["--import", "tsx", script, reposDir, ...args],
    { cwd: root, stdio: ["pipe", "pipe", "inherit"] },
  );
  const requests: ServedRequest[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`git server exited with ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const msg = JSON.parse(line) as { event: string; url?: string } & ServedRequest;
      if (msg.event === "listening" && msg.url) resolve(msg.url);
      else if (msg.event === "request") requests.push(msg);
    });
  });
  return {
    url,
    requests,
    async waitFor(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(requests)) {
        if (Date.now() > deadline) throw new Error(`condition not met; requests: ${JSON.stringify(requests)}`);
        await sleep(10);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end();
        child.kill("SIGTERM");
      }),
  };
}

/** A bare repository `<reposDir>/<owner>/<name>.git` filled by pushing every ref of `src`. */
export async function serveRepo(reposDir: string, owner: string, name: string, src: string): Promise<string> {
  const path = join(reposDir, owner, `${name}.git`);
  await mkdir(join(reposDir, owner), { recursive: true });
  await git(reposDir, "init", "-q", "--bare", "-b", "main", path);
  await git(src, "push", "-q", path, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*");
  return path;
}
