// End-to-end through the real junction-kernel. Skipped, with a note, only when the binary
// has not been built; every other test in this package uses a fake kernel.
import { describe, expect, it } from "vitest";
import { KernelNotFoundError, kernelPath, run } from "../src/index.js";
import { junction } from "./support/cli.js";

function findKernel(): string | null {
  try {
    return kernelPath({ env: {} });
  } catch (err) {
    if (err instanceof KernelNotFoundError) return null;
    throw err;
  }
}

const kernel = findKernel();
if (kernel === null) {
  console.warn(
    "@junction/runtime: the kernel binary target/release/junction-kernel is missing, so the " +
      "real-kernel tests (test/kernel.test.ts) are skipped. Build it with `npm install` (or " +
      "`cargo build --release --manifest-path crates/kernel/Cargo.toml`) from the repository root.",
  );
}

describe("with the real kernel", () => {
  it.skipIf(kernel === null)("junction run -- /bin/echo hi prints hi and exits 0", () => {
    const r = junction(["run", "--", "/bin/echo", "hi"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("hi\n");
    expect(r.status).toBe(0);
  });

  it.skipIf(kernel === null)("junction run mirrors the program's exit status", () => {
    const r = junction(["run", "--", "/bin/sh", "-c", "exit 7"]);
    expect(r.status).toBe(7);
  });

  it.skipIf(kernel === null)("junction run exits 127 for a program that does not exist", () => {
    const r = junction(["run", "--", "/no/such/program"]);
    expect(r.status).toBe(127);
    expect(r.stderr).toMatch(/^junction: .*\n$/);
  });

  it.skipIf(kernel === null)("run() collects the program's output and takes input", async () => {
    // cwd "/": the test's own directory may be under /tmp, which the instance does not have.
    const r = await run({ program: "/bin/cat", input: "through the kernel\n", cwd: "/" });
    expect(r).toEqual({
      status: 0,
      signal: null,
      stdout: "through the kernel\n",
      stdoutBytes: Buffer.from("through the kernel\n"),
      stderr: "",
    });
  });

  it.skipIf(kernel === null)("run() keeps binary output byte for byte in stdoutBytes", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const r = await run({ program: "/bin/cat", input: bytes, cwd: "/" });
    expect(r.stdoutBytes?.equals(bytes)).toBe(true);
  });

  it.skipIf(kernel === null)("junction info describes the machine", () => {
    const r = junction(["info"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/dispatch|seccomp/i);
  });

  it.skipIf(kernel === null)("junction info --json prints one JSON object", () => {
    const r = junction(["info", "--json"]);
    expect(r.status).toBe(0);
    const parsed: unknown = JSON.parse(r.stdout);
    expect(typeof parsed).toBe("object");
    expect(parsed).not.toBeNull();
  });
});
