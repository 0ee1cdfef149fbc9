import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The environment variable that overrides where the kernel binary is looked for. */
export const KERNEL_ENV = "JUNCTION_KERNEL";

/** Where the kernel lands inside the workspace (`cargo build --release` in `crates/kernel`). */
export const KERNEL_RELATIVE_PATH = join("target", "release", "junction-kernel");

/** Why the kernel binary could not be found. */
export type KernelNotFoundReason =
  /** `$JUNCTION_KERNEL` names a file that does not exist. */
  | "env"
  /** The `kernel` option of `run()`/`start()` names a file that does not exist. */
  | "option"
  /** The workspace was found but the kernel has not been built into `target/release`. */
  | "not-built"
  /** No workspace root (a directory with `Cargo.toml` and `crates/kernel`) above this package. */
  | "no-workspace";

/** The `junction-kernel` binary is not where it should be. */
export class KernelNotFoundError extends Error {
  override readonly name = "KernelNotFoundError";
  readonly reason: KernelNotFoundReason;
  /** The path that was looked at, or `null` when there was none to look at. */
  readonly path: string | null;

  constructor(reason: KernelNotFoundReason, path: string | null, message: string) {
    super(message);
    this.reason = reason;
    this.path = path;
  }
}

/** Where to start looking and which environment to read; for tests and embedders. */
export interface KernelPathOptions {
  /** The environment to read `JUNCTION_KERNEL` from (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** A directory inside the workspace to walk up from (default: this module's directory). */
  from?: string;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The workspace root above `from`: the nearest directory holding both `Cargo.toml` and
 * `crates/kernel`, or `null`. Both are required because every napi binding
 * (`packages/<name>/native`) holds a Cargo.toml too.
 */
export function findWorkspaceRoot(from: string = moduleDir()): string | null {
  let dir = resolve(from);
  for (;;) {
    if (isFile(join(dir, "Cargo.toml")) && existsSync(join(dir, "crates", "kernel"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function moduleDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * The path of the `junction-kernel` binary: `$JUNCTION_KERNEL` when set and not empty, else
 * `<workspace root>/target/release/junction-kernel`. Throws `KernelNotFoundError` when the
 * file does not exist.
 */
export function kernelPath(options: KernelPathOptions = {}): string {
  const env = options.env ?? process.env;
  const fromEnv = env[KERNEL_ENV];
  if (fromEnv !== undefined && fromEnv !== "") {
    const path = resolve(fromEnv);
    if (!isFile(path)) {
      throw new KernelNotFoundError(
        "env",
        path,
        `the kernel binary ${path} (from ${KERNEL_ENV}) does not exist; fix or unset ${KERNEL_ENV}, or run \`npm install\` to build the kernel`,
      );
    }
    return path;
  }
  const root = findWorkspaceRoot(options.from ?? moduleDir());
  if (root === null) {
    throw new KernelNotFoundError(
      "no-workspace",
      null,
      `the kernel binary was not found: no Junction workspace (Cargo.toml and crates/kernel) above this package; run \`npm install\` in a Junction checkout or set ${KERNEL_ENV} to the junction-kernel binary`,
    );
  }
  const path = join(root, KERNEL_RELATIVE_PATH);
  if (!isFile(path)) {
    throw new KernelNotFoundError(
      "not-built",
      path,
      `the kernel binary ${path} does not exist; run \`npm install\` in ${root} to build it`,
    );
  }
  return path;
}
