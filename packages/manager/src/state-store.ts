// The state directory: deployments, their code, secrets. Every change is a temp file (or temp
// directory), fsynced, renamed into place; a deployment's record is written last and is its
// commit point, so a crash leaves a whole function or none. Layout in README.md.
import { randomBytes } from "node:crypto";
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fsyncDir, fsyncTree, isTempName, removeDurably, writeFileAtomic } from "./atomic-file.js";
import type { FunctionDeployment } from "./types.js";

const RECORD_VERSION = 1;

/** What the state directory keeps about one deployed function. */
export interface FunctionRecord {
  deployment: FunctionDeployment;
  /** RFC 3339, set by the first deploy and kept by updates. */
  createdAt: string;
  /** The artifact directory (under `artifacts/`) holding the function's code. */
  artifact: string;
  /** Warm replicas asked for by scale-function; absent means the labels decide. */
  replicas?: number;
}

export class StateStore {
  readonly root: string;
  private readonly functionsDir: string;
  private readonly artifactsDir: string;
  private readonly secretsDir: string;
  private readonly tmpDir: string;

  private constructor(root: string) {
    this.root = root;
    this.functionsDir = join(root, "functions");
    this.artifactsDir = join(root, "artifacts");
    this.secretsDir = join(root, "secrets");
    this.tmpDir = join(root, "tmp");
  }

  /**
   * Opens (creating if needed) the state directory and clears what a killed deploy left:
   * staging copies in tmp/, and artifacts no record refers to.
   */
  static async open(root: string, warn: (message: string) => void): Promise<StateStore> {
    const store = new StateStore(root);
    await mkdir(root, { recursive: true, mode: 0o700 });
    for (const dir of [store.functionsDir, store.artifactsDir, store.tmpDir]) {
      await mkdir(dir, { recursive: true });
    }
    await mkdir(store.secretsDir, { recursive: true, mode: 0o700 });
    await rm(store.tmpDir, { recursive: true, force: true });
    await mkdir(store.tmpDir);
    for (const dir of [store.functionsDir, store.secretsDir]) {
      for (const name of await readdir(dir)) {
        if (isTempName(name)) await rm(join(dir, name), { force: true });
      }
    }
    const records = await store.loadRecords(warn);
    const used = new Set([...records.values()].map((r) => r.artifact));
    for (const name of await readdir(store.artifactsDir)) {
      if (!used.has(name))
        await rm(join(store.artifactsDir, name), { recursive: true, force: true });
    }
    await fsyncDir(store.artifactsDir);
    store.loaded = records;
    return store;
  }

  private loaded = new Map<string, FunctionRecord>();

  /** The records found by `open()`. */
  initialRecords(): Map<string, FunctionRecord> {
    return this.loaded;
  }

  private async loadRecords(warn: (message: string) => void): Promise<Map<string, FunctionRecord>> {
    const out = new Map<string, FunctionRecord>();
    for (const file of await readdir(this.functionsDir)) {
      if (!file.endsWith(".json") || isTempName(file)) continue;
      const path = join(this.functionsDir, file);
      try {
        const raw = JSON.parse(await readFile(path, "utf8")) as {
          version?: number;
        } & FunctionRecord;
        if (raw.version !== RECORD_VERSION)
          throw new Error(`unknown record version ${raw.version}`);
        const info = await stat(this.artifactPath(raw.artifact));
        if (!info.isDirectory()) throw new Error(`artifact ${raw.artifact} is not a directory`);
        const record: FunctionRecord = {
          deployment: raw.deployment,
          createdAt: raw.createdAt,
          artifact: raw.artifact,
        };
        if (raw.replicas !== undefined) record.replicas = raw.replicas;
        out.set(raw.deployment.service, record);
      } catch (err) {
        // Not a state this code writes (records are renamed in whole, after their artifact):
        // say so and leave the file for a person to look at.
        warn(`state: skipping ${path}: ${(err as Error).message}`);
      }
    }
    return out;
  }

  artifactPath(artifact: string): string {
    return join(this.artifactsDir, artifact);
  }

  /**
   * Copies `sources` (later ones on top) and then `files` into a new artifact directory and
   * makes it durable; the artifact counts only once a record names it.
   */
  async stageArtifact(
    name: string,
    sources: readonly string[],
    files: Record<string, string> = {},
  ): Promise<string> {
    const artifact = `${name}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
    const staging = join(this.tmpDir, artifact);
    await mkdir(staging);
    for (const source of sources) {
      await cp(source, staging, { recursive: true, force: true, dereference: false });
    }
    for (const [file, text] of Object.entries(files)) await writeFile(join(staging, file), text);
    await fsyncTree(staging);
    await rename(staging, this.artifactPath(artifact));
    await fsyncDir(this.artifactsDir);
    return artifact;
  }

  /** Makes `record` the function's state: the commit point of a deploy or update. */
  async commit(record: FunctionRecord): Promise<void> {
    const body = { version: RECORD_VERSION, ...record };
    await writeFileAtomic(
      this.recordPath(record.deployment.service),
      `${JSON.stringify(body, null, 2)}\n`,
    );
  }

  /** Forgets a function: the record goes first, so a crash leaves at most a stray artifact. */
  async remove(record: FunctionRecord): Promise<void> {
    await removeDurably(this.recordPath(record.deployment.service));
    await this.dropArtifact(record.artifact);
  }

  /** Deletes an artifact no record refers to any more. */
  async dropArtifact(artifact: string): Promise<void> {
    await removeDurably(this.artifactPath(artifact));
  }

  private recordPath(name: string): string {
    return join(this.functionsDir, `${name}.json`);
  }

  async listSecrets(): Promise<string[]> {
    return (await readdir(this.secretsDir)).filter((n) => !isTempName(n)).sort();
  }

  async hasSecret(name: string): Promise<boolean> {
    return (await this.listSecrets()).includes(name);
  }

  async writeSecret(name: string, value: Uint8Array): Promise<void> {
    await writeFileAtomic(join(this.secretsDir, name), value, 0o600);
  }

  async removeSecret(name: string): Promise<void> {
    await removeDurably(join(this.secretsDir, name));
  }

  secretPath(name: string): string {
    return join(this.secretsDir, name);
  }

  /**
   * Rebuilds `run/<function>/secrets/` with copies of `secrets`: the directory an instance
   * sees at /var/openfaas/secrets, holding only its own function's secrets. Derived data,
   * rebuilt whenever a function's instances or its secrets change.
   */
  async secretsView(name: string, secrets: readonly string[]): Promise<string> {
    const dir = join(this.root, "run", name, "secrets");
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const secret of secrets) await cp(this.secretPath(secret), join(dir, secret));
    return dir;
  }

  /** Drops a removed function's derived files. */
  async dropRun(name: string): Promise<void> {
    await rm(join(this.root, "run", name), { recursive: true, force: true });
  }
}
