import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { KernelNotFoundError, kernelPath } from "./kernel-path.js";

/** How to run one program under the kernel. Every field but `program` is optional. */
export interface RunOptions {
  /** The program to run, a path inside the root. */
  program: string;
  /** The program's arguments after argv[0]. */
  args?: readonly string[];
  /** The instance's file system root (`--root`); read-only except for `rw`. */
  root?: string;
  /** Paths inside the root made writable (`--rw`, once per path). */
  rw?: readonly string[];
  /**
   * Host directories shown read-only inside the instance (`--bind HOST:PATH`, once each):
   * `path` must be an existing directory of the root, as a mount point must.
   */
  binds?: readonly { host: string; path: string }[];
  /** Environment variables set for the program (`--env K=V`, in insertion order). */
  env?: Readonly<Record<string, string>>;
  /** Start the program from an empty environment instead of the kernel's own (`--clear-env`). */
  clearEnv?: boolean;
  /**
   * Let `/tmp` be the root's own `/tmp` (read-only unless listed in `rw`) instead of the
   * instance's in-memory tmpfs (`--host-tmp`).
   */
  hostTmp?: boolean;
  /** The program's working directory (`--cwd`), a path inside the root. */
  cwd?: string;
  /** Print every syscall to stderr, strace-like (`--trace`). */
  trace?: boolean;
  /** Print per-syscall counts and times to stderr at exit (`--stats`). */
  stats?: boolean;
  /** Write the same statistics as JSON to this file (`--stats-json`). */
  statsJson?: string;
  /**
   * Limit the instance's memory (`--memory`): bytes, or a string with a K, M or G suffix
   * (`"512M"`). Past it the host's OOM killer ends the instance, as it would a native process.
   */
  memory?: number | string;
  /** Limit the instance to this many CPUs' worth of time (`--cpus`, at least 0.01). */
  cpus?: number;
  /** Limit the instance's processes and threads (`--pids`). */
  pids?: number;
  /** Rewrite syscall sites into direct calls (default `true`; `false` passes `--no-rewrite`). */
  rewrite?: boolean;
  /**
   * `"pipe"` (default): collect stdout and stderr into the result; stdin is empty unless
   * `input` is given. `"inherit"`: the program uses this process's stdin, stdout and stderr.
   */
  stdio?: "inherit" | "pipe";
  /** Bytes written to the program's stdin, which is then closed (either `stdio` mode). */
  input?: string | Uint8Array;
  /**
   * With `stdio: "pipe"`: receives the output as it is written instead of it being collected
   * into the result (which then has no `stdout`, `stdoutBytes` or `stderr`). For long-lived
   * programs, such as servers, whose output would otherwise pile up until they exit.
   */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** The kernel binary to use instead of `kernelPath()`. */
  kernel?: string;
}

/** How the program ended. */
export interface RunResult {
  /** The exit status, or `null` when the program was killed by a signal. */
  status: number | null;
  /** The signal that killed the program, or `null` when it exited. */
  signal: NodeJS.Signals | null;
  /** What the program (and the kernel) wrote to stdout, with `stdio: "pipe"` (UTF-8). */
  stdout?: string;
  /** The same output as bytes, as written (binary output survives), with `stdio: "pipe"`. */
  stdoutBytes?: Buffer;
  /** What the program (and the kernel, e.g. `--trace`) wrote to stderr, with `stdio: "pipe"`. */
  stderr?: string;
}

/** A program started by `start()`. */
export interface RunningProgram {
  /** The kernel process's pid (the program runs in it), `undefined` if it failed to start. */
  readonly pid: number | undefined;
  /** Sends a signal to the kernel process (default SIGTERM); `false` if it could not be sent. */
  kill(signal?: NodeJS.Signals | number): boolean;
  /** Settles when the program has ended and its output is collected. */
  readonly result: Promise<RunResult>;
}

/** An option that the kernel would refuse or misread. */
export class RunOptionsError extends Error {
  override readonly name = "RunOptionsError";
  /** The `RunOptions` field at fault. */
  readonly option: keyof RunOptions;

  constructor(option: keyof RunOptions, message: string) {
    super(message);
    this.option = option;
  }
}

/** The kernel binary exists but could not be started (not executable, wrong format, ...). */
export class KernelSpawnError extends Error {
  override readonly name = "KernelSpawnError";
  /** The kernel binary's path. */
  readonly path: string;
  /** The system error code from the failed spawn, e.g. `"EACCES"`. */
  readonly code: string;

  constructor(path: string, code: string, options?: ErrorOptions) {
    super(`cannot start the kernel ${path}: ${code}`, options);
    this.path = path;
    this.code = code;
  }
}

function checkString(option: keyof RunOptions, value: string, what: string): void {
  // Arguments travel through execve as C strings: a NUL would silently cut them.
  if (value.includes("\0")) throw new RunOptionsError(option, `${what} contains a NUL byte`);
}

function checkPath(option: keyof RunOptions, value: string, what: string): void {
  if (value === "") throw new RunOptionsError(option, `${what} is empty`);
  checkString(option, value, what);
}

/** `--memory`, `--cpus`, `--pids`, checked here so that a bad value is a RunOptionsError. */
function pushLimits(options: RunOptions, out: string[]): void {
  if (options.memory !== undefined) {
    const memory = options.memory;
    const ok =
      typeof memory === "number"
        ? Number.isSafeInteger(memory) && memory > 0
        : /^[1-9][0-9]*[KMGkmg]?$/.test(memory);
    if (!ok) {
      throw new RunOptionsError(
        "memory",
        `memory must be a positive number of bytes or a size like "512M", got ${JSON.stringify(memory)}`,
      );
    }
    out.push("--memory", String(memory));
  }
  if (options.cpus !== undefined) {
    const cpus = options.cpus;
    if (typeof cpus !== "number" || !Number.isFinite(cpus) || cpus < 0.01) {
      throw new RunOptionsError(
        "cpus",
        `cpus must be a number of at least 0.01, got ${String(cpus)}`,
      );
    }
    // The kernel takes at most five decimals (µs of a 100 ms period).
    out.push("--cpus", cpus.toFixed(5).replace(/\.?0+$/, ""));
  }
  if (options.pids !== undefined) {
    const pids = options.pids;
    if (!Number.isSafeInteger(pids) || pids <= 0) {
      throw new RunOptionsError("pids", `pids must be a positive integer, got ${String(pids)}`);
    }
    out.push("--pids", String(pids));
  }
}

/**
 * The kernel's command line (without the binary) for `options`: options first, then `--`,
 * the program and its arguments. Throws `RunOptionsError` for values the kernel cannot take.
 */
export function kernelArgs(options: RunOptions): string[] {
  const out: string[] = [];
  if (options.root !== undefined) {
    checkPath("root", options.root, "root");
    out.push("--root", options.root);
  }
  for (const path of options.rw ?? []) {
    checkPath("rw", path, "an rw path");
    out.push("--rw", path);
  }
  for (const bind of options.binds ?? []) {
    checkPath("binds", bind.host, "a bind's host directory");
    checkPath("binds", bind.path, "a bind's path");
    if (!bind.host.startsWith("/") || !bind.path.startsWith("/") || bind.host.includes(":")) {
      throw new RunOptionsError(
        "binds",
        `a bind needs an absolute host directory without ':' and an absolute path, got ${JSON.stringify(bind)}`,
      );
    }
    out.push("--bind", `${bind.host}:${bind.path}`);
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (key === "" || key.includes("=")) {
      throw new RunOptionsError("env", `environment variable name '${key}' is empty or has '='`);
    }
    checkString("env", key, `environment variable name '${key}'`);
    checkString("env", value, `the value of environment variable '${key}'`);
    out.push("--env", `${key}=${value}`);
  }
  if (options.clearEnv === true) out.push("--clear-env");
  if (options.hostTmp === true) out.push("--host-tmp");
  if (options.cwd !== undefined) {
    checkPath("cwd", options.cwd, "cwd");
    out.push("--cwd", options.cwd);
  }
  if (options.trace === true) out.push("--trace");
  if (options.stats === true) out.push("--stats");
  if (options.statsJson !== undefined) {
    checkPath("statsJson", options.statsJson, "statsJson");
    out.push("--stats-json", options.statsJson);
  }
  pushLimits(options, out);
  if (options.rewrite === false) out.push("--no-rewrite");
  checkPath("program", options.program, "program");
  // `--` always, so a program or argument that starts with '-' is never read as an option.
  out.push("--", options.program);
  for (const arg of options.args ?? []) {
    checkString("args", arg, `argument '${arg}'`);
    out.push(arg);
  }
  return out;
}

function resolveKernel(explicit: string | undefined): string {
  if (explicit === undefined) return kernelPath();
  const path = resolve(explicit);
  let file = false;
  try {
    file = statSync(path).isFile();
  } catch {
    file = false;
  }
  if (!file) {
    throw new KernelNotFoundError(
      "option",
      path,
      `the kernel binary ${path} (from the kernel option) does not exist`,
    );
  }
  return path;
}

function errnoCode(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === "string" ? code : "unknown error";
}

function collect(child: ChildProcess, stream: "stdout" | "stderr"): () => Buffer | undefined {
  const readable = child[stream];
  if (readable === null) return () => undefined;
  const chunks: Buffer[] = [];
  readable.on("data", (chunk: Buffer) => chunks.push(chunk));
  // Decoded (by the caller) once at the end so a UTF-8 sequence split across chunks stays whole.
  return () => Buffer.concat(chunks);
}

/**
 * Starts `options.program` under the kernel and returns at once. Throws `RunOptionsError` or
 * `KernelNotFoundError` synchronously; `result` rejects with `KernelSpawnError` when the
 * kernel cannot be started.
 */
export function start(options: RunOptions): RunningProgram {
  const args = kernelArgs(options);
  const kernel = resolveKernel(options.kernel);
  return startKernel(kernel, args, options.stdio ?? "pipe", options.input, options.onOutput);
}

/** Spawns the kernel binary with `args` as they are (used by `start()` and `junction info`). */
export function startKernel(
  kernel: string,
  args: readonly string[],
  mode: "inherit" | "pipe",
  input?: string | Uint8Array,
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void,
): RunningProgram {
  const piped = mode === "pipe";
  const stdin = input !== undefined ? "pipe" : piped ? "ignore" : "inherit";
  const stdio: StdioOptions = piped ? [stdin, "pipe", "pipe"] : [stdin, "inherit", "inherit"];
  const child = spawn(kernel, args, { stdio });
  const collecting = piped && onOutput === undefined;
  if (piped && onOutput !== undefined) {
    child.stdout?.on("data", (chunk: Buffer) => onOutput("stdout", chunk));
    child.stderr?.on("data", (chunk: Buffer) => onOutput("stderr", chunk));
  }
  const stdout = collecting ? collect(child, "stdout") : () => undefined;
  const stderr = collecting ? collect(child, "stderr") : () => undefined;

  const result = new Promise<RunResult>((resolvePromise, reject) => {
    let settled = false;
    child.once("error", (err) => {
      if (settled) return;
      settled = true;
      reject(new KernelSpawnError(kernel, errnoCode(err), { cause: err }));
    });
    child.once("close", (status: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      const out: RunResult = { status, signal };
      if (collecting) {
        const bytes = stdout() ?? Buffer.alloc(0);
        out.stdout = bytes.toString("utf8");
        out.stdoutBytes = bytes;
        out.stderr = (stderr() ?? Buffer.alloc(0)).toString("utf8");
      }
      resolvePromise(out);
    });
  });

  if (input !== undefined && child.stdin !== null) {
    // A program that exits without reading its input closes the pipe: EPIPE is its choice.
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  }

  return {
    get pid() {
      return child.pid;
    },
    kill: (signal: NodeJS.Signals | number = "SIGTERM") => child.kill(signal),
    result,
  };
}

/** Runs `options.program` under the kernel and resolves with how it ended. */
export async function run(options: RunOptions): Promise<RunResult> {
  return start(options).result;
}
