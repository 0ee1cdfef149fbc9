// The host toolchain for tests that compare the tables with the system's C headers: finding
// gcc and the headers, and compiling and running small C programs.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const UNISTD_64 = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";
export const ERRNO_BASE = "/usr/include/asm-generic/errno-base.h";
export const ERRNO_MORE = "/usr/include/asm-generic/errno.h";
export const ASM_SIGNAL = "/usr/include/x86_64-linux-gnu/asm/signal.h";
export const GENERIC_SIGNAL = "/usr/include/asm-generic/signal.h";

function findGcc(): string | null {
  const probe = spawnSync("gcc", ["--version"], { encoding: "utf8" });
  return probe.status === 0 ? "gcc" : null;
}

export const gcc = findGcc();

/** Why a header-comparison test cannot run here, or null when it can. */
export function missing(headers: readonly string[], needsGcc: boolean): string | null {
  const absent = headers.filter((h) => !existsSync(h));
  const reasons = [...(needsGcc && !gcc ? ["gcc"] : []), ...absent];
  return reasons.length > 0 ? `skipped: missing ${reasons.join(", ")}` : null;
}

/** A test title that says, in the test report, why it was skipped. */
export function titled(title: string, reason: string | null): string {
  if (reason) process.stderr.write(`[@junction/syscalls] ${title}: ${reason}\n`);
  return reason ? `${title} (${reason})` : title;
}

/** Compile a C program with gcc and return its stdout; compiler errors fail the test. */
export function runC(source: string, name = "probe"): string {
  const dir = mkdtempSync(join(tmpdir(), "junction-abi-"));
  try {
    const c = join(dir, `${name}.c`);
    const exe = join(dir, name);
    writeFileSync(c, source);
    const build = spawnSync(gcc ?? "gcc", ["-w", "-o", exe, c], { encoding: "utf8" });
    if (build.status !== 0)
      throw new Error(`gcc failed on ${name}.c:\n${build.stderr}\n--- source ---\n${source}`);
    return execFileSync(exe, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Preprocess `#include`s with gcc; returns the output or null when the headers do not compile. */
export function preprocess(source: string): string | null {
  const run = spawnSync(gcc ?? "gcc", ["-E", "-dD", "-x", "c", "-"], {
    input: source,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return run.status === 0 ? run.stdout : null;
}

/** A C string literal for `text` (names and messages here are plain ASCII). */
export const cString = (text: string): string => JSON.stringify(text);
