// createManager(): the programmatic API — deployments, invocations, scaling, secrets, logs and
// metrics over a state directory. The HTTP server (server.ts) is a thin layer over it.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Registry } from "prom-client";
import { type Credentials, loadCredentials } from "./credentials.js";
import { ManagerError } from "./errors.js";
import { resolveImage } from "./image.js";
import type { InvokeRequest, InvokeResponse } from "./invocation.js";
import { LogBook, type LogQuery } from "./logs.js";
import { commandLine, MANIFEST, readManifest } from "./manifest.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { FunctionPool } from "./pool.js";
import { type LifecycleDefaults, lifecycleSettings, parseCpu, parseMemory } from "./settings.js";
import type { InstanceStarter } from "./starter.js";
import { defaultStateDir } from "./state-dir.js";
import { type FunctionRecord, StateStore } from "./state-store.js";
import {
  type FunctionDeployment,
  type FunctionStatus,
  type LogMessage,
  NAMESPACE,
  type ProviderInfo,
  type Secret,
} from "./types.js";
import { checkName, parseDeployment, secretListing } from "./validate.js";

/** The annotation that picks a function's starter by name (default: the manager's). */
export const STARTER_ANNOTATION = "com.junction.starter";

/** Where functions read their secrets, as in OpenFaaS. */
export const SECRETS_PATH = "/var/openfaas/secrets";

export interface ManagerOptions {
  /** The state directory (default: `defaultStateDir()`). */
  stateDir?: string;
  /** Starters by name; functions pick one with the `com.junction.starter` annotation. */
  starters: Record<string, InstanceStarter>;
  /** The starter for functions that do not pick one (default `"kernel"`). */
  defaultStarter?: string;
  /** Lifecycle defaults for functions whose labels do not say. */
  defaults?: Partial<LifecycleDefaults>;
  /** Log lines kept per function (default 1000). */
  logLines?: number;
  /** Where the manager reports problems it recovers from (default: stderr). */
  warn?: (message: string) => void;
  /**
   * Called after a deploy's files are durable and before its record is written: the one
   * moment a crash must not leave half a function. For crash tests.
   */
  beforeCommit?: (name: string) => Promise<void>;
}

export interface Manager {
  readonly stateDir: string;
  /** The basic-auth credentials for /system/* (from `<state>/credentials.json`). */
  readonly credentials: Credentials;
  /** Creates a function; `exists` if it is there already. */
  deploy(deployment: FunctionDeployment | unknown): Promise<FunctionStatus>;
  /** Replaces a function; `not_found` if it is not there. */
  update(deployment: FunctionDeployment | unknown): Promise<FunctionStatus>;
  remove(name: string): Promise<void>;
  list(): FunctionStatus[];
  get(name: string): FunctionStatus;
  /** Sets an http function's warm replicas (kept across restarts). */
  scale(name: string, replicas: number): Promise<void>;
  invoke(name: string, request: InvokeRequest): Promise<InvokeResponse>;
  /** Starts an invocation in the background; POSTs the result to `callbackUrl` if given. */
  invokeAsync(name: string, request: InvokeRequest, callbackUrl?: string): string;
  listSecrets(): Promise<Secret[]>;
  createSecret(name: string, value: Uint8Array): Promise<void>;
  updateSecret(name: string, value: Uint8Array): Promise<void>;
  removeSecret(name: string): Promise<void>;
  logs(query: LogQuery): LogMessage[];
  followLogs(query: LogQuery, onMessage: (message: LogMessage) => void): () => void;
  info(): ProviderInfo;
  readonly metrics: Registry;
  /** Stops every instance. The state directory keeps the deployments. */
  close(): Promise<void>;
}

const DEFAULTS: LifecycleDefaults = {
  idleTimeoutMs: 5 * 60_000,
  execTimeoutMs: 60_000,
  concurrency: 16,
  queueLimit: 256,
  maxInstances: 20,
  startTimeoutMs: 30_000,
};

/** The base environment of every instance; the function's envVars go on top. */
const BASE_ENV = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/tmp",
  LANG: "C.UTF-8",
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "unknown";
}

export async function createManager(options: ManagerOptions): Promise<Manager> {
  const warn = options.warn ?? ((m: string) => process.stderr.write(`junction daemon: ${m}\n`));
  const defaultStarter = options.defaultStarter ?? "kernel";
  if (options.starters[defaultStarter] === undefined) {
    throw new Error(
      `no '${defaultStarter}' starter: pass it in options.starters (createManager from ` +
        "@junction/runtime adds the kernel starter)",
    );
  }
  const stateDir = options.stateDir ?? defaultStateDir();
  const store = await StateStore.open(stateDir, warn);
  const credentials = await loadCredentials(stateDir);
  const defaults: LifecycleDefaults = { ...DEFAULTS, ...options.defaults };
  const logBook = new LogBook(options.logLines ?? 1000);
  const records = new Map<string, FunctionRecord>();
  const pools = new Map<string, FunctionPool>();
  /** Names with a deploy, update or removal under way. */
  const busy = new Set<string>();
  let closed = false;

  // Labelled `name.namespace`, as the OpenFaaS gateway labels its metrics.
  const metrics: Metrics = createMetrics({
    replicas: () => new Map([...pools].map(([n, p]) => [`${n}.${NAMESPACE}`, p.replicas])),
    memory: () => new Map([...pools].map(([n, p]) => [`${n}.${NAMESPACE}`, p.memoryBytes()])),
  });

  function starterOf(deployment: FunctionDeployment): InstanceStarter {
    const name = deployment.annotations?.[STARTER_ANNOTATION] ?? defaultStarter;
    const starter = options.starters[name];
    if (starter === undefined) {
      throw new ManagerError(
        "invalid",
        `annotation ${STARTER_ANNOTATION}: no starter '${name}'; there are: ${Object.keys(options.starters).join(", ")}`,
        `annotations.${STARTER_ANNOTATION}`,
      );
    }
    return starter;
  }

  /** Everything about a deployment that can be refused, checked before anything is written. */
  async function check(deployment: FunctionDeployment) {
    const image = resolveImage(deployment.image);
    const starter = starterOf(deployment);
    const settings = lifecycleSettings(deployment, defaults);
    const memory =
      deployment.limits?.memory !== undefined ? parseMemory(deployment.limits.memory) : undefined;
    const cpus = deployment.limits?.cpu !== undefined ? parseCpu(deployment.limits.cpu) : undefined;
    if (image.manifest.protocol === "http" && !starter.supportsListen) {
      throw new ManagerError(
        "unsupported",
        `'${deployment.service}' uses the http protocol, and the ${starter.name} starter's instances ` +
          `cannot listen on ports; use the stdio protocol or another starter (annotation ${STARTER_ANNOTATION})`,
      );
    }
    const secrets = deployment.secrets ?? [];
    for (const secret of secrets) {
      if (!(await store.hasSecret(secret))) {
        throw new ManagerError(
          "invalid",
          `secret '${secret}' does not exist; create it first`,
          "secrets",
        );
      }
    }
    if (secrets.length > 0 && !starter.supportsBinds) {
      throw new ManagerError(
        "unsupported",
        `the ${starter.name} starter cannot show secrets at ${SECRETS_PATH} (its instances see the host's ` +
          "files as they are); use the kernel starter",
        "secrets",
      );
    }
    if (secrets.length > 0) {
      // A bind needs its mount point to exist in the instance's root (the host's /).
      try {
        await mkdir(SECRETS_PATH, { recursive: true });
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new ManagerError(
          "unsupported",
          `cannot create the mount point ${SECRETS_PATH} for secrets: ${why}`,
          "secrets",
        );
      }
    }
    if (deployment.envProcess !== undefined)
      commandLine(image.manifest, "/", deployment.envProcess);
    return { image, starter, settings, memory, cpus };
  }

  async function makePool(record: FunctionRecord): Promise<FunctionPool> {
    const { deployment } = record;
    const secrets = deployment.secrets ?? [];
    const binds =
      secrets.length > 0
        ? [{ host: await store.secretsView(deployment.service, secrets), path: SECRETS_PATH }]
        : [];
    const dir = store.artifactPath(record.artifact);
    const image = readManifest(dir);
    const starter = starterOf(deployment);
    const settings = lifecycleSettings(deployment, defaults);
    const { program, args } = commandLine(image, dir, deployment.envProcess);
    const base: ConstructorParameters<typeof FunctionPool>[0]["base"] = {
      program,
      args,
      cwd: dir,
      env: { ...BASE_ENV, ...deployment.envVars },
      binds,
    };
    if (deployment.limits?.memory !== undefined)
      base.memory = parseMemory(deployment.limits.memory);
    if (deployment.limits?.cpu !== undefined) base.cpus = parseCpu(deployment.limits.cpu);
    const name = deployment.service;
    return new FunctionPool(
      {
        name,
        protocol: image.protocol,
        starter,
        settings,
        base,
        contentType: deployment.envVars?.content_type ?? "text/plain; charset=utf-8",
        log: (instance, line) => logBook.write(name, instance, line),
        onStart: (kind) => metrics.starts.inc({ kind }),
      },
      record.replicas,
    );
  }

  for (const [name, record] of store.initialRecords()) {
    try {
      records.set(name, record);
      pools.set(name, await makePool(record));
    } catch (err) {
      warn(`function '${name}' cannot run: ${(err as Error).message}`);
    }
  }

  function status(name: string): FunctionStatus {
    const record = records.get(name);
    if (record === undefined) throw new ManagerError("not_found", `function '${name}' not found`);
    const pool = pools.get(name);
    const d = record.deployment;
    const out: FunctionStatus = {
      name,
      image: d.image,
      namespace: NAMESPACE,
      invocationCount: pool?.invocations ?? 0,
      replicas: pool?.replicas ?? 0,
      availableReplicas: pool?.available ?? 0,
      createdAt: record.createdAt,
    };
    if (d.envProcess !== undefined) out.envProcess = d.envProcess;
    if (d.envVars !== undefined) out.envVars = d.envVars;
    if (d.constraints !== undefined) out.constraints = d.constraints;
    if (d.secrets !== undefined) out.secrets = d.secrets;
    if (d.labels !== undefined) out.labels = d.labels;
    if (d.annotations !== undefined) out.annotations = d.annotations;
    if (d.limits !== undefined) out.limits = d.limits;
    if (d.requests !== undefined) out.requests = d.requests;
    if (d.readOnlyRootFilesystem !== undefined)
      out.readOnlyRootFilesystem = d.readOnlyRootFilesystem;
    const memory = pool?.memoryBytes() ?? 0;
    if (memory > 0) out.usage = { totalMemoryBytes: memory };
    return out;
  }

  /** Pools of replaced versions, draining. */
  const retiring = new Set<FunctionPool>();

  /** Drains an old version's pool, then deletes its code (its instances run in it). */
  function retire(pool: FunctionPool, artifact: string | undefined): void {
    retiring.add(pool);
    void pool
      .drain()
      .then(() => (artifact !== undefined ? store.dropArtifact(artifact) : undefined))
      .catch((err: Error) =>
        warn(`retiring the old version of '${pool.config.name}': ${err.message}`),
      )
      .finally(() => retiring.delete(pool));
  }

  async function exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (closed) throw new ManagerError("closed", "the manager is shutting down");
    if (busy.has(name)) {
      throw new ManagerError(
        "busy",
        `another deploy, update or removal of '${name}' is under way; try again`,
      );
    }
    busy.add(name);
    try {
      return await work();
    } finally {
      busy.delete(name);
    }
  }

  async function put(input: unknown, mode: "create" | "update"): Promise<FunctionStatus> {
    const deployment = parseDeployment(input);
    const name = deployment.service;
    return exclusive(name, async () => {
      const previous = records.get(name);
      if (mode === "create" && previous !== undefined) {
        throw new ManagerError(
          "exists",
          `function '${name}' exists; update it with PUT /system/functions`,
        );
      }
      if (mode === "update" && previous === undefined) {
        throw new ManagerError(
          "not_found",
          `function '${name}' not found; create it with POST /system/functions`,
        );
      }
      const checked = await check(deployment);
      const files = { [MANIFEST]: `${JSON.stringify(checked.image.manifest, null, 2)}\n` };
      const artifact = await store.stageArtifact(name, checked.image.sources, files);
      const record: FunctionRecord = {
        deployment,
        createdAt: previous?.createdAt ?? new Date().toISOString(),
        artifact,
      };
      // Replicas set by scale-function outlive an update, as long as the new labels allow them.
      if (
        previous?.replicas !== undefined &&
        checked.image.manifest.protocol === "http" &&
        previous.replicas >= checked.settings.minInstances &&
        previous.replicas <= checked.settings.maxInstances
      ) {
        record.replicas = previous.replicas;
      }
      try {
        await options.beforeCommit?.(name);
        await store.commit(record);
      } catch (err) {
        await store.dropArtifact(artifact);
        throw err;
      }
      records.set(name, record);
      const old = pools.get(name);
      // check() ran everything makePool can refuse, so this does not throw for a new record.
      // From here new requests reach the new version; the old one finishes what it has.
      pools.set(name, await makePool(record));
      if (old !== undefined) retire(old, previous?.artifact);
      return status(name);
    });
  }

  async function invoke(name: string, request: InvokeRequest): Promise<InvokeResponse> {
    const started = process.hrtime.bigint();
    let code = 500;
    try {
      const pool = pools.get(name);
      if (pool === undefined) throw new ManagerError("not_found", `function '${name}' not found`);
      const response = await pool.invoke(request);
      code = response.status;
      return response;
    } catch (err) {
      code = err instanceof ManagerError ? err.status : 500;
      throw err;
    } finally {
      if (records.has(name)) {
        const labels = { function_name: `${name}.${NAMESPACE}`, code: String(code) };
        metrics.invocations.inc(labels);
        metrics.seconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      }
    }
  }

  function callback(
    url: string,
    name: string,
    callId: string,
    response: InvokeResponse,
    seconds: number,
  ): void {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, {
      method: "POST",
      headers: {
        ...response.headers,
        "content-length": String(response.body.length),
        "x-call-id": callId,
        "x-function-name": name,
        "x-function-status": String(response.status),
        "x-duration-seconds": seconds.toFixed(6),
      },
    });
    req.on("response", (res) => res.resume());
    req.on("error", (err) =>
      logBook.write(name, "async", `callback to ${url} failed: ${err.message}`),
    );
    req.end(response.body);
  }

  return {
    stateDir,
    credentials,
    deploy: (d) => put(d, "create"),
    update: (d) => put(d, "update"),
    async remove(name) {
      checkName(name, "functionName");
      await exclusive(name, async () => {
        const record = records.get(name);
        if (record === undefined)
          throw new ManagerError("not_found", `function '${name}' not found`);
        await store.remove(record);
        records.delete(name);
        const pool = pools.get(name);
        pools.delete(name);
        await pool?.close();
        await store.dropRun(name);
        logBook.forget(name);
      });
    },
    list: () => [...records.keys()].sort().map(status),
    get: status,
    async scale(name, replicas) {
      if (!records.has(name)) throw new ManagerError("not_found", `function '${name}' not found`);
      await exclusive(name, async () => {
        const record = records.get(name);
        const pool = pools.get(name);
        if (record === undefined || pool === undefined) {
          throw new ManagerError("not_found", `function '${name}' not found`);
        }
        pool.scale(replicas);
        // Kept in the record, so a restarted daemon brings the same replicas back.
        const next: FunctionRecord = { ...record, replicas };
        await store.commit(next);
        records.set(name, next);
      });
    },
    invoke,
    invokeAsync(name, request, callbackUrl) {
      if (!records.has(name)) throw new ManagerError("not_found", `function '${name}' not found`);
      if (callbackUrl !== undefined) {
        let url: URL;
        try {
          url = new URL(callbackUrl);
        } catch {
          throw new ManagerError(
            "invalid",
            `X-Callback-Url '${callbackUrl}' is not a URL`,
            "X-Callback-Url",
          );
        }
        if (url.protocol !== "http:" && url.protocol !== "https:") {
          throw new ManagerError(
            "invalid",
            "X-Callback-Url must be http or https",
            "X-Callback-Url",
          );
        }
      }
      const callId = randomUUID();
      const started = process.hrtime.bigint();
      invoke(name, request).then(
        (response) => {
          if (callbackUrl === undefined) return;
          callback(
            callbackUrl,
            name,
            callId,
            response,
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
        (err: Error) => {
          const status = err instanceof ManagerError ? err.status : 500;
          logBook.write(name, "async", `async call ${callId} failed (${status}): ${err.message}`);
          if (callbackUrl === undefined) return;
          const body = Buffer.from(
            `${JSON.stringify({ error: { code: (err as ManagerError).code, message: err.message } })}\n`,
          );
          callback(
            callbackUrl,
            name,
            callId,
            { status, headers: { "content-type": "application/json" }, body },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
      );
      return callId;
    },
    async listSecrets() {
      return (await store.listSecrets()).map(secretListing);
    },
    async createSecret(name, value) {
      checkName(name, "name");
      await exclusive(`secret:${name}`, async () => {
        if (await store.hasSecret(name))
          throw new ManagerError("exists", `secret '${name}' exists; update it with PUT`);
        await store.writeSecret(name, value);
      });
    },
    async updateSecret(name, value) {
      checkName(name, "name");
      await exclusive(`secret:${name}`, async () => {
        if (!(await store.hasSecret(name)))
          throw new ManagerError("not_found", `secret '${name}' not found`);
        await store.writeSecret(name, value);
        // Instances started from now on see the new value.
        for (const record of records.values()) {
          const secrets = record.deployment.secrets ?? [];
          if (secrets.includes(name)) await store.secretsView(record.deployment.service, secrets);
        }
      });
    },
    async removeSecret(name) {
      checkName(name, "name");
      await exclusive(`secret:${name}`, async () => {
        if (!(await store.hasSecret(name)))
          throw new ManagerError("not_found", `secret '${name}' not found`);
        const users = [...records.values()].filter((r) => r.deployment.secrets?.includes(name));
        if (users.length > 0) {
          const names = users.map((r) => r.deployment.service).join(", ");
          throw new ManagerError("busy", `secret '${name}' is used by ${names}; remove them first`);
        }
        await store.removeSecret(name);
      });
    },
    logs(query) {
      if (!records.has(query.name))
        throw new ManagerError("not_found", `function '${query.name}' not found`);
      return logBook.history(query);
    },
    followLogs(query, onMessage) {
      if (!records.has(query.name))
        throw new ManagerError("not_found", `function '${query.name}' not found`);
      return logBook.follow(query, onMessage);
    },
    info: () => ({
      provider: "junction",
      orchestration: "junction",
      version: { sha: process.env.JUNCTION_GIT_SHA ?? "unknown", release: version() },
    }),
    metrics: metrics.registry,
    async close() {
      closed = true;
      await Promise.all([...pools.values(), ...retiring].map((p) => p.close()));
      pools.clear();
    },
  };
}
