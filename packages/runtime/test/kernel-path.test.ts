import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { findWorkspaceRoot, KernelNotFoundError, kernelPath } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "junction-kernel-path-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A workspace-shaped tree: Cargo.toml, crates/kernel and a package directory to start from. */
function workspace(name: string, built: boolean): { root: string; from: string } {
  const root = join(dir, name);
  const from = join(root, "packages", "runtime", "dist");
  mkdirSync(from, { recursive: true });
  mkdirSync(join(root, "crates", "kernel"), { recursive: true });
  writeFileSync(join(root, "Cargo.toml"), "[workspace]\n");
  // A native binding's Cargo.toml on the way up must not be taken for the workspace root.
  writeFileSync(join(root, "packages", "runtime", "Cargo.toml"), "[package]\n");
  if (built) {
    mkdirSync(join(root, "target", "release"), { recursive: true });
    writeFileSync(join(root, "target", "release", "junction-kernel"), "");
    chmodSync(join(root, "target", "release", "junction-kernel"), 0o755);
  }
  return { root, from };
}

function caught(fn: () => unknown): KernelNotFoundError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KernelNotFoundError);
    return err as KernelNotFoundError;
  }
  throw new Error("expected a KernelNotFoundError");
}

describe("kernelPath", () => {
  it("finds target/release/junction-kernel under the workspace root", () => {
    const { root, from } = workspace("built", true);
    expect(findWorkspaceRoot(from)).toBe(root);
    expect(kernelPath({ env: {}, from })).toBe(join(root, "target", "release", "junction-kernel"));
  });

  it("says to run npm install when the kernel is not built", () => {
    const { root, from } = workspace("unbuilt", false);
    const err = caught(() => kernelPath({ env: {}, from }));
    expect(err.reason).toBe("not-built");
    expect(err.path).toBe(join(root, "target", "release", "junction-kernel"));
    expect(err.message).toContain("npm install");
    expect(err.message).toContain(err.path);
  });

  it("prefers JUNCTION_KERNEL, even over a built workspace", () => {
    const { from } = workspace("override", true);
    const custom = join(dir, "custom-kernel");
    writeFileSync(custom, "");
    expect(kernelPath({ env: { JUNCTION_KERNEL: custom }, from })).toBe(custom);
  });

  it("ignores an empty JUNCTION_KERNEL", () => {
    const { root, from } = workspace("empty-env", true);
    expect(kernelPath({ env: { JUNCTION_KERNEL: "" }, from })).toBe(
      join(root, "target", "release", "junction-kernel"),
    );
  });

  it("names JUNCTION_KERNEL when it points at nothing", () => {
    const missing = join(dir, "no-such-kernel");
    const err = caught(() => kernelPath({ env: { JUNCTION_KERNEL: missing } }));
    expect(err.reason).toBe("env");
    expect(err.path).toBe(missing);
    expect(err.message).toContain("JUNCTION_KERNEL");
    expect(err.message).toContain("npm install");
  });

  it("reports a missing workspace", () => {
    const lonely = join(dir, "lonely", "a", "b");
    mkdirSync(lonely, { recursive: true });
    expect(findWorkspaceRoot(lonely)).toBeNull();
    const err = caught(() => kernelPath({ env: {}, from: lonely }));
    expect(err.reason).toBe("no-workspace");
    expect(err.path).toBeNull();
    expect(err.message).toContain("JUNCTION_KERNEL");
  });

  it("finds this checkout's root from the package itself", () => {
    const root = findWorkspaceRoot();
    expect(root).not.toBeNull();
    expect(join(root ?? "", "packages", "runtime")).toBe(
      fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, ""),
    );
  });
});
