import assert from "node:assert/strict";
import { test } from "node:test";
import { httpScope, planFetch, rewriteUrl } from "./fetch-plan.js";

const sha = "a".repeat(40);

test("a shallow branch fetch pins the commit under the remote-tracking ref", () => {
  assert.deepEqual(planFetch({ ref: "refs/heads/main", sha }, 1, false), {
    refspecs: [`+${sha}:refs/remotes/origin/main`],
    checkout: ["-B", "main", sha],
  });
  assert.deepEqual(planFetch({ ref: "refs/heads/main" }, 1, false), {
    refspecs: ["+refs/heads/main:refs/remotes/origin/main"],
    checkout: ["-B", "main", "refs/remotes/origin/main"],
  });
});

test("a full fetch takes every branch and tag and names no ref twice", () => {
  assert.deepEqual(planFetch({ ref: "refs/heads/main", sha }, 0, false).refspecs, [
    "+refs/heads/*:refs/remotes/origin/*",
    "+refs/tags/*:refs/tags/*",
    sha,
  ]);
  assert.deepEqual(planFetch({ ref: "refs/pull/7/head" }, 0, false).refspecs, [
    "+refs/heads/*:refs/remotes/origin/*",
    "+refs/tags/*:refs/tags/*",
    "+refs/pull/7/head:refs/pull/7/head",
  ]);
  assert.deepEqual(planFetch({ ref: "refs/tags/v1" }, 1, true).refspecs, ["+refs/tags/*:refs/tags/*"]);
});

test("a bare commit is fetched by id and checked out detached", () => {
  assert.deepEqual(planFetch({ sha }, 1, false), { refspecs: [sha], checkout: [sha] });
});

test("the longest rewrite prefix wins, as with git's insteadOf", () => {
  const rewrite = { "https://forge/": "http://10.0.0.5/", "https://forge/big/": "http://10.0.0.6/" };
  assert.equal(rewriteUrl("https://forge/big/repo.git", rewrite), "http://10.0.0.6/repo.git");
  assert.equal(rewriteUrl("https://forge/a/repo.git", rewrite), "http://10.0.0.5/a/repo.git");
  assert.equal(rewriteUrl("https://other/x.git", rewrite), "https://other/x.git");
});

test("per-server settings are scoped to scheme, host and port of http urls only", () => {
  assert.equal(httpScope("http://127.0.0.1:3000/o/r.git"), "http://127.0.0.1:3000/");
  assert.equal(httpScope("/srv/git/r.git"), undefined);
  assert.equal(httpScope("ssh://git@host/r.git"), undefined);
});
