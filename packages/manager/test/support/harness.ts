// A manager and its server on a free port over a fresh state directory, with host-process
// instances (no kernel needed), and a small HTTP client that speaks to it.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import {
  createManager,
  createServer,
  hostStarter,
  type LifecycleDefaults,
  type Manager,
} from "../../src/index.js";

export interface Harness {
  manager: Manager;
  server: FastifyInstance;
  url: string;
  stateDir: string;
  auth: string;
  /** A request with credentials (unless `auth: null`); JSON bodies for objects. */
  call(
    method: string,
    path: string,
    body?: unknown,
    init?: { auth?: string | null; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export function tempState(): string {
  return mkdtempSync(join(tmpdir(), "junction-manager-"));
}

export async function startHarness(
  options: {
    stateDir?: string;
    defaults?: Partial<LifecycleDefaults>;
    invokeBodyLimit?: number;
    beforeCommit?: (name: string) => Promise<void>;
  } = {},
): Promise<Harness> {
  const stateDir = options.stateDir ?? tempState();
  const manager = await createManager({
    stateDir,
    // "nolisten": host processes dressed as a starter whose instances cannot listen.
    starters: {
      host: hostStarter(),
      nolisten: { ...hostStarter(), name: "nolisten", supportsListen: false },
    },
    defaultStarter: "host",
    defaults: options.defaults ?? {},
    warn: () => {},
    ...(options.beforeCommit !== undefined ? { beforeCommit: options.beforeCommit } : {}),
  });
  const server = createServer(manager, { invokeBodyLimit: options.invokeBodyLimit ?? 1024 * 1024 });
  await server.listen({ port: 0, host: "127.0.0.1" });
  const address = server.server.address();
  if (address === null || typeof address !== "object") throw new Error("no address");
  const url = `http://127.0.0.1:${address.port}`;
  const { username, password } = manager.credentials;
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  return {
    manager,
    server,
    url,
    stateDir,
    auth,
    async call(method, path, body, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const a = init.auth === undefined ? auth : init.auth;
      if (a !== null) headers.authorization = a;
      let payload: string | Buffer | undefined;
      if (typeof body === "string" || Buffer.isBuffer(body)) payload = body;
      else if (body !== undefined) {
        payload = JSON.stringify(body);
        headers["content-type"] ??= "application/json";
      }
      return fetch(`${url}${path}`, { method, headers, body: payload });
    },
    async close() {
      await server.close();
      await manager.close();
      if (options.stateDir === undefined) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Writes a function directory with a junction.json and files; returns `dir:<path>`. */
export function functionDir(files: Record<string, string>, manifest: object): string {
  const dir = mkdtempSync(join(tmpdir(), "junction-fn-"));
  writeFileSync(join(dir, "junction.json"), JSON.stringify(manifest));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    if (name.endsWith(".sh")) chmodSync(join(dir, name), 0o755);
  }
  return `dir:${dir}`;
}
