import assert from "node:assert/strict";
import { test } from "node:test";
import { parseActionManifest } from "./action-manifest.js";

test("reads a node action with inputs, outputs and pre/post conditions", () => {
  const { action, diagnostics } = parseActionManifest(
    [
      "inputs:",
      "  who-to-greet:",
      "    required: true",
      "  level:",
      "    default: ${{ github.ref_name }}",
      "outputs:",
      "  time: {description: when}",
      "runs:",
      "  using: node24",
      "  pre: setup.js",
      "  pre-if: runner.os == 'Linux'",
      "  main: dist/index.js",
      "  post: cleanup.js",
      "",
    ].join("\n"),
    "act/action.yml",
  );
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(action?.inputs, {
    "who-to-greet": { required: true },
    level: { required: false, default: "${{ github.ref_name }}" },
  });
  assert.deepEqual(action?.runs, {
    using: "node",
    runtime: "node24",
    main: "dist/index.js",
    pre: "setup.js",
    post: "cleanup.js",
    preIf: "runner.os == 'Linux'",
  });
});

test("reads composite steps with their positions", () => {
  const { action } = parseActionManifest(
    "runs:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n    - uses: ./other\n",
    "c/action.yml",
  );
  assert.equal(action?.runs.using, "composite");
  const steps = action?.runs.using === "composite" ? action.runs.steps : [];
  assert.deepEqual(
    steps.map((s) => [s.run ?? s.uses, s.position?.line]),
    [
      ["echo hi", 4],
      ["./other", 6],
    ],
  );
});

test("an unknown runs.using is an error at its line and column, and no action is returned", () => {
  const { action, diagnostics } = parseActionManifest("name: x\nruns:\n  using: node8\n  main: a.js\n", "x/action.yml");
  assert.equal(action, undefined);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line, d.col, d.file]),
    [["runs-using-invalid", 3, 10, "x/action.yml"]],
  );
  assert.match(
    diagnostics[0]?.message ?? "",
    /runs.using 'node8' is not supported: use node20, node24, composite or docker/,
  );
});

test("a node action without main and a composite run step without shell are errors", () => {
  assert.equal(parseActionManifest("runs:\n  using: node20\n", "a.yml").diagnostics[0]?.code, "runs-main-missing");
  const composite = parseActionManifest("runs:\n  using: composite\n  steps:\n    - run: echo\n", "b.yml");
  assert.deepEqual(
    composite.diagnostics.map((d) => [d.code, d.line]),
    [["composite-shell-missing", 4]],
  );
});

test("YAML syntax errors and bad expressions name their position", () => {
  const yaml = parseActionManifest("runs:\n  using: node20\n  main: [a.js\n", "y.yml");
  assert.equal(yaml.diagnostics[0]?.code, "yaml-syntax");
  assert.ok(yaml.diagnostics[0]?.line);
  const expr = parseActionManifest(
    "runs:\n  using: composite\n  steps:\n    - if: inputs.x ==\n      shell: bash\n      run: echo\n",
    "e.yml",
  );
  assert.deepEqual(
    expr.diagnostics.map((d) => [d.code, d.line, d.col]),
    [["expression-syntax", 4, 11]],
  );
});

test("a docker action keeps image, args, env and entrypoints; a manifest without runs is an error", () => {
  const { action } = parseActionManifest(
    "runs:\n  using: docker\n  image: Dockerfile\n  args: ['${{ inputs.a }}', b]\n  env: {K: v}\n  entrypoint: /run.sh\n",
    "d.yml",
  );
  assert.deepEqual(action?.runs, {
    using: "docker",
    image: "Dockerfile",
    args: ["${{ inputs.a }}", "b"],
    env: { K: "v" },
    entrypoint: "/run.sh",
  });
  assert.equal(parseActionManifest("name: nothing\n", "n.yml").diagnostics[0]?.code, "runs-missing");
});
