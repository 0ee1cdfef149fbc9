// The `junction` command (bin/junction.js): a thin shell over the kernel binary that behaves
// like the program it runs — same exit status, same death by signal.
import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { KernelNotFoundError, kernelPath } from "./kernel-path.js";
import {
  KernelSpawnError,
  kernelArgs,
  type RunningProgram,
  type RunOptions,
  RunOptionsError,
  type RunResult,
  start,
  startKernel,
} from "./run.js";

/** Bad usage: no program, an unknown option, a malformed value. */
const EXIT_USAGE = 2;
/** Shell conventions, which the kernel uses for its own start-up errors too. */
const EXIT_NOT_FOUND = 127;
const EXIT_CANNOT_RUN = 126;

function version(): string {
  // dist/cli.js and src/cli.ts both sit one level below the package root.
  const pkg: unknown = JSON.parse(
    readFileSync(new URL("../package.json", import.meta.url), "utf8"),
  );
  if (typeof pkg === "object" && pkg !== null && "version" in pkg) return String(pkg.version);
  return "unknown";
}

// No defaults given to commander for the repeatable options: it would print them in --help.
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseEnv(
  value: string,
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq < 0) throw new InvalidArgumentError("it has no '=', expected K=V");
  if (eq === 0) throw new InvalidArgumentError("the name before '=' is empty, expected K=V");
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** `--bind HOST:PATH`, split at the first ':' (the kernel does the same). */
function parseBind(value: string): { host: string; path: string } {
  const colon = value.indexOf(":");
  return colon < 0
    ? { host: value, path: "" }
    : { host: value.slice(0, colon), path: value.slice(colon + 1) };
}

/** A numeric option value; the range is checked with the other run options. */
function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new InvalidArgumentError("expected a number");
  return n;
}

/** The shape commander hands the `run` action (camel-cased long option names). */
interface RunFlags {
  root?: string;
  rw?: string[];
  bind?: string[];
  env?: Record<string, string>;
  clearEnv?: boolean;
  hostTmp?: boolean;
  cwd?: string;
  trace?: boolean;
  stats?: boolean;
  statsJson?: string;
  memory?: string;
  cpus?: number;
  pids?: number;
  rewrite: boolean;
}

/** Usage errors on one line, with the command's name and a pointer to its help. */
function oneLineErrors(cmd: Command, path: string): Command {
  return cmd.configureOutput({
    outputError: (str, write) => {
      const message = str
        .trim()
        .replace(/^error: /, "")
        .replace(/\.$/, "");
      write(`${path}: ${message} (see '${path} --help')\n`);
    },
  });
}

function fail(message: string, code: number): void {
  process.stderr.write(`junction: ${message}\n`);
  process.exitCode = code;
}

/**
 * Ends this process the way the kernel ended: killed by the same signal, so that a shell
 * sees the same status (`$?` = 128 + n, "Terminated", a core dump note).
 */
function dieBy(signal: NodeJS.Signals): void {
  // libuv puts a signal back to its default action when its last listener goes away. Adding
  // and removing one also undoes the dispositions Node sets itself (SIGPIPE and SIGXFSZ
  // ignored, SIGUSR1 for the inspector), which would otherwise survive the kill below.
  if (signal !== "SIGKILL" && signal !== "SIGSTOP") {
    const noop = (): void => {};
    process.on(signal, noop);
    process.off(signal, noop);
  }
  process.kill(process.pid, signal);
  // Normally not reached: a signal sent to oneself is delivered before kill() returns. If it
  // was not fatal after all, exit with the status a shell would report for it.
  process.exitCode = 128 + (constants.signals[signal] ?? 0);
}

/**
 * Waits for the kernel while behaving like a shell waiting for a foreground job: Ctrl-C and
 * Ctrl-\ reach the kernel through the terminal's process group, so this process ignores them;
 * SIGTERM and SIGHUP sent to this process alone are passed on. Then mirrors how it ended.
 */
async function supervise(running: RunningProgram): Promise<void> {
  const ignore = (): void => {};
  const forward = (signal: NodeJS.Signals): void => {
    running.kill(signal);
  };
  const handlers: [NodeJS.Signals, (signal: NodeJS.Signals) => void][] = [
    ["SIGINT", ignore],
    ["SIGQUIT", ignore],
    ["SIGTERM", forward],
    ["SIGHUP", forward],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  let result: RunResult;
  try {
    result = await running.result;
  } catch (err) {
    if (err instanceof KernelSpawnError) {
      const notFound = err.code === "ENOENT";
      fail(err.message, notFound ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
      return;
    }
    throw err;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
  if (result.signal !== null) dieBy(result.signal);
  else process.exitCode = result.status ?? 1;
}

function findKernel(): string | null {
  try {
    return kernelPath();
  } catch (err) {
    if (err instanceof KernelNotFoundError) {
      fail(err.message, EXIT_NOT_FOUND);
      return null;
    }
    throw err;
  }
}

async function runAction(program: string, args: string[], flags: RunFlags): Promise<void> {
  const options: RunOptions = {
    program,
    args,
    rw: flags.rw ?? [],
    binds: (flags.bind ?? []).map(parseBind),
    env: flags.env ?? {},
    clearEnv: flags.clearEnv === true,
    hostTmp: flags.hostTmp === true,
    trace: flags.trace === true,
    stats: flags.stats === true,
    rewrite: flags.rewrite,
    stdio: "inherit",
  };
  if (flags.root !== undefined) options.root = flags.root;
  if (flags.cwd !== undefined) options.cwd = flags.cwd;
  if (flags.statsJson !== undefined) options.statsJson = flags.statsJson;
  if (flags.memory !== undefined) options.memory = flags.memory;
  if (flags.cpus !== undefined) options.cpus = flags.cpus;
  if (flags.pids !== undefined) options.pids = flags.pids;
  try {
    // Bad usage is reported as such even when the kernel is missing too.
    kernelArgs(options);
  } catch (err) {
    if (err instanceof RunOptionsError) {
      process.stderr.write(`junction run: ${err.message} (see 'junction run --help')\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    throw err;
  }
  const kernel = findKernel();
  if (kernel === null) return;
  let running: RunningProgram;
  try {
    running = start({ ...options, kernel });
  } catch (err) {
    // The binary went away since findKernel() looked.
    if (err instanceof KernelNotFoundError) return fail(err.message, EXIT_NOT_FOUND);
    throw err;
  }
  await supervise(running);
}

/** A TCP port number for --port. */
function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError("expected a port, 0-65535");
  return n;
}

async function daemonAction(flags: { port: number; host: string; state?: string }): Promise<void> {
  // Loaded here so that `junction run` does not load the manager and its HTTP server.
  const { startDaemon, credentialsPath } = await import("./daemon.js");
  let daemon: Awaited<ReturnType<typeof startDaemon>>;
  try {
    const options: Parameters<typeof startDaemon>[0] = { port: flags.port, host: flags.host };
    if (flags.state !== undefined) options.stateDir = flags.state;
    daemon = await startDaemon(options);
  } catch (err) {
    fail(`cannot start the daemon: ${(err as Error).message}`, 1);
    return;
  }
  const { manager, url } = daemon;
  process.stdout.write(
    `junction daemon: listening on ${url}\n` +
      `  state:       ${manager.stateDir}\n` +
      `  credentials: ${credentialsPath(manager)} (user ${manager.credentials.username}; /system/* needs them)\n` +
      `  functions:   ${manager.list().length} deployed\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.stdout.write("junction daemon: stopping instances\n");
      void daemon.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

async function infoAction(flags: { json?: boolean }): Promise<void> {
  const kernel = findKernel();
  if (kernel === null) return;
  const args = flags.json === true ? ["--info", "--json"] : ["--info"];
  await supervise(startKernel(kernel, args, "inherit"));
}

/** The `junction` command tree; exported for tests and for embedding in other CLIs. */
export function createProgram(): Command {
  const program = new Command("junction")
    .description(
      "Run unmodified Linux x86-64 programs with their syscalls served in user space by the Junction kernel.",
    )
    .version(version(), "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show help")
    .helpCommand(false)
    .enablePositionalOptions()
    .exitOverride();
  oneLineErrors(program, "junction");

  const run = program
    .command("run")
    .summary("run a program under the kernel")
    .description(
      "Run PROGRAM under the Junction kernel with stdin, stdout and stderr inherited. The exit " +
        "status is the program's; when the program dies by a signal, junction dies by the same " +
        "signal. Options after PROGRAM belong to PROGRAM.",
    )
    .usage("[options] [--] PROGRAM [ARGS...]")
    .argument("<program>", "the program to run, a path inside the root")
    .argument("[args...]", "the program's arguments")
    .option("--root <dir>", "the instance's file system root (read-only unless --rw)")
    .option("--rw <path>", "make PATH (inside the root) writable; repeatable", collect)
    .option(
      "--bind <host:path>",
      "show the host directory HOST read-only at PATH (a directory of the root); repeatable",
      collect,
    )
    .option("--env <K=V>", "set an environment variable for the program; repeatable", parseEnv)
    .option("--clear-env", "start from an empty environment instead of the kernel's own")
    .option("--host-tmp", "/tmp is the root's own /tmp, not the instance's in-memory tmpfs")
    .option("--cwd <dir>", "the program's working directory")
    .option("--trace", "print every syscall to stderr, strace-like, with how it was served")
    .option("--stats", "at exit print per-syscall counts and time to stderr")
    .option("--stats-json <file>", "write the same statistics as JSON to FILE")
    .option("--memory <bytes>", "limit the instance's memory (K, M, G suffixes), e.g. 512M")
    .option("--cpus <n>", "limit the instance to N CPUs' worth of time, e.g. 0.5", parseNumber)
    .option("--pids <n>", "limit the instance's processes and threads to N", parseNumber)
    .option("--no-rewrite", "keep every syscall site on the SIGSYS path (no call rewriting)")
    .passThroughOptions()
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  junction run -- /bin/echo hi\n" +
        "  junction run --root ./rootfs --rw /tmp --env LANG=C.UTF-8 -- /bin/sh -c 'ls /'\n" +
        "  junction run --stats -- /usr/bin/python3 -c 'print(1)'\n" +
        "\nExit status: the program's; 127 when the program or the kernel is not found,\n" +
        "126 when it cannot be run, 2 for bad usage.",
    )
    .action(runAction);
  oneLineErrors(run, "junction run");

  const info = program
    .command("info")
    .summary("print what this machine allows")
    .description(
      "Print what this machine allows (syscall user dispatch, call rewriting, seccomp) and, " +
        "for what it does not, why.",
    )
    .option("--json", "print JSON instead of text")
    .action(infoAction);
  oneLineErrors(info, "junction info");

  const daemon = program
    .command("daemon")
    .summary("run the function manager (OpenFaaS provider API)")
    .description(
      "Run the function manager: the OpenFaaS provider API (/system/*, basic auth), invocations " +
        "at /function/NAME, /healthz and /metrics on one port, with deployments kept in a state " +
        "directory. Instances run under the kernel unless a function picks the host starter. " +
        "Stops its instances on SIGINT or SIGTERM.",
    )
    .option("--port <port>", "the port to listen on", parsePort, 8080)
    .option("--host <address>", "the address to listen on", "127.0.0.1")
    .option(
      "--state <dir>",
      "the state directory (default: $XDG_STATE_HOME/junction or ~/.local/state/junction)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  junction daemon\n" +
        "  junction daemon --port 9090 --state ./state\n" +
        "  curl -u admin:$(jq -r .password ~/.local/state/junction/credentials.json) http://127.0.0.1:8080/system/functions",
    )
    .action(daemonAction);
  oneLineErrors(daemon, "junction daemon");

  return program;
}

/** Runs the CLI with `argv` as in `process.argv` (node, script, arguments...). */
export async function main(argv: readonly string[]): Promise<void> {
  // `junction run --help | head`: a reader that stops early is not an error worth a trace.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    process.exit();
  });
  const program = createProgram();
  if (argv.length <= 2) {
    process.stderr.write(
      "junction: missing command, 'run', 'info' or 'daemon' (see 'junction --help')\n",
    );
    process.exitCode = EXIT_USAGE;
    return;
  }
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; everything else commander rejects is bad usage.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw err;
  }
}
