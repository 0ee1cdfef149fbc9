import { describe, expect, it } from "vitest";
import { kernelArgs, type RunOptions, RunOptionsError } from "../src/index.js";

function rejected(options: RunOptions): RunOptionsError {
  try {
    kernelArgs(options);
  } catch (err) {
    expect(err).toBeInstanceOf(RunOptionsError);
    return err as RunOptionsError;
  }
  throw new Error("expected a RunOptionsError");
}

describe("kernelArgs", () => {
  it("passes only the program when nothing else is set, always after --", () => {
    expect(kernelArgs({ program: "/bin/true" })).toEqual(["--", "/bin/true"]);
  });

  it("maps every option to the kernel's flag, in the kernel's order", () => {
    const args = kernelArgs({
      program: "/bin/sh",
      args: ["-c", "echo $A"],
      root: "/srv/rootfs",
      rw: ["/tmp", "/var/log"],
      binds: [{ host: "/srv/secrets/f", path: "/var/openfaas/secrets" }],
      env: { A: "1", EMPTY: "", EQ: "x=y" },
      clearEnv: true,
      hostTmp: true,
      cwd: "/tmp",
      trace: true,
      stats: true,
      statsJson: "/tmp/stats.json",
      memory: "512M",
      cpus: 0.5,
      pids: 64,
      rewrite: false,
    });
    expect(args).toEqual([
      "--root",
      "/srv/rootfs",
      "--rw",
      "/tmp",
      "--rw",
      "/var/log",
      "--bind",
      "/srv/secrets/f:/var/openfaas/secrets",
      "--env",
      "A=1",
      "--env",
      "EMPTY=",
      "--env",
      "EQ=x=y",
      "--clear-env",
      "--host-tmp",
      "--cwd",
      "/tmp",
      "--trace",
      "--stats",
      "--stats-json",
      "/tmp/stats.json",
      "--memory",
      "512M",
      "--cpus",
      "0.5",
      "--pids",
      "64",
      "--no-rewrite",
      "--",
      "/bin/sh",
      "-c",
      "echo $A",
    ]);
  });

  it("leaves out flags that are false and keeps rewriting on by default", () => {
    const args = kernelArgs({
      program: "ls",
      clearEnv: false,
      trace: false,
      stats: false,
      rewrite: true,
      rw: [],
      env: {},
    });
    expect(args).toEqual(["--", "ls"]);
  });

  it("keeps a program or argument that looks like an option after --", () => {
    expect(kernelArgs({ program: "--help", args: ["--version", "--"] })).toEqual([
      "--",
      "--help",
      "--version",
      "--",
    ]);
  });

  it("ignores stdio, input and kernel, which are not kernel flags", () => {
    expect(kernelArgs({ program: "cat", stdio: "inherit", input: "x", kernel: "/k" })).toEqual([
      "--",
      "cat",
    ]);
  });

  it("rejects an empty program", () => {
    expect(rejected({ program: "" }).option).toBe("program");
  });

  it("rejects environment names that are empty or hold '='", () => {
    expect(rejected({ program: "x", env: { "": "v" } }).option).toBe("env");
    const err = rejected({ program: "x", env: { "A=B": "v" } });
    expect(err.option).toBe("env");
    expect(err.message).toContain("A=B");
  });

  it("rejects NUL bytes, which execve would silently cut at", () => {
    expect(rejected({ program: "x", args: ["a\0b"] }).option).toBe("args");
    expect(rejected({ program: "x", env: { A: "a\0" } }).option).toBe("env");
    expect(rejected({ program: "x", root: "/r\0" }).option).toBe("root");
  });

  it("passes limits in the kernel's units and rejects values it would refuse", () => {
    expect(kernelArgs({ program: "x", memory: 1048576, cpus: 2, pids: 1 })).toEqual([
      "--memory",
      "1048576",
      "--cpus",
      "2",
      "--pids",
      "1",
      "--",
      "x",
    ]);
    expect(kernelArgs({ program: "x", cpus: 0.123456 })).toEqual(["--cpus", "0.12346", "--", "x"]);
    expect(rejected({ program: "x", binds: [{ host: "rel", path: "/srv" }] }).option).toBe("binds");
    expect(rejected({ program: "x", binds: [{ host: "/a:b", path: "/srv" }] }).option).toBe(
      "binds",
    );
    expect(rejected({ program: "x", binds: [{ host: "/a", path: "" }] }).option).toBe("binds");
    expect(rejected({ program: "x", memory: "lots" }).option).toBe("memory");
    expect(rejected({ program: "x", memory: 0 }).option).toBe("memory");
    expect(rejected({ program: "x", memory: 1.5 }).option).toBe("memory");
    expect(rejected({ program: "x", cpus: 0 }).option).toBe("cpus");
    expect(rejected({ program: "x", cpus: Number.NaN }).option).toBe("cpus");
    expect(rejected({ program: "x", pids: -1 }).option).toBe("pids");
  });

  it("rejects empty paths", () => {
    expect(rejected({ program: "x", rw: [""] }).option).toBe("rw");
    expect(rejected({ program: "x", cwd: "" }).option).toBe("cwd");
    expect(rejected({ program: "x", statsJson: "" }).option).toBe("statsJson");
  });
});
