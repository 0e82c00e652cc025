import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { collectUploadFiles } from "./artifact-files.js";
import { pathGlobToRegExp } from "./path-glob.js";

const ws = mkdtempSync(join(tmpdir(), "rp-artifact-files-"));
after(() => rmSync(ws, { recursive: true, force: true }));

for (const [path, text] of Object.entries({
  "dist/app.js": "app",
  "dist/lib/util.js": "util",
  "dist/app.js.map": "map",
  "dist/.hidden/secret": "s",
  "dist/.env": "e",
  "out/report.txt": "report",
  "out/logs/run.log": "log",
  "home/notes.txt": "notes",
})) {
  mkdirSync(dirname(join(ws, path)), { recursive: true });
  writeFileSync(join(ws, path), text);
}
symlinkSync(join(ws, "dist"), join(ws, "dist", "lib", "loop"));

const collect = (text: string, includeHidden = false) => {
  const r = collectUploadFiles(text, { toHost: (p) => p, workspace: ws, home: join(ws, "home"), includeHidden });
  return { root: r.root, paths: r.files.map((f) => f.path) };
};

test("a directory is uploaded relative to itself, without hidden files and without following a link loop", () => {
  assert.deepEqual(collect("dist/"), { root: join(ws, "dist"), paths: ["app.js", "app.js.map", "lib/util.js"] });
});

test("include-hidden-files keeps dot files and dot directories", () => {
  assert.deepEqual(collect("dist", true).paths, [".env", ".hidden/secret", "app.js", "app.js.map", "lib/util.js"]);
});

test("a single named file is uploaded under its own name", () => {
  assert.deepEqual(collect("out/logs/run.log"), { root: join(ws, "out", "logs"), paths: ["run.log"] });
});

test("several paths keep their layout below the common ancestor", () => {
  assert.deepEqual(collect("dist/app.js\nout/report.txt\n"), { root: ws, paths: ["dist/app.js", "out/report.txt"] });
  assert.deepEqual(collect("out/report.txt\nout/logs"), {
    root: join(ws, "out"),
    paths: ["logs/run.log", "report.txt"],
  });
});

test("globs match within segments and ** across them; ! lines exclude, later lines win", () => {
  assert.deepEqual(collect("dist/**/*.js"), { root: join(ws, "dist"), paths: ["app.js", "lib/util.js"] });
  assert.deepEqual(collect("dist\n!dist/**/*.map\n# a comment\n!dist/lib"), {
    root: join(ws, "dist"),
    paths: ["app.js"],
  });
  assert.deepEqual(collect("dist\n!dist/lib\ndist/lib/util.js").paths, ["app.js", "app.js.map", "lib/util.js"]);
});

test("~ expands to HOME, absolute paths are taken as they are, and nothing found is an empty list", () => {
  assert.deepEqual(collect("~/notes.txt").paths, ["notes.txt"]);
  assert.deepEqual(collect(join(ws, "out", "report.txt")).paths, ["report.txt"]);
  assert.deepEqual(collect("nothing/here/*.txt").paths, []);
});

test("path globs: * and ? stay in one segment, ** spans any number, classes and negated classes work", () => {
  assert.ok(pathGlobToRegExp("/a/*.txt").test("/a/b.txt"));
  assert.ok(!pathGlobToRegExp("/a/*.txt").test("/a/b/c.txt"));
  assert.ok(pathGlobToRegExp("/a/**/c.txt").test("/a/c.txt"));
  assert.ok(pathGlobToRegExp("/a/**/c.txt").test("/a/x/y/c.txt"));
  assert.ok(pathGlobToRegExp("/a/?.txt").test("/a/b.txt"));
  assert.ok(!pathGlobToRegExp("/a/?.txt").test("/a/bb.txt"));
  assert.ok(pathGlobToRegExp("/a/[bc].txt").test("/a/c.txt"));
  assert.ok(!pathGlobToRegExp("/a/[!bc].txt").test("/a/c.txt"));
  assert.ok(pathGlobToRegExp("/a/file(1).txt").test("/a/file(1).txt"));
});
