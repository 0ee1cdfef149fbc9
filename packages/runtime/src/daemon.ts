// `junction daemon`: the function manager behind the OpenFaaS provider API on one port.

import { join } from "node:path";
import { CREDENTIALS_FILE, createServer, defaultStateDir, type Manager } from "@junction/manager";
import { createManager } from "./manager.js";

export interface DaemonOptions {
  port: number;
  host: string;
  stateDir?: string;
}

export interface Daemon {
  manager: Manager;
  /** The base URL it listens on. */
  url: string;
  close(): Promise<void>;
}

/** Starts the manager and its HTTP server; resolves once it is listening. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const manager = await createManager({ stateDir: options.stateDir ?? defaultStateDir() });
  let server: ReturnType<typeof createServer>;
  try {
    server = createServer(manager);
    await server.listen({ port: options.port, host: options.host });
  } catch (err) {
    await manager.close();
    throw err;
  }
  const address = server.server.address();
  const port = address !== null && typeof address === "object" ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    manager,
    url: `http://${host}:${port}`,
    async close() {
      await server.close();
      await manager.close();
    },
  };
}

/** Where the credentials are, for the start-up message. */
export function credentialsPath(manager: Manager): string {
  return join(manager.stateDir, CREDENTIALS_FILE);
}
