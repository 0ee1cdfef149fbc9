// Instances as plain host processes: no kernel, no isolation. The benchmark baseline, and the
// way to run http functions until the kernel serves sockets.
import { spawn } from "node:child_process";
import type {
  InstanceEnd,
  InstanceSpec,
  InstanceStarter,
  LogSink,
  StartedInstance,
} from "./starter.js";
import { lineSplitter } from "./starter.js";

/** Starts instances as child processes of the manager with the spec's env (nothing else). */
export function hostStarter(): InstanceStarter {
  return {
    name: "host",
    // A host process sees the host's file system; there is nothing to bind into.
    supportsBinds: false,
    supportsListen: true,
    start: startHost,
  };
}

function startHost(spec: InstanceSpec, log: LogSink): StartedInstance {
  const child = spawn(spec.program, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: [spec.input !== undefined ? "pipe" : "ignore", "pipe", "pipe"],
  });
  const stdout: Buffer[] = [];
  const stderr = lineSplitter(log);
  const stdoutLines = lineSplitter(log);
  child.stdout?.on("data", (chunk: Buffer) => {
    if (spec.captureStdout) stdout.push(chunk);
    else stdoutLines.push(chunk);
  });
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
  const ended = new Promise<InstanceEnd>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (status, signal) => {
      stderr.flush();
      stdoutLines.flush();
      resolve({ status, signal, stdout: Buffer.concat(stdout) });
    });
  });
  if (spec.input !== undefined && child.stdin !== null) {
    // A function that exits without reading its input closes the pipe: its choice.
    child.stdin.on("error", () => {});
    child.stdin.end(spec.input);
  }
  return {
    get pid() {
      return child.pid;
    },
    kill: (signal = "SIGKILL") => {
      child.kill(signal);
    },
    ended,
  };
}
