import { execFile } from "node:child_process";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** A git client environment for tests: no prompts, a fixed author and committer. */
export const gitEnv = {
  ...process.env,
  GIT_TERMINAL_PROMPT: "0",
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.test",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.test",
};

/** Runs git in `cwd` and returns its trimmed stdout; a failure rejects. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec("git", args, { cwd, env: gitEnv, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** Runs git in `cwd` expecting it to fail; returns its stderr. */
export async function gitFails(cwd: string, ...args: string[]): Promise<string> {
  try {
    await exec("git", args, { cwd, env: gitEnv });
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error(`git ${args.join(" ")} succeeded but should have failed`);
}
