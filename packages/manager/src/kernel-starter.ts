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
  /** Required by this starter: output as it is written, instead of collected at the end. */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
}

/** The subset of @junction/runtime's RunningProgram this starter uses. */
export interface KernelRunningProgram {
  readonly pid: number | undefined;
  kill(signal?: NodeJS.Signals | number): boolean;
  /** Settles when the program has ended (its output went to `onOutput`). */
  readonly result: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
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
  // Output as it comes: stderr (and an http instance's stdout) to the log at once, not at
  // the instance's end; a stdio instance's stdout kept, as bytes, for the response.
  const stderr = lineSplitter(log);
  const stdoutLines = lineSplitter(log);
  const stdout: Buffer[] = [];
  run.onOutput = (stream, chunk) => {
    if (stream === "stderr") stderr.push(chunk);
    else if (spec.captureStdout) stdout.push(chunk);
    else stdoutLines.push(chunk);
  };
  let program: KernelRunningProgram;
  try {
    program = options.start(run);
  } catch (err) {
    return { pid: undefined, kill: () => {}, ended: Promise.reject(err) };
  }
  const ended = program.result.then((r): InstanceEnd => {
    stderr.flush();
    stdoutLines.flush();
    return { status: r.status, signal: r.signal, stdout: Buffer.concat(stdout) };
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
