import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { createApiClient } from "../../src/web/index.js";
import { UpSession } from "../support/up-session.js";

// Issue J: the dashboard in a real browser (Debian's chromium through playwright-core, no browser
// download) against a real `up`: a pushed run, a live log line, why a job waits, cancel.
// RUNNERPOOL_SCREENSHOTS=DIR keeps screenshots of the main pages (docs/ holds the committed ones).

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const dir = mkdtempSync(join(tmpdir(), "rp-dashboard-e2e-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const printed = join(dir, "printed-at");
const release = join(dir, "release");
const go = join(dir, "go");

const WORKFLOWS: Record<string, string> = {
  ".gitea/workflows/ci.yml": `name: ci
on: push
jobs:
  build:
    runs-on: [self-hosted, linux]
    steps:
      - run: |
          echo "::group::setup"
          echo "inside the group"
          echo "::endgroup::"
          for i in $(seq 1200); do test -f ${go} && break; sleep 0.05; done
          date +%s%3N > ${printed}
          echo "hello from the live step"
          for i in $(seq 600); do test -f ${release} && break; sleep 0.1; done
  train:
    runs-on: [self-hosted, gpu]
    steps: [{ run: echo never }]
`,
};

describe("the dashboard in a browser", { skip: CHROMIUM ? false : "no chromium: apt-get install chromium" }, () => {
  const up = new UpSession(join(dir, "pool.toml"), join(dir, "state"));
  let browser: Browser;
  let page: Page;
  const shot = async (name: string) => {
    const to = process.env.RUNNERPOOL_SCREENSHOTS;
    if (to) await page.screenshot({ path: join(to, `dashboard-${name}.png`), fullPage: true });
  };

  before(async () => {
    writeFileSync(
      up.config,
      `[runner]\nstate_dir = "${up.stateDir}"\nworkdir_parent = "${join(dir, "work")}"\n` +
        '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\nbackend = "host"\ncapacity = 2\n',
    );
    await up.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(up.url);
    // The token an operator pastes once with the "admin token" button (kept in the browser's storage).
    await page.evaluate(`localStorage.setItem("runnerpool-admin-token", ${JSON.stringify(up.token())})`);
    await up.push("acme/app", WORKFLOWS);
  });
  after(async () => {
    writeFileSync(go, "");
    writeFileSync(release, "");
    await browser?.close();
    await up.stop();
  });

  test("the pool page says why a job waits, naming the missing labels", async () => {
    await page.goto(`${up.url}/#/`);
    await page.locator("#queue").getByText("no role has labels [self-hosted, gpu]").waitFor({ timeout: 30_000 });
    await page.getByText("build (run 1)").waitFor({ timeout: 30_000 });
    await shot("pool");
  });

  test("the runs page shows the pushed run", async () => {
    await page.goto(`${up.url}/#/runs`);
    await page.locator("#runs").getByText("ci #1").waitFor({ timeout: 10_000 });
  });

  test("a live log line appears within a second of reaching up, groups folded", async () => {
    await page.goto(`${up.url}/#/runs/1`);
    // A second reader of the same log, to time when the line reached up (committed and streamed).
    let reachedAt = 0;
    const watcher = createApiClient({ url: up.url }).logs(1, true, (line) => {
      if ("text" in line && line.text.includes("hello from the live step")) reachedAt = Date.now();
    });
    await page.getByRole("link", { name: "build" }).click();
    // The page follows the log before the step prints: what is timed is the live path, not navigation.
    await page.locator("#log details summary").getByText("setup").waitFor({ timeout: 30_000 });
    writeFileSync(go, "");
    await page.locator("#log").getByText("hello from the live step").waitFor({ timeout: 30_000 });
    const shownAt = Date.now();
    assert.ok(reachedAt > 0 && shownAt - reachedAt <= 1_000, `shown ${shownAt - reachedAt} ms after it reached up`);
    // End to end: the runner sends log rows every 100 ms to the embedded coordinator.
    const lag = shownAt - Number(readFileSync(printed, "utf8"));
    assert.ok(lag <= 1_000, `the line showed ${lag} ms after the step printed it`);
    void watcher.catch(() => undefined);
    assert.equal(await page.locator("#log details summary").textContent(), "setup");
    await shot("log");
  });

  test("cancel from the run page cancels the run", async () => {
    await page.goto(`${up.url}/#/runs/1`);
    await shot("run");
    await page.locator("#cancel").click();
    await page.getByText("cancelled").first().waitFor({ timeout: 10_000 });
  });
});
