// Instances under the Junction kernel, through @junction/runtime's start(). The function is
// passed in (not imported) so that this package does not depend on the runtime, which
// depends on it for `junction daemon`.
import { tmpdir } from "node:os";
import type {
  InstanceEnd,
  InstanceSpec,
  InstanceStarter,
  LogSink,
  StartedInstance,
} from "./starter.js";
import { lineSplitter } from "./starter.js";

/** The subset of @junction/runtime's RunOptions this starter sets. */
export interface KernelRunOptions {
  program: string;
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  clearEnv?: boolean;
  hostTmp?: boolean;
  cwd?: string;
  memory?: number | string;
  cpus?: number;
  binds?: readonly { host: string; path: string }[];
  stdio?: "inherit" | "pipe";
  input?: string | Uint8Array;
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
}

/** The subset of @junction/runtime's RunningProgram this starter uses. */
export interface KernelRunningProgram {
  readonly pid: number | undefined;
  kill(signal?: NodeJS.Signals | number): boolean;
  readonly result: Promise<{
    status: number | null;
    signal: NodeJS.Signals | null;
    stdout?: string;
    /** Present in runtimes that keep output as bytes; `stdout` is decoded text. */
    stdoutBytes?: Uint8Array;
    stderr?: string;
  }>;
}

export interface KernelStarterOptions {
  /** @junction/runtime's `start`. */
  start: (options: KernelRunOptions) => KernelRunningProgram;
  /** Whether this runtime's kernel takes `binds` (`--bind`); secrets need it. */
  supportsBinds: boolean;
  /** Whether this kernel serves sockets, so that instances can listen (the http protocol). */
  supportsListen: boolean;
}

/** Starts each instance as its own kernel process. */
export function kernelStarter(options: KernelStarterOptions): InstanceStarter {
  return {
    name: "kernel",
    supportsBinds: options.supportsBinds,
    supportsListen: options.supportsListen,
    start: (spec, log) => startKernel(options, spec, log),
  };
}

function startKernel(
  options: KernelStarterOptions,
  spec: InstanceSpec,
  log: LogSink,
): StartedInstance {
  const run: KernelRunOptions = {
    program: spec.program,
    args: spec.args,
    env: spec.env,
    clearEnv: true,
    cwd: spec.cwd,
    stdio: "pipe",
    // The instance's /tmp is its own tmpfs; code kept under the host's /tmp (tests, a state
    // directory there) is reachable only through the host's /tmp, read-only.
    hostTmp: spec.cwd.startsWith(`${tmpdir()}/`),
  };
  if (spec.memory !== undefined) run.memory = spec.memory;
  if (spec.cpus !== undefined) run.cpus = spec.cpus;
  if (spec.binds.length > 0) run.binds = spec.binds;
  if (spec.input !== undefined) run.input = spec.input;
  // A long-lived (http) instance's output goes to the log as it comes, not at its exit.
  const streams = spec.captureStdout
    ? undefined
    : { stdout: lineSplitter(log), stderr: lineSplitter(log) };
  if (streams !== undefined) run.onOutput = (stream, chunk) => streams[stream].push(chunk);
  let program: KernelRunningProgram;
  try {
    program = options.start(run);
  } catch (err) {
    return { pid: undefined, kill: () => {}, ended: Promise.reject(err) };
  }
  const ended = program.result.then((r): InstanceEnd => {
    if (streams !== undefined) {
      streams.stdout.flush();
      streams.stderr.flush();
    }
    // Collected output (stdio instances) arrives when the instance has ended, as UTF-8 text.
    for (const line of (r.stderr ?? "").split("\n")) if (line !== "") log(line);
    const stdout = r.stdout ?? "";
    let bytes = Buffer.alloc(0);
    if (spec.captureStdout) {
      bytes =
        r.stdoutBytes !== undefined ? Buffer.from(r.stdoutBytes) : Buffer.from(stdout, "utf8");
    }
    return { status: r.status, signal: r.signal, stdout: bytes };
  });
  return {
    get pid() {
      return program.pid;
    },
    kill: (signal = "SIGKILL") => {
      program.kill(signal);
    },
    ended,
  };
}
