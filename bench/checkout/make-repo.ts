// Generates the benchmark repository straight into a bare repository with `git fast-import`:
// random (incompressible) blobs, so the history really is as big as it says.
//   node --import tsx bench/checkout/make-repo.ts <bare-repo-dir> [--commits 300] [--files 2000] [--mb 160]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

export interface MakeRepoOptions {
  /** An existing bare repository to fill. */
  repo: string;
  commits?: number;
  files?: number;
  /** Total size of all blobs written, in MiB. */
  mb?: number;
  signal: AbortSignal;
}

export interface MadeRepo {
  commits: number;
  files: number;
  blobBytes: number;
  tipBytes: number;
  head: string;
}

/** Commit 1 adds `files` files; every later commit rewrites an equal share of the rest of the budget. */
export async function makeRepo(options: MakeRepoOptions): Promise<MadeRepo> {
  const commits = options.commits ?? 300;
  const files = options.files ?? 2000;
  const budget = (options.mb ?? 160) * 1024 * 1024;
  // A tenth of the budget is the first tree (about what a checkout of the tip costs), the rest is history.
  const avg = Math.floor((budget * 0.1) / files);
  const perCommit = Math.max(1, Math.floor((budget * 0.9) / avg / Math.max(1, commits - 1)));
  const child = spawn("git", ["fast-import", "--quiet", "--done"], {
    cwd: options.repo,
    stdio: ["pipe", "inherit", "inherit"],
    signal: options.signal,
    env: { ...process.env, GIT_DIR: options.repo },
  });
  const write = async (chunk: string | Buffer) => {
    if (!child.stdin.write(chunk)) await once(child.stdin, "drain");
  };
  const sizes = new Map<string, number>();
  const path = (i: number) => `src/m${String(i % 40).padStart(2, "0")}/file${String(i).padStart(4, "0")}.bin`;
  let blobBytes = 0;
  let when = 1_700_000_000;
  for (let c = 0; c < commits; c++) {
    const message = `commit ${c + 1}\n`;
    await write(`commit refs/heads/main\ncommitter Bench <bench@example.test> ${when} +0000\n`);
    await write(`data ${Buffer.byteLength(message)}\n${message}`);
    when += 60;
    const changed: number[] = [];
    if (c === 0) for (let i = 0; i < files; i++) changed.push(i);
    else for (let k = 0; k < perCommit; k++) changed.push(((c - 1) * perCommit + k * 7919) % files);
    for (const i of changed) {
      const size = Math.floor(avg * (0.25 + Math.random() * 1.5));
      await write(`M 100644 inline ${path(i)}\ndata ${size}\n`);
      await write(randomBytes(size));
      await write("\n");
      sizes.set(path(i), size);
      blobBytes += size;
    }
    await write("\n");
  }
  await write("done\n");
  child.stdin.end();
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`git fast-import exited with ${code}`);
  const rev = spawn("git", ["rev-parse", "refs/heads/main"], { cwd: options.repo, signal: options.signal });
  let head = "";
  rev.stdout.on("data", (d: Buffer) => {
    head += d.toString();
  });
  await once(rev, "exit");
  return {
    commits,
    files: sizes.size,
    blobBytes,
    tipBytes: [...sizes.values()].reduce((a, b) => a + b, 0),
    head: head.trim(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [repo, ...rest] = process.argv.slice(2);
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 && rest[i + 1] !== undefined ? Number(rest[i + 1]) : undefined;
  };
  if (repo === undefined) {
    console.error("usage: make-repo.ts <bare-repo-dir> [--commits N] [--files N] [--mb N]");
    process.exit(2);
  }
  const made = await makeRepo({
    repo,
    commits: flag("--commits"),
    files: flag("--files"),
    mb: flag("--mb"),
    signal: AbortSignal.timeout(600_000),
  });
  console.log(JSON.stringify(made));
}
