import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// An image registry on 127.0.0.1 for tests: Debian's docker-registry (distribution 2.8) with basic auth.

export const REGISTRY_USER = "ci";
export const REGISTRY_PASSWORD = "s3cret";
// bcrypt of REGISTRY_PASSWORD (htpasswd -Bbn ci s3cret): the registry accepts no other hash.
const HTPASSWD = "ci:$2y$05$.Dhfh70wr.UYOQTuJP6luOa.QVZ9whZn7b3juB8KP2Z8SZj3sztB6\n";

/** Why no registry can run here, or false. */
export function registrySkipReason(): string | false {
  const r = spawnSync("docker-registry", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? false : "docker-registry is not installed (apt-get install -y docker-registry; .ci/run does)";
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A containers auth file (Docker's config.json and Podman's auth.json share it) for `password`. */
export function authFileText(host: string, password = REGISTRY_PASSWORD): string {
  const auth = Buffer.from(`${REGISTRY_USER}:${password}`).toString("base64");
  return `${JSON.stringify({ auths: { [host]: { auth } } })}\n`;
}

export class TestRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), "rp-registry-"));
  host = "";
  private child: ChildProcess | undefined;

  async start(): Promise<this> {
    const port = await freePort();
    this.host = `127.0.0.1:${port}`;
    writeFileSync(join(this.dir, "htpasswd"), HTPASSWD);
    writeFileSync(
      join(this.dir, "config.yml"),
      `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(this.dir, "data")}\nhttp:\n  addr: ${this.host}\nauth:\n  htpasswd:\n    realm: runnerpool-test\n    path: ${join(this.dir, "htpasswd")}\n`,
    );
    this.child = spawn("docker-registry", ["serve", join(this.dir, "config.yml")], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      const status = await fetch(`http://${this.host}/v2/`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 401) return this;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the registry on ${this.host} did not come up`);
  }

  /** Pushes a local image under `name` with the test credentials; returns the registry's reference. */
  push(localImage: string, name: string): string {
    const ref = `${this.host}/${name}`;
    const config = join(this.dir, "docker-config");
    spawnSync("mkdir", ["-p", config]);
    writeFileSync(join(config, "config.json"), authFileText(this.host));
    for (const args of [
      ["tag", localImage, ref],
      [`--config=${config}`, "push", ref],
      ["rmi", ref],
    ]) {
      const r = spawnSync("docker", args, { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`docker ${args.join(" ")}: ${r.stderr}`);
    }
    return ref;
  }

  stop(): void {
    this.child?.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
