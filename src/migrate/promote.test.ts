import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseWorkflow } from "../workflow/index.js";
import {
  appendHistory,
  type ComparisonEntry,
  type HistoryEntry,
  promotionStreak,
  readHistory,
} from "./migrate-history.js";
import { promoteWorkflow, unmarkV2Name } from "./promote.js";

const root = mkdtempSync(join(tmpdir(), "rp-promote-"));
after(() => rmSync(root, { recursive: true, force: true }));
const signal = new AbortController().signal;

const V1 =
  "name: probe release\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";
const V2 = `# migrated\nname: "probe release (v2)"   # keep\non: push\njobs:\n  build:\n    runs-on: [self-hosted, linux]\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n`;

function repo(name: string): string {
  const dir = join(root, name, ".gitea", "workflows");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "probe-release.yml"), V1);
  writeFileSync(join(dir, "probe-release-v2.yml"), V2);
  return dir;
}

function comparison(equal: boolean, green = true, workflow = "probe-release"): ComparisonEntry {
  return {
    kind: "comparison",
    workflow,
    at: new Date().toISOString(),
    equal,
    green,
    resultsEqual: true,
    artifactsEqual: equal,
    a: { source: "a.json", workflow: "probe-release.yml" },
    b: { source: "b.json", workflow: "probe-release-v2.yml" },
    reasons: equal ? [] : ["artifact dist: a.txt differs"],
  };
}

test("the streak counts consecutive green equal comparisons since the last promotion, newest first", () => {
  const h: HistoryEntry[] = [comparison(true), comparison(false), comparison(true), comparison(true, true, "other")];
  assert.deepEqual(
    [promotionStreak(h, "probe-release").streak, promotionStreak(h, "probe-release").breaker?.equal],
    [1, false],
  );
  h.push(comparison(true, false));
  assert.equal(promotionStreak(h, "probe-release").streak, 0);
  h.push({ kind: "promoted", workflow: "probe-release", at: "", archived: "x" }, comparison(true));
  assert.deepEqual(promotionStreak(h, "probe-release"), { streak: 1, total: 1 });
});

test("history lines are appended as JSON lines and a damaged line is reported with its line number", async () => {
  const file = join(root, "h", "migrate-history.jsonl");
  assert.deepEqual(await readHistory(file, signal), []);
  await appendHistory(file, [comparison(true)], signal);
  await appendHistory(file, [comparison(false)], signal);
  assert.deepEqual(
    (await readHistory(file, signal)).map((e) => e.kind === "comparison" && e.equal),
    [true, false],
  );
  writeFileSync(file, `${readFileSync(file, "utf8")}{"half":\n`);
  await assert.rejects(readHistory(file, signal), { file, line: 3 });
});

test("promote refuses with fewer consecutive equal comparisons than required and says why", async () => {
  const dir = repo("fewer");
  const r = await promoteWorkflow(
    { workflowFile: join(dir, "probe-release.yml"), history: [comparison(true), comparison(false), comparison(true)] },
    signal,
  );
  assert.equal(r.promoted, false);
  assert.match(r.reason ?? "", /1 of 3 consecutive equal comparisons; the last non-equal one .*a\.txt differs/);
  const none = await promoteWorkflow({ workflowFile: join(dir, "probe-release.yml"), history: [] }, signal);
  assert.match(none.reason ?? "", /no comparisons of probe-release recorded yet/);
  assert.equal(readFileSync(join(dir, "probe-release.yml"), "utf8"), V1);
  assert.ok(existsSync(join(dir, "probe-release-v2.yml")));
});

test("promote after 3 equal comparisons archives v1, puts v2 in its place without ' (v2)', and removes v2", async () => {
  const dir = repo("ok");
  const history = [comparison(false), comparison(true), comparison(true), comparison(true)];
  const r = await promoteWorkflow({ workflowFile: join(dir, "probe-release-v2.yml"), history }, signal);
  assert.equal(r.promoted, true, r.reason);
  const archived = join(root, "ok", ".gitea", "workflows-archive", "probe-release.yml");
  assert.equal(r.archived, archived);
  assert.equal(readFileSync(archived, "utf8"), V1);
  const promoted = readFileSync(join(dir, "probe-release.yml"), "utf8");
  assert.equal(promoted, V2.replace('"probe release (v2)"', '"probe release"'));
  assert.deepEqual(readdirSync(dir), ["probe-release.yml"]);
  assert.equal(parseWorkflow(promoted, "probe-release.yml").workflow?.name, "probe release");
});

test("a promote interrupted after v1 was replaced only removes v2 when run again", async () => {
  const dir = repo("resume");
  writeFileSync(join(dir, "probe-release.yml"), unmarkV2Name("x.yml", V2));
  const history = [comparison(true), comparison(true), comparison(true)];
  const r = await promoteWorkflow({ workflowFile: join(dir, "probe-release.yml"), history }, signal);
  assert.equal(r.promoted, true);
  assert.equal(r.archived, undefined);
  assert.equal(existsSync(join(root, "resume", ".gitea", "workflows-archive")), false);
  assert.deepEqual(readdirSync(dir), ["probe-release.yml"]);
});

test("a dry run decides but changes nothing, and an archived name already taken gets a timestamp", async () => {
  const dir = repo("dry");
  mkdirSync(join(root, "dry", ".gitea", "workflows-archive"));
  writeFileSync(join(root, "dry", ".gitea", "workflows-archive", "probe-release.yml"), "older\n");
  const history = [comparison(true), comparison(true), comparison(true)];
  const r = await promoteWorkflow(
    { workflowFile: join(dir, "probe-release.yml"), history, dryRun: true, now: new Date("2026-05-20T10:11:12Z") },
    signal,
  );
  assert.equal(r.promoted, true);
  assert.match(r.archived ?? "", /probe-release\.20260520T101112\.yml$/);
  assert.equal(readFileSync(join(dir, "probe-release.yml"), "utf8"), V1);
  assert.ok(existsSync(join(dir, "probe-release-v2.yml")));
});

test("removing the (v2) mark keeps quoting, comments and every other byte", () => {
  assert.equal(unmarkV2Name("a.yml", "name: 'x (v2)' # c\non: push\n"), "name: 'x' # c\non: push\n");
  assert.equal(unmarkV2Name("a.yml", "on: push\nname: plain (v2)\n"), "on: push\nname: plain\n");
  assert.equal(unmarkV2Name("a.yml", "name: no mark\n"), "name: no mark\n");
});
