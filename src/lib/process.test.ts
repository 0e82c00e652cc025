import assert from "node:assert/strict";
import { test } from "node:test";
import { findProcessesByEnv, isProcessAlive, spawnProcess } from "./process.js";

const env = { PATH: "/usr/local/bin:/usr/bin:/bin" };

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

test("resolves with the exit code and streams stdout and stderr", async () => {
  let out = "";
  let err = "";
  const code = await spawnProcess(["sh", "-c", "echo out; echo err >&2; exit 3"], {
    cwd: "/",
    env,
    signal: new AbortController().signal,
    onStdout: (c) => {
      out += c.toString();
    },
    onStderr: (c) => {
      err += c.toString();
    },
  });
  assert.equal(code, 3);
  assert.equal(out, "out\n");
  assert.equal(err, "err\n");
});

test("passes only the given environment", async () => {
  let out = "";
  await spawnProcess(["sh", "-c", "env"], {
    cwd: "/",
    env: { ...env, ONLY: "me" },
    signal: new AbortController().signal,
    onStdout: (c) => {
      out += c.toString();
    },
  });
  const names = out
    .trim()
    .split("\n")
    .map((l) => l.split("=")[0])
    .filter((n) => n !== "PWD" && n !== "SHLVL" && n !== "_");
  assert.deepEqual(names.sort(), ["ONLY", "PATH"]);
});

test("abort kills the whole process group, background children included", async () => {
  const ac = new AbortController();
  const pids: number[] = [];
  const done = spawnProcess(["sh", "-c", "sleep 1000 & echo $!; echo $$; sleep 1000"], {
    cwd: "/",
    env,
    signal: ac.signal,
    onStdout: (c) => {
      for (const l of c.toString().trim().split("\n")) pids.push(Number(l));
    },
  });
  assert.ok(await waitFor(() => pids.length === 2, 5000));
  const started = Date.now();
  ac.abort();
  const code = await done;
  assert.ok(code < 0 || code > 128, `killed exit code, got ${code}`);
  assert.ok(await waitFor(() => pids.every((p) => !isProcessAlive(p)), 2000), "all processes gone");
  assert.ok(Date.now() - started < 2000);
});

test("does not wait for a background child that keeps the output pipe open", async () => {
  const started = Date.now();
  let bg = 0;
  const code = await spawnProcess(["sh", "-c", "sleep 1000 & echo $!"], {
    cwd: "/",
    env,
    signal: new AbortController().signal,
    onStdout: (c) => {
      bg = Number(c.toString().trim());
    },
  });
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 2000);
  process.kill(bg, "SIGKILL");
});

test("rejects with a clear error when the program does not exist", async () => {
  await assert.rejects(
    spawnProcess(["/nonexistent/prog"], { cwd: "/", env, signal: new AbortController().signal }),
    /cannot start '\/nonexistent\/prog'/,
  );
});

test("finds live processes by an exact environment entry", async () => {
  const ac = new AbortController();
  const entry = `RUNNERPOOL_FIND_TEST=${process.pid}-${Date.now()}`;
  const [name, value] = entry.split("=") as [string, string];
  let pid = 0;
  const done = spawnProcess(["sh", "-c", "echo $$; exec sleep 1000"], {
    cwd: "/",
    env: { ...env, [name]: value },
    signal: ac.signal,
    onStdout: (c) => {
      pid = Number(c.toString().trim());
    },
  });
  assert.ok(await waitFor(() => pid > 0, 5000));
  assert.deepEqual(findProcessesByEnv(entry), [pid]);
  assert.deepEqual(findProcessesByEnv(`${entry}0`), []);
  ac.abort();
  await done;
  assert.ok(await waitFor(() => findProcessesByEnv(entry).length === 0, 2000));
});
