import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { plannedJob, runInput } from "../../test/support/coordinator-harness.js";
import { createCoordinator } from "./coordinator.js";
import { openRunHistory } from "./run-history.js";

const dir = mkdtempSync(join(tmpdir(), "rp-history-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a closed coordinator's database still answers for its runs, jobs and logs", () => {
  const dbPath = join(dir, "c.db");
  const coordinator = createCoordinator({ dbPath });
  const { runId } = coordinator.runs.create(runInput([plannedJob("build"), plannedJob("test", { needs: ["build"] })]));
  coordinator.runs.cancelRun(runId);
  const before = coordinator.read.getRun(runId);
  const log = coordinator.read.jobLog(before?.jobs[0]?.id ?? 0);
  coordinator.close();

  const history = openRunHistory(dbPath);
  try {
    assert.deepEqual(history.getRun(runId), before);
    assert.deepEqual(
      history.listRuns().map((r) => r.id),
      [runId],
    );
    const job = before?.jobs[0];
    assert.ok(job);
    assert.deepEqual(history.getJob(job.id), job);
    assert.ok(log.length > 0, "cancelling leaves a note in the job's log");
    assert.deepEqual(history.jobLog(job.id), log);
    assert.equal(history.getRun(runId + 1), undefined);
  } finally {
    history.close();
  }
});
