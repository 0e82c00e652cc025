import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { validateConfigText } from "./index.js";

const root = new URL("../../", import.meta.url);

test("every container role of examples/koder-pool.toml has a Dockerfile built from the local base", () => {
  const { config } = validateConfigText(readFileSync(new URL("examples/koder-pool.toml", root), "utf8"), "k.toml");
  const roles = config?.role.filter((r) => r.backend === "docker" || r.backend === "podman") ?? [];
  assert.ok(roles.length >= 3);
  for (const role of roles) {
    const file = new URL(`runner-images/${role.name}/Dockerfile`, root);
    assert.ok(existsSync(file), `runner-images/${role.name}/Dockerfile`);
    const text = readFileSync(file, "utf8");
    assert.match(text, /^FROM runnerpool-debian:local$/m, `${role.name} builds on the local base, never a registry`);
    assert.match(text, new RegExp(`docker build -t ${role.image} runner-images/${role.name}`), `${role.name} tag`);
  }
});
