import assert from "node:assert/strict";
import { test } from "node:test";
import { validateConfigText } from "../config/index.js";
import { renderExampleConfig } from "./example-config.js";

test("the example config is rendered from the schema and validates", () => {
  const text = renderExampleConfig();
  for (const key of [
    "[git]",
    "instances = ",
    "idle_timeout = ",
    "# limits = ",
    "# allowed_refs = ",
    "# secrets_dir = ",
  ]) {
    assert.ok(text.includes(key), key);
  }
  assert.deepEqual(validateConfigText(text, "example.toml").problems, []);
});
