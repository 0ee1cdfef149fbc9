import { afterAll, describe, expect, it } from "vitest";
import {
  KernelNotFoundError,
  KernelSpawnError,
  RunOptionsError,
  run,
  start,
} from "../src/index.js";
import { makeFakeKernel } from "./support/fake-kernel.js";

const fake = makeFakeKernel();
afterAll(() => fake.dispose());

// The fake kernel reads its mode from the environment it inherits from this process.
function withMode<T>(mode: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, mode);
  return fn().finally(() => {
    for (const key of Object.keys(mode)) {
      if (key in saved) process.env[key] = saved[key];
      else delete process.env[key];
    }
  });
}

describe("run", () => {
  it("streams output to onOutput instead of collecting it", async () => {
    const chunks: [string, string][] = [];
    const r = await run({
      program: "/bin/true",
      kernel: fake.path,
      onOutput: (stream, chunk) => chunks.push([stream, chunk.toString("utf8")]),
    });
    expect(r).toEqual({ status: 0, signal: null });
    const stdout = chunks
      .filter(([s]) => s === "stdout")
      .map(([, c]) => c)
      .join("");
    expect(stdout).toBe("--\n/bin/true\n");
  });

  it("hands the kernel its command line and collects stdout", async () => {
    const r = await run({
      program: "/bin/ls",
      args: ["-l", "/"],
      env: { A: "1" },
      rewrite: false,
      kernel: fake.path,
    });
    expect(r).toEqual({
      status: 0,
      signal: null,
      stdout: "--env\nA=1\n--no-rewrite\n--\n/bin/ls\n-l\n/\n",
      stdoutBytes: Buffer.from("--env\nA=1\n--no-rewrite\n--\n/bin/ls\n-l\n/\n"),
      stderr: "",
    });
  });

  it("reports the exit status and stderr", async () => {
    const r = await withMode({ FAKE_KERNEL_MODE: "exit", FAKE_KERNEL_STATUS: "3" }, () =>
      run({ program: "x", kernel: fake.path }),
    );
    expect(r.status).toBe(3);
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe("exiting with 3\n");
  });

  it("reports death by a signal", async () => {
    const r = await withMode({ FAKE_KERNEL_MODE: "signal", FAKE_KERNEL_SIGNAL: "TERM" }, () =>
      run({ program: "x", kernel: fake.path }),
    );
    expect(r.status).toBeNull();
    expect(r.signal).toBe("SIGTERM");
  });

  it("writes input to stdin, as text or bytes", async () => {
    const text = await withMode({ FAKE_KERNEL_MODE: "cat" }, () =>
      run({ program: "cat", input: "héllo\n", kernel: fake.path }),
    );
    expect(text.stdout).toBe("héllo\n");
    expect(text.stderr).toBe("to stderr\n");
    const bytes = await withMode({ FAKE_KERNEL_MODE: "cat" }, () =>
      run({ program: "cat", input: new Uint8Array([0x61, 0x62, 0x0a]), kernel: fake.path }),
    );
    expect(bytes.stdout).toBe("ab\n");
  });

  it("gives an empty stdin in pipe mode without input", async () => {
    const r = await withMode({ FAKE_KERNEL_MODE: "cat" }, () =>
      run({ program: "cat", kernel: fake.path }),
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
  });

  it("returns no output fields with stdio: inherit", async () => {
    const r = await withMode({ FAKE_KERNEL_MODE: "quiet" }, () =>
      run({ program: "x", stdio: "inherit", kernel: fake.path }),
    );
    expect(r).toEqual({ status: 0, signal: null });
  });

  it("lets a started program be killed", async () => {
    const running = await withMode({ FAKE_KERNEL_MODE: "wait" }, async () =>
      start({ program: "x", kernel: fake.path }),
    );
    expect(running.pid).toBeTypeOf("number");
    await new Promise((r) => setTimeout(r, 200));
    expect(running.kill("SIGKILL")).toBe(true);
    const r = await running.result;
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout).toMatch(/^ready \d+\n/);
  });

  it("rejects bad options before starting anything", async () => {
    await expect(run({ program: "x", env: { "A=B": "1" }, kernel: fake.path })).rejects.toThrow(
      RunOptionsError,
    );
  });

  it("rejects a kernel option that names no file with KernelNotFoundError", async () => {
    const err = await run({ program: "x", kernel: fake.missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelNotFoundError);
    expect((err as KernelNotFoundError).reason).toBe("option");
    expect((err as KernelNotFoundError).path).toBe(fake.missing);
  });

  it("rejects a kernel that cannot be executed with KernelSpawnError", async () => {
    const err = await run({ program: "x", kernel: fake.notExecutable }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelSpawnError);
    expect((err as KernelSpawnError).code).toBe("EACCES");
    expect((err as KernelSpawnError).path).toBe(fake.notExecutable);
  });
});
