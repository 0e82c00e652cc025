import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { globToRegExp, matchGlob, matchPatterns } from "./glob.js";

// From GitHub's "filter pattern cheat sheet": [pattern, matches, does not match].
const table: [string, string[], string[]][] = [
  ["feature/*", ["feature/my-branch"], ["feature/your/branch", "feature"]],
  ["feature/**", ["feature/your/branch", "feature/x"], ["features/x"]],
  ["main", ["main"], ["mainline", "xmain"]],
  ["v2*", ["v2", "v2.0", "v2.9"], ["v1"]],
  ["v[12].[0-9]+.[0-9]+", ["v1.10.1", "v2.0.0"], ["v3.0.0", "v1.x.0"]],
  ["**", ["all/the/branches", "a"], []],
  ["*", ["main", "releases"], ["a/b"]],
  ["*.jsx?", ["page.js", "page.jsx"], ["page.jsxx", "dir/page.js"]],
  ["**.js", ["index.js", "js/index.js", "src/js/app.js"], ["index.ts"]],
  ["docs/*", ["docs/README.md", "docs/file.txt"], ["docs/a/b.md"]],
  ["docs/**", ["docs/README.md", "docs/mona/octocat.txt"], ["doc/x"]],
  ["**/docs/**", ["docs/hello.md", "dir/docs/my-file.txt", "space/docs/plan/space.doc"], ["docsx/a"]],
  ["**/README.md", ["README.md", "js/README.md"], ["README.mdx"]],
  ["**/*src/**", ["a/src/app.js", "my-src/code/js/app.js"], ["src.js"]],
  ["**/*-post.md", ["my-post.md", "path/their-post.md"], ["post.md"]],
  ["**/migrate-*.sql", ["migrate-10909.sql", "db/migrate-v1.0.sql", "db/sept/migrate-v1.sql"], ["migrate.sql"]],
  ["colou?r", ["color", "colour"], ["colouur"]],
  ["a+b", ["ab", "aaab"], ["b"]],
  ["\\*x", ["*x"], ["ax"]],
  ["+x", ["+x"], ["x"]],
  ["release/v1.0", ["release/v1.0"], ["release/v1x0"]],
];

describe("matchGlob", () => {
  for (const [pattern, yes, no] of table) {
    test(`'${pattern}' matches ${yes.join(", ") || "nothing listed"} and not ${no.join(", ") || "-"}`, () => {
      for (const v of yes) assert.ok(matchGlob(pattern, v), `${pattern} should match ${v}`);
      for (const v of no) assert.ok(!matchGlob(pattern, v), `${pattern} should not match ${v}`);
    });
  }

  test("rejects malformed patterns with a reason", () => {
    assert.throws(() => globToRegExp("a[]"), /empty brackets/);
    assert.throws(() => globToRegExp("a[b"), /missing '\]'/);
    assert.throws(() => globToRegExp("a\\"), /nothing after/);
    assert.throws(() => globToRegExp("[!a]"), /in brackets/);
  });
});

describe("matchPatterns", () => {
  test("a later negated pattern excludes what an earlier one matched", () => {
    assert.ok(matchPatterns(["*.md", "!README.md"], "hello.md"));
    assert.ok(!matchPatterns(["*.md", "!README.md"], "README.md"));
    assert.ok(!matchPatterns(["*.md", "!README.md"], "docs/hello.md"));
  });

  test("a positive pattern after a negation re-includes", () => {
    assert.ok(matchPatterns(["*.md", "!README.md", "README*"], "README.md"));
    assert.ok(matchPatterns(["*.md", "!README.md", "README*"], "README.doc"));
  });

  test("matches nothing when no pattern matches", () => {
    assert.ok(!matchPatterns(["main"], "dev"));
    assert.ok(!matchPatterns([], "dev"));
  });
});
