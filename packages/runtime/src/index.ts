// @junction/runtime: run unmodified Linux programs under the Junction kernel
// (`junction-kernel`, built from crates/kernel) from TypeScript; the `junction` command is
// src/cli.ts.

export { type Daemon, type DaemonOptions, startDaemon } from "./daemon.js";
export {
  findWorkspaceRoot,
  KERNEL_ENV,
  KERNEL_RELATIVE_PATH,
  KernelNotFoundError,
  type KernelNotFoundReason,
  type KernelPathOptions,
  kernelPath,
} from "./kernel-path.js";
export { createManager, type RuntimeManagerOptions } from "./manager.js";
export {
  KernelSpawnError,
  kernelArgs,
  type RunningProgram,
  type RunOptions,
  RunOptionsError,
  type RunResult,
  run,
  start,
} from "./run.js";
