import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createDockerBackend, createPodmanBackend, runJob } from "../../src/executor/index.js";
import { ROOT } from "../support/cli.js";
import { RecordingSink } from "../support/recording-sink.js";
import { TEST_CONTEXT } from "../support/run-test-job.js";

// Job containers on the docker and podman backends: `container:`, `services:`, `docker://` steps and
// Docker actions. There is no registry and no bridge network here: images are the local test images,
// services share the job container's network namespace.

const BUSYBOX = "runnerpool-test:busybox";
/** The role's image has node, the job's `container:` has not: tells them apart. */
const ROLE_IMAGE = "runnerpool-test:node";
const BUILD = join(ROOT, "runner-images/build-base.sh");

type Engine = "docker" | "podman";

function skipReason(engine: Engine): string | false {
  if (spawnSync(engine, ["info"], { stdio: "ignore", timeout: 30_000 }).status !== 0) {
    return `${engine} is not installed or cannot run containers here (.ci/run installs and starts it)`;
  }
  for (const [image, extra] of [
    [BUSYBOX, []],
    [ROLE_IMAGE, ["--with-node"]],
  ] as const) {
    if (spawnSync(engine, ["image", "inspect", image], { stdio: "ignore" }).status === 0) continue;
    const built = spawnSync("bash", [BUILD, "--engine", engine, "--tag", image, ...extra], { encoding: "utf8" });
    if (built.status !== 0) return `cannot build ${image}: ${built.stderr}`;
  }
  return false;
}

/** The job's containers and images (by their label), and every volume and network the engine knows. */
function engineObjects(engine: Engine, jobKey: string): string[] {
  const list = (args: string[]) =>
    spawnSync(engine, args, { encoding: "utf8" })
      .stdout.split("\n")
      .filter((l) => l.trim() !== "");
  const only = ["--filter", `label=runnerpool.job=${jobKey}`];
  return [
    ...list(["ps", "--all", "--quiet", "--no-trunc", ...only]).map((c) => `container ${c}`),
    ...list(["images", "--quiet", "--no-trunc", ...only]).map((i) => `image ${i}`),
    ...list(["volume", "ls", "--quiet"]).map((v) => `volume ${v}`),
    ...list(["network", "ls", "--quiet"]).map((n) => `network ${n}`),
  ].sort();
}

function workflow(job: string): string {
  return `name: ci\non: push\njobs:\n  test:\n    runs-on: self-hosted\n${job.replace(/^/gm, "    ")}\n`;
}

// The executor's test context, with an empty event payload.
const CONTEXT = { ...TEST_CONTEXT, event: {} };

for (const engine of ["docker", "podman"] as const) {
  const skip = skipReason(engine);
  describe(`job containers on the ${engine} backend`, { skip }, () => {
    let parent = "";
    let seed = "";
    before(async () => {
      parent = await mkdtemp(join(tmpdir(), `container-jobs-${engine}-`));
      seed = await mkdtemp(join(tmpdir(), `container-jobs-seed-${engine}-`));
      await mkdir(join(seed, "hello-action"));
      await writeFile(
        join(seed, "hello-action/action.yml"),
        "inputs:\n  who:\n    required: true\nruns:\n  using: docker\n  image: Dockerfile\n  args: ['${{ inputs.who }}']\n",
      );
      await writeFile(
        join(seed, "hello-action/Dockerfile"),
        `FROM ${BUSYBOX}\nRUN echo built-here > /etc/marker\nENV PATH=/opt/act:/bin\nCOPY entry.sh /entry.sh\nENTRYPOINT ["/bin/sh", "/entry.sh"]\n`,
      );
      await writeFile(
        join(seed, "hello-action/entry.sh"),
        'echo "hello $1 input=$INPUT_WHO marker=$(cat /etc/marker) pwd=$PWD path=$PATH"\necho "greeting=hi-$1" >> "$GITHUB_OUTPUT"\n',
      );
      await mkdir(join(seed, "js-action"));
      await writeFile(join(seed, "js-action/action.yml"), "runs:\n  using: node20\n  main: m.js\n");
      await writeFile(
        join(seed, "js-action/m.js"),
        "console.log('js in', process.env.GITHUB_ACTION_PATH, 'node at', process.execPath);\n",
      );
    });
    after(async () => {
      await rm(parent, { recursive: true, force: true });
      await rm(seed, { recursive: true, force: true });
    });

    async function run(
      job: string,
      withSeed = false,
      jobKey = `cjobs-${randomUUID()}`,
    ): Promise<{ result: string; lines: string[]; text: string }> {
      const sink = new RecordingSink();
      const backend = (engine === "docker" ? createDockerBackend : createPodmanBackend)({
        image: ROLE_IMAGE,
        workdirParent: parent,
      });
      const outcome = await runJob({
        request: { payload: workflow(job), context: CONTEXT, secrets: {}, vars: {}, needs: {} },
        backend,
        sink,
        signal: new AbortController().signal,
        runnerName: "test-runner",
        jobKey,
        ...(withSeed ? { seedWorkspace: seed } : {}),
      });
      assert.deepEqual(
        (await readdir(parent)).filter((n) => !n.startsWith(".")),
        [],
        "the job's directory is removed",
      );
      return { result: outcome.result, lines: sink.lines, text: sink.text };
    }

    test("run steps execute inside the job's container image, not the role's", async () => {
      const r = await run(`container:
  image: ${BUSYBOX}
  env:
    FROM_CONTAINER: yes-it-is
steps:
  - run: |
      test -x /bin/busybox && echo has-busybox
      command -v node || echo no-node
      echo "env=$FROM_CONTAINER pwd=$PWD"`);
      assert.equal(r.result, "success", r.text);
      for (const line of ["has-busybox", "no-node", "env=yes-it-is pwd=/workspace"]) {
        assert.ok(r.lines.includes(line), `${line} in\n${r.text}`);
      }
    });

    test("JavaScript actions in a job container run with the container's own node", async () => {
      const r = await run(
        `container: ${ROLE_IMAGE}
steps:
  - uses: ./js-action`,
        true,
      );
      assert.equal(r.result, "success", r.text);
      assert.ok(r.lines.includes("js in /workspace/js-action node at /usr/local/bin/node"), r.text);
    });

    test("a service is reachable from the job by its id", async () => {
      const r = await run(`container: ${BUSYBOX}
services:
  web:
    image: ${BUSYBOX}
    volumes: ["./www:/www"]
    ports: ["8080:8080"]
    cmd: [busybox, httpd, -f, -p, "8080", -h, /www]
steps:
  - run: |
      echo served-by-service > www/index.html
      wget -q -O - http://web:8080/index.html`);
      assert.equal(r.result, "success", r.text);
      assert.ok(r.lines.includes("served-by-service"), r.text);
    });

    test("a docker:// step runs its image with args and entrypoint, in the workspace, with file commands", async () => {
      const r = await run(`steps:
  - id: d
    uses: docker://${BUSYBOX}
    with:
      args: sh -c "echo in-step pwd=$PWD ws=$GITHUB_WORKSPACE input=$INPUT_COLOUR; echo made > from-step; echo v=42 >> $GITHUB_OUTPUT"
      colour: blue
  - uses: docker://${BUSYBOX}
    with:
      entrypoint: /bin/echo
      args: via entrypoint
  - run: echo "output=\${{ steps.d.outputs.v }} file=$(cat from-step)"`);
      assert.equal(r.result, "success", r.text);
      for (const line of [
        "in-step pwd=/github/workspace ws=/github/workspace input=blue",
        "via entrypoint",
        "output=42 file=made",
      ]) {
        assert.ok(r.lines.includes(line), `${line} in\n${r.text}`);
      }
    });

    test("a local Docker action is built from its Dockerfile and run with its inputs", async () => {
      const jobKey = `cjobs-action-${randomUUID()}`;
      const before = engineObjects(engine, jobKey);
      const r = await run(
        `steps:
  - id: hello
    uses: ./hello-action
    with:
      who: world
  - run: echo "got \${{ steps.hello.outputs.greeting }}"`,
        true,
        jobKey,
      );
      assert.equal(r.result, "success", r.text);
      for (const line of [
        "hello world input=world marker=built-here pwd=/github/workspace path=/opt/act:/bin",
        "got hi-world",
      ]) {
        assert.ok(r.lines.includes(line), `${line} in\n${r.text}`);
      }
      assert.deepEqual(engineObjects(engine, jobKey), before, "the built image and every container are removed");
    });

    test("a job waits for its service's --health-cmd to pass", async () => {
      const r = await run(`container: ${BUSYBOX}
services:
  web:
    image: ${BUSYBOX}
    cmd: [sh, -c, "sleep 1; mkdir -p /www; echo ready > /www/ready; exec busybox httpd -f -p 8080 -h /www"]
    options: --health-cmd "wget -q -O /dev/null http://127.0.0.1:8080/ready" --health-interval 5s --health-retries 3
steps:
  - run: wget -q -O - http://web:8080/ready`);
      assert.equal(r.result, "success", r.text);
      assert.ok(r.lines.includes("ready"), r.text);
    });

    test("an unhealthy service fails the job with its health command", async () => {
      const r = await run(`services:
  sick:
    image: ${BUSYBOX}
    cmd: [sleep, "300"]
    options: --health-cmd "test -e /never" --health-interval 200ms --health-retries 2
steps:
  - run: echo never-runs`);
      assert.equal(r.result, "failure", r.text);
      assert.ok(!r.lines.includes("never-runs"), r.text);
      assert.match(r.text, /service 'sick' is not healthy/);
    });

    test("a service that cannot start fails the job before its steps and leaves nothing behind", async () => {
      const jobKey = `cjobs-svc-${randomUUID()}`;
      const before = engineObjects(engine, jobKey);
      const r = await run(
        `services:
  broken:
    image: ${BUSYBOX}
    cmd: [/no/such/program]
steps:
  - run: echo never-runs`,
        false,
        jobKey,
      );
      assert.equal(r.result, "failure", r.text);
      assert.ok(!r.lines.includes("never-runs"), r.text);
      assert.match(r.text, /service 'broken'/);
      assert.deepEqual(engineObjects(engine, jobKey), before);
    });
  });
}
