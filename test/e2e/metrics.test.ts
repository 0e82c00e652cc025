import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { ApiError } from "../../src/web/index.js";
import { UpSession } from "../support/up-session.js";

// Issue J: /metrics on up's address moves with a wave of jobs, and a pool serving an external forge
// (here a second `up`) still serves its own pool metrics.

const dir = mkdtempSync(join(tmpdir(), "rp-metrics-e2e-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const pool = (state: string, extra = "") =>
  `[runner]\nstate_dir = "${state}"\nworkdir_parent = "${join(state, "work")}"\n${extra}` +
  '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\nbackend = "host"\ncapacity = 2\n';

const WAVE = `on: push
jobs:
  leg:
    strategy: { matrix: { n: [1, 2, 3, 4] } }
    runs-on: [self-hosted, linux]
    steps:
      - uses: actions/checkout@v4
      - run: echo "leg \${{ matrix.n }}"; sleep 1
`;

/** `name{labels} value` lines of a scrape, summed per exact series. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe("up's /metrics", () => {
  const stateA = join(dir, "a");
  const up = new UpSession(join(dir, "a.toml"), stateA);
  const scrape = async (u: UpSession) => series(await (await fetch(`${u.url}/metrics`)).text());

  before(async () => {
    writeFileSync(up.config, pool(stateA));
    await up.start();
  });
  after(() => up.stop());

  test("queue depth, busy slots, pickup latency, job durations and log rows move during a wave", async () => {
    const idle = await scrape(up);
    assert.equal(idle.get('runnerpool_slots{role="linux",state="idle"}'), 2);
    assert.equal(idle.get('runnerpool_instances{role="linux",state="idle"}'), 1);
    assert.equal(idle.get('runnerpool_queue_depth{role="linux"}'), 0);
    await up.push("acme/app", { ".gitea/workflows/wave.yml": WAVE });

    // Four legs on two slots: while the first two run, two wait.
    let during = new Map<string, number>();
    const seen = { busy: 0, queued: 0 };
    const t = Date.now();
    while (Date.now() - t < 30_000 && (seen.busy === 0 || seen.queued === 0)) {
      during = await scrape(up);
      seen.busy = Math.max(seen.busy, during.get('runnerpool_slots{role="linux",state="busy"}') ?? 0);
      seen.queued = Math.max(seen.queued, during.get('runnerpool_queue_depth{role="linux"}') ?? 0);
    }
    assert.ok(seen.busy > 0, "slots were busy during the wave");
    assert.ok(seen.queued > 0, "jobs were queued during the wave");

    const count = 'runnerpool_job_duration_seconds_count{role="linux",result="success"}';
    let done = new Map<string, number>();
    for (let i = 0; i < 600 && (done.get(count) ?? 0) < 4; i++) {
      done = await scrape(up);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(done.get(count), 4);
    assert.equal(done.get('runnerpool_pickup_latency_seconds_count{role="linux"}'), 4);
    assert.ok((done.get('runnerpool_job_duration_seconds_sum{role="linux",result="success"}') ?? 0) >= 4);
    assert.ok((done.get("runnerpool_log_rows_received_total") ?? 0) >= 4);
    // Four checkouts of one commit through the host's mirror cache: the first builds it, the rest hit it
    // (or fetch, when two start before the first has finished).
    const checkouts = ["built", "fetched", "hit"].reduce(
      (n, m) => n + (done.get(`runnerpool_checkouts_total{mirror="${m}"}`) ?? 0),
      0,
    );
    assert.equal(checkouts, 4);
    assert.equal(done.get('runnerpool_checkouts_total{mirror="built"}'), 1);
    assert.ok((done.get("runnerpool_checkout_bytes_total") ?? 0) > 0);
  });

  test("a pool serving another forge still serves its pool metrics, and says runs live in that forge", async () => {
    const stateB = join(dir, "b");
    mkdirSync(stateB, { recursive: true });
    const forge = `[forge]\nurl = "${up.url}"\nregistration_token_file = "${join(stateA, "registration-token")}"\n`;
    const b = new UpSession(join(dir, "b.toml"), stateB);
    writeFileSync(b.config, pool(stateB, forge));
    await b.start();
    try {
      const m = await scrape(b);
      assert.equal(m.get('runnerpool_instances{role="linux",state="idle"}'), 1);
      assert.equal(m.get('runnerpool_slots{role="linux",state="idle"}'), 2);
      const runs = await fetch(`${b.url}/api/v1/runs`);
      assert.equal(runs.status, 501);
      assert.equal(((await runs.json()) as ApiError).error.code, "FORGE_UNIMPLEMENTED");
    } finally {
      await b.stop();
    }
  });
});
