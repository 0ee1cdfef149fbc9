// Runs `node bin/junction.js` the way a shell would and reports what a shell would see.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/junction.js", import.meta.url));
const DIST = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function checkBuilt(): void {
  if (!existsSync(DIST)) {
    throw new Error(`${DIST} is missing: build the package first (npx nx build @junction/runtime)`);
  }
}

/** The environment for the CLI: this one without JUNCTION_KERNEL, plus `extra`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!("JUNCTION_KERNEL" in extra)) delete env.JUNCTION_KERNEL;
  return env;
}

export function junction(args: string[], env: Record<string, string> = {}): CliResult {
  checkBuilt();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    // The kernel starts the program in the CLI's working directory; a checkout under /tmp
    // does not exist in the instance, whose /tmp is its own tmpfs.
    cwd: "/",
    env: cliEnv(env),
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export interface LiveCli {
  child: ChildProcess;
  /** Resolves with the first stdout line that starts with `prefix`. */
  line(prefix: string): Promise<string>;
  /** Resolves when the CLI has exited. */
  exited: Promise<CliResult>;
}

export function startJunction(
  args: string[],
  env: Record<string, string>,
  options: { detached?: boolean } = {},
): LiveCli {
  checkBuilt();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cliEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached === true,
  });
  let stdout = "";
  let stderr = "";
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const w of [...waiters]) {
      const line = stdout.split("\n").find((l) => l.startsWith(w.prefix));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // 'exit', not 'close': a leftover grandchild holding the pipes must not hide the CLI's end.
  const exited = new Promise<CliResult>((resolve) => {
    child.once("exit", (status, signal) => {
      // Let the last output arrive.
      setTimeout(() => resolve({ status, signal, stdout, stderr }), 50);
    });
  });
  return {
    child,
    line: (prefix) =>
      new Promise((resolve, reject) => {
        const found = stdout.split("\n").find((l) => l.startsWith(prefix));
        if (found !== undefined) return resolve(found);
        waiters.push({ prefix, resolve });
        child.once("exit", () =>
          reject(new Error(`the CLI exited before printing '${prefix}'; stderr: ${stderr}`)),
        );
      }),
    exited,
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
