import assert from "node:assert/strict";
import { test } from "node:test";
import { CommandProcessor, parseCommand } from "./workflow-commands.js";

function harness(debug = false) {
  const logged: string[] = [];
  const masks: string[] = [];
  const outputs: Record<string, string> = {};
  const p = new CommandProcessor({
    log: (l) => logged.push(l),
    addMask: (v) => masks.push(v),
    setOutput: (n, v) => {
      outputs[n] = v;
    },
    debug,
  });
  return { p, logged, masks, outputs };
}

test("parses properties and decodes escapes", () => {
  assert.deepEqual(parseCommand("::warning file=a%3Ab,line=3::50%25 done%0Anext"), {
    name: "warning",
    properties: { file: "a:b", line: "3" },
    message: "50% done\nnext",
  });
  assert.equal(parseCommand("not a command"), undefined);
});

test("add-mask registers the decoded value and drops the line, legacy ##[] form too", () => {
  const h = harness();
  h.p.line("::add-mask::multi%0Aline");
  h.p.line("##[add-mask]other");
  assert.deepEqual(h.masks, ["multi\nline", "other"]);
  assert.deepEqual(h.logged, []);
});

test("stop-commands passes commands through untouched until its token", () => {
  const h = harness();
  h.p.line("::stop-commands::tok123");
  h.p.line("::add-mask::not-a-mask");
  h.p.line("::tok123::");
  h.p.line("::add-mask::a-mask");
  assert.deepEqual(h.masks, ["a-mask"]);
  assert.deepEqual(h.logged, ["::stop-commands::tok123", "::add-mask::not-a-mask"]);
});

test("other commands and plain lines pass through", () => {
  const h = harness();
  for (const l of ["::group::Build", "::error::bad", "plain :: text", "::endgroup::"]) h.p.line(l);
  assert.deepEqual(h.logged, ["::group::Build", "::error::bad", "plain :: text", "::endgroup::"]);
});

test("annotations fold file, line, column and title into the text", () => {
  const h = harness();
  h.p.line("::error file=src/a.js,line=10,col=5,title=Lint::missing semicolon");
  h.p.line("::warning file=b.ts::careful");
  h.p.line("::notice title=Note::fyi");
  assert.deepEqual(h.logged, [
    "::error::src/a.js:10:5: Lint: missing semicolon",
    "::warning::b.ts: careful",
    "::notice::Note: fyi",
  ]);
});

test("debug lines are dropped unless debugging", () => {
  const quiet = harness(false);
  quiet.p.line("::debug::x");
  assert.deepEqual(quiet.logged, []);
  const loud = harness(true);
  loud.p.line("::debug::x");
  assert.deepEqual(loud.logged, ["::debug::x"]);
});

test("save-state and set-output work with a deprecation warning", () => {
  const state: Record<string, string> = {};
  const logged: string[] = [];
  const p = new CommandProcessor({
    log: (l) => logged.push(l),
    addMask: () => {},
    setOutput: () => {},
    saveState: (n, v) => {
      state[n] = v;
    },
    debug: false,
  });
  p.line("::save-state name=pid::123");
  assert.deepEqual(state, { pid: "123" });
  assert.match(logged[0] ?? "", /^::warning::The `save-state` command is deprecated/);
});

test("set-env and add-path are refused unless unsecure commands are allowed", () => {
  const run = (allow: boolean) => {
    const env: Record<string, string> = {};
    const path: string[] = [];
    const logged: string[] = [];
    const p = new CommandProcessor({
      log: (l) => logged.push(l),
      addMask: () => {},
      setOutput: () => {},
      setEnv: (n, v) => {
        env[n] = v;
      },
      addPath: (d) => path.push(d),
      debug: false,
      allowUnsecureCommands: allow,
    });
    p.line("::set-env name=A::1");
    p.line("::add-path::/opt/bin");
    return { env, path, logged };
  };
  const refused = run(false);
  assert.deepEqual([refused.env, refused.path], [{}, []]);
  assert.match(refused.logged[0] ?? "", /^::error::The `set-env` command is disabled/);
  const allowed = run(true);
  assert.deepEqual([allowed.env, allowed.path, allowed.logged], [{ A: "1" }, ["/opt/bin"], []]);
});

test("echo on makes command lines visible, echo off hides them again", () => {
  const h = harness();
  h.p.line("::echo::on");
  h.p.line("::set-output name=a::1");
  h.p.line("::echo::off");
  h.p.line("::set-output name=b::2");
  assert.equal(h.logged.filter((l) => l.startsWith("::set-output")).length, 1);
  assert.deepEqual(h.outputs, { a: "1", b: "2" });
});
