// The function manager with this package's kernel as its default starter: @junction/manager
// knows nothing of the kernel binary, so the kernel starter is built here from start().
import {
  createManager as createBareManager,
  hostStarter,
  kernelStarter,
  type Manager,
  type ManagerOptions,
} from "@junction/manager";
import { start } from "./run.js";

/** ManagerOptions whose `starters` are optional: `kernel` and `host` are always there. */
export type RuntimeManagerOptions = Omit<ManagerOptions, "starters"> & {
  starters?: ManagerOptions["starters"];
};

/**
 * `createManager` from @junction/manager with two starters: `kernel` (the default; instances
 * under junction-kernel through `start()`) and `host` (plain host processes).
 */
export function createManager(options: RuntimeManagerOptions = {}): Promise<Manager> {
  return createBareManager({
    ...options,
    starters: {
      // The kernel serves sockets (http functions) and --bind (secrets).
      kernel: kernelStarter({ start, supportsBinds: true, supportsListen: true }),
      host: hostStarter(),
      ...options.starters,
    },
  });
}
