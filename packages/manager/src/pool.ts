// The instances of one function and the requests waiting for them: scale from zero, a
// concurrency limit per instance, a bounded queue (then 429), exec timeouts (504), crashed
// instances (502 for their requests only) and idle instances stopped after a while.

import { readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { connect, createServer } from "node:net";
import { ManagerError } from "./errors.js";
import { HOP_BY_HOP, type InvokeRequest, type InvokeResponse, watchdogEnv } from "./invocation.js";
import type { Protocol } from "./manifest.js";
import type { LifecycleSettings } from "./settings.js";
import type { InstanceSpec, InstanceStarter, StartedInstance } from "./starter.js";

/** What a pool needs from its function, fixed for the pool's life (an update makes a new pool). */
export interface PoolConfig {
  name: string;
  protocol: Protocol;
  starter: InstanceStarter;
  settings: LifecycleSettings;
  /** The instance's spec without id, input and per-request env. */
  base: Omit<InstanceSpec, "id" | "input" | "captureStdout">;
  /** Content-Type of stdio responses (the function's `content_type` env var). */
  contentType: string;
  log: (instance: string, line: string) => void;
  /** Called once per instance started, with how it started. */
  onStart: (kind: "cold" | "restore") => void;
}

interface Instance {
  id: string;
  process: StartedInstance;
  port: number;
  ready: boolean;
  inflight: number;
  idleSince: number;
  exited: boolean;
}

interface Waiter {
  /** http: the instance, its slot already counted; stdio: the slot of a finished request. */
  resolve: (instance: Instance | undefined) => void;
  reject: (err: Error) => void;
}

let instanceCounter = 0;

function instanceId(name: string): string {
  instanceCounter += 1;
  return `${name}-${process.pid.toString(36)}-${instanceCounter.toString(36)}`;
}

/** A free TCP port on 127.0.0.1 (the instance binds it a moment later). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process from /proc, 0 when it is gone. */
function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

export class FunctionPool {
  readonly config: PoolConfig;
  private readonly instances = new Set<Instance>();
  private readonly queue: Waiter[] = [];
  /** stdio: instances running a request now. */
  private running = 0;
  private starting = 0;
  private closed = false;
  private desired: number;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly reaper: NodeJS.Timeout;
  invocations = 0;

  constructor(config: PoolConfig, replicas?: number) {
    this.config = config;
    this.desired = Math.max(replicas ?? 0, config.settings.minInstances);
    const every = Math.max(50, Math.min(1000, config.settings.idleTimeoutMs / 4));
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
    this.fillToDesired();
  }

  /**
   * http: replicas asked for (scale-function, else com.openfaas.scale.min) or running.
   * stdio: at least 1, since every request gets a fresh instance the function is always
   * ready; an OpenFaaS gateway in front then never waits to scale it from zero.
   */
  get replicas(): number {
    return this.config.protocol === "http"
      ? Math.max(this.desired, this.instances.size)
      : Math.max(1, this.running);
  }

  /** Instances ready for requests (stdio: as `replicas`). */
  get available(): number {
    if (this.config.protocol === "stdio") return Math.max(1, this.running);
    let n = 0;
    for (const i of this.instances) if (i.ready) n += 1;
    return n;
  }

  /** Resident memory of the live instances, in bytes. */
  memoryBytes(): number {
    let total = 0;
    for (const i of this.instances) total += rssBytes(i.process.pid);
    return total;
  }

  /** Sets the warm replicas (http functions): starts up to `n`, stops idle ones above it. */
  scale(n: number): void {
    if (this.config.protocol === "stdio") {
      throw new ManagerError(
        "unsupported",
        `'${this.config.name}' uses the stdio protocol: each request gets an instance of its own, ` +
          "so it has no warm replicas to scale (until snapshots land)",
      );
    }
    if (n < this.config.settings.minInstances) {
      throw new ManagerError(
        "invalid",
        `replicas ${n} is below the function's com.openfaas.scale.min (${this.config.settings.minInstances})`,
        "replicas",
      );
    }
    if (n > this.config.settings.maxInstances) {
      throw new ManagerError(
        "invalid",
        `replicas ${n} is above the function's com.openfaas.scale.max (${this.config.settings.maxInstances})`,
        "replicas",
      );
    }
    this.desired = n;
    this.fillToDesired();
    this.reap(true);
  }

  async invoke(request: InvokeRequest): Promise<InvokeResponse> {
    if (this.closed)
      throw new ManagerError("closed", `'${this.config.name}' is being removed or updated`);
    this.invocations += 1;
    return this.config.protocol === "stdio" ? this.invokeStdio(request) : this.invokeHttp(request);
  }

  /**
   * Lets the requests already here finish (for at most the exec timeout), then closes. The
   * caller sends new requests elsewhere: an update drains the old version's pool.
   */
  async drain(): Promise<void> {
    const deadline = Date.now() + this.config.settings.execTimeoutMs;
    while (!this.closed && Date.now() < deadline && this.busy()) await sleep(20);
    await this.close();
  }

  private busy(): boolean {
    if (this.queue.length > 0 || this.running > 0) return true;
    for (const i of this.instances) if (i.inflight > 0) return true;
    return false;
  }

  /** Stops every instance; waiting requests fail with `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    for (const w of this.queue.splice(0)) {
      w.reject(new ManagerError("closed", `'${this.config.name}' was removed or updated`));
    }
    const ends = [...this.instances].map((i) => {
      i.process.kill("SIGKILL");
      return i.process.ended.catch(() => undefined);
    });
    await Promise.all(ends);
    this.agent.destroy();
  }

  private enqueue(): Promise<Instance | undefined> {
    if (this.queue.length >= this.config.settings.queueLimit) {
      throw new ManagerError(
        "overloaded",
        `'${this.config.name}' has ${this.queue.length} requests waiting already (its queue limit); try again later`,
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
    });
  }

  // --- stdio: one fresh instance per request ---

  private async invokeStdio(request: InvokeRequest): Promise<InvokeResponse> {
    // A waiter is handed the slot of a finished request, so `running` counts it already.
    if (this.running >= this.config.settings.maxInstances) await this.enqueue();
    else this.running += 1;
    try {
      return await this.runStdio(request);
    } finally {
      const next = this.queue.shift();
      if (next !== undefined) next.resolve(undefined);
      else this.running -= 1;
    }
  }

  private async runStdio(request: InvokeRequest): Promise<InvokeResponse> {
    const id = instanceId(this.config.name);
    const spec: InstanceSpec = {
      ...this.config.base,
      id,
      env: { ...this.config.base.env, ...watchdogEnv(request) },
      input: request.body,
      captureStdout: true,
    };
    const process = this.config.starter.start(spec, (line) => this.config.log(id, line));
    this.config.onStart("cold");
    const instance: Instance = {
      id,
      process,
      port: 0,
      ready: true,
      inflight: 1,
      idleSince: 0,
      exited: false,
    };
    this.instances.add(instance);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill("SIGKILL");
    }, this.config.settings.execTimeoutMs);
    try {
      const end = await process.ended;
      if (timedOut) throw this.timeoutError();
      if (end.status !== 0) {
        const how =
          end.signal !== null ? `was killed by ${end.signal}` : `exited with status ${end.status}`;
        this.config.log(id, `instance ${how}`);
        throw new ManagerError(
          "instance_failed",
          `the instance of '${this.config.name}' ${how} (its stderr is in the function's logs)`,
        );
      }
      return {
        status: 200,
        headers: { "content-type": this.config.contentType },
        body: end.stdout,
      };
    } catch (err) {
      if (err instanceof ManagerError) throw err;
      throw new ManagerError(
        "instance_failed",
        `cannot start '${this.config.name}': ${(err as Error).message}`,
      );
    } finally {
      clearTimeout(timer);
      this.instances.delete(instance);
    }
  }

  private timeoutError(): ManagerError {
    return new ManagerError(
      "timeout",
      `'${this.config.name}' did not answer within its exec timeout of ${this.config.settings.execTimeoutMs} ms`,
    );
  }

  // --- http: long-lived instances listening on $PORT ---

  private async invokeHttp(request: InvokeRequest): Promise<InvokeResponse> {
    let instance = this.pickInstance();
    if (instance !== undefined) instance.inflight += 1;
    else {
      const waiting = this.enqueue();
      this.grow();
      // dispatch() counts the slot before handing the instance over.
      instance = (await waiting) as Instance;
    }
    try {
      return await this.proxy(instance, request);
    } finally {
      instance.inflight -= 1;
      instance.idleSince = Date.now();
      this.dispatch();
    }
  }

  private pickInstance(): Instance | undefined {
    let best: Instance | undefined;
    for (const i of this.instances) {
      if (!i.ready || i.exited || i.inflight >= this.config.settings.concurrency) continue;
      if (best === undefined || i.inflight < best.inflight) best = i;
    }
    return best;
  }

  /** Hands free capacity to waiting requests, oldest first. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const instance = this.pickInstance();
      if (instance === undefined) break;
      const waiter = this.queue.shift() as Waiter;
      instance.inflight += 1;
      waiter.resolve(instance);
    }
    this.grow();
  }

  /** Starts instances while waiting requests outnumber the capacity on its way. */
  private grow(): void {
    const { concurrency, maxInstances } = this.config.settings;
    while (
      !this.closed &&
      this.queue.length > this.starting * concurrency &&
      this.instances.size < maxInstances
    ) {
      void this.startHttp();
    }
  }

  private fillToDesired(): void {
    if (this.config.protocol !== "http") return;
    while (!this.closed && this.instances.size < this.desired) void this.startHttp();
  }

  private async startHttp(): Promise<void> {
    const id = instanceId(this.config.name);
    const placeholder: Instance = {
      id,
      process: {
        pid: undefined,
        kill: () => {},
        ended: Promise.resolve({ status: null, signal: null, stdout: Buffer.alloc(0) }),
      },
      port: 0,
      ready: false,
      inflight: 0,
      idleSince: Date.now(),
      exited: false,
    };
    // Counted before the first await so that grow() does not start a second one for it.
    this.instances.add(placeholder);
    this.starting += 1;
    let failure: string | undefined;
    try {
      const port = await freePort();
      placeholder.port = port;
      const spec: InstanceSpec = {
        ...this.config.base,
        id,
        env: { ...this.config.base.env, PORT: String(port) },
        captureStdout: false,
      };
      placeholder.process = this.config.starter.start(spec, (line) => this.config.log(id, line));
      this.config.onStart("cold");
      placeholder.process.ended.then(
        (end) => this.onExit(placeholder, end.signal ?? `status ${end.status}`),
        (err: Error) => this.onExit(placeholder, err.message),
      );
      const deadline = Date.now() + this.config.settings.startTimeoutMs;
      while (!placeholder.exited && !this.closed) {
        if (await canConnect(port)) break;
        if (Date.now() > deadline) {
          failure = `it did not listen on $PORT within ${this.config.settings.startTimeoutMs} ms`;
          placeholder.process.kill("SIGKILL");
          break;
        }
        await sleep(5);
      }
      if (placeholder.exited) failure ??= "it exited before listening on $PORT";
    } catch (err) {
      failure = (err as Error).message;
    } finally {
      this.starting -= 1;
    }
    if (failure !== undefined || this.closed) {
      this.instances.delete(placeholder);
      placeholder.process.kill("SIGKILL");
      if (failure !== undefined) {
        this.config.log(id, `instance failed to start: ${failure}`);
        // The request that asked for this instance learns why; the others keep waiting.
        this.queue
          .shift()
          ?.reject(
            new ManagerError(
              "instance_failed",
              `an instance of '${this.config.name}' failed to start: ${failure} (see its logs)`,
            ),
          );
      }
      this.grow();
      return;
    }
    placeholder.ready = true;
    placeholder.idleSince = Date.now();
    this.dispatch();
  }

  private onExit(instance: Instance, how: string): void {
    if (instance.exited) return;
    instance.exited = true;
    this.instances.delete(instance);
    if (!this.closed && instance.ready) this.config.log(instance.id, `instance exited (${how})`);
    if (!this.closed) {
      this.fillToDesired();
      this.grow();
    }
  }

  /** Stops instances idle past the idle timeout, down to the desired replicas. */
  private reap(now = false): void {
    if (this.config.protocol !== "http") return;
    const limit = Date.now() - (now ? 0 : this.config.settings.idleTimeoutMs);
    let live = this.instances.size;
    for (const i of this.instances) {
      if (live <= this.desired) break;
      if (i.ready && i.inflight === 0 && i.idleSince <= limit) {
        live -= 1;
        i.exited = true;
        this.instances.delete(i);
        i.process.kill("SIGKILL");
      }
    }
  }

  private proxy(instance: Instance, request: InvokeRequest): Promise<InvokeResponse> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    headers["content-length"] = String(request.body.length);
    const path =
      (request.path === "" ? "/" : request.path) +
      (request.query !== "" ? `?${request.query}` : "");
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: instance.port,
          method: request.method,
          path,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            clearTimeout(timer);
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined && !HOP_BY_HOP.has(k))
                out[k] = Array.isArray(v) ? v.join(", ") : v;
            }
            resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          res.on("error", fail);
        },
      );
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy();
      }, this.config.settings.execTimeoutMs);
      function fail(err: Error): void {
        clearTimeout(timer);
        reject(err);
      }
      req.on("error", (err) => {
        clearTimeout(timer);
        if (timedOut) reject(this.timeoutError());
        else
          reject(
            new ManagerError(
              "instance_failed",
              `the instance of '${this.config.name}' failed during the request: ${err.message}`,
            ),
          );
      });
      req.end(request.body);
    });
  }
}
