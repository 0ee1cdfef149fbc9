// The lookup API: what a user gets back for names, numbers and aliases.

import { describe, expect, it } from "vitest";
import {
  constantValue,
  constSetByName,
  errnoByName,
  errnoByNumber,
  signalByName,
  signalByNumber,
  structLayoutByName,
  syscallByName,
  syscallByNumber,
  syscalls,
} from "../src/index.js";

describe("lookups", () => {
  it("finds syscalls by number and name, and nothing in the holes", () => {
    expect(syscallByNumber(257)?.name).toBe("openat");
    expect(syscallByName("clone3")?.nr).toBe(435);
    expect(syscallByNumber(400)).toBeUndefined();
    expect(syscallByName("sys_read")).toBeUndefined();
    expect(syscalls.map((s) => s.nr)).toEqual([...syscalls.map((s) => s.nr)].sort((a, b) => a - b));
  });

  it("gives argument kinds with resolved argument indexes", () => {
    expect(syscallByName("write")?.args.map((a) => a.kind)).toEqual([
      { kind: "fd" },
      { kind: "in_buf", len: 2 },
      { kind: "size" },
    ]);
    expect(syscallByName("connect")?.args[1]?.kind).toEqual({
      kind: "struct",
      dir: "in",
      struct: "sockaddr",
      sizeArg: 2,
    });
  });

  it("finds errnos by number, name and alias", () => {
    expect(errnoByNumber(2)).toEqual({
      name: "ENOENT",
      number: 2,
      message: "No such file or directory",
    });
    expect(errnoByName("EWOULDBLOCK")?.name).toBe("EAGAIN");
    expect(errnoByNumber(41)).toBeUndefined();
  });

  it("finds signals by number, name, alias and real-time offset", () => {
    expect(signalByNumber(9)?.name).toBe("SIGKILL");
    expect(signalByName("SIGIOT")?.number).toBe(6);
    expect(signalByName("SIGRTMIN+2")?.number).toBe(34);
    expect(signalByNumber(64)?.name).toBe("SIGRTMAX");
    expect(signalByNumber(65)).toBeUndefined();
    expect(signalByName("SIGRTMIN+40")).toBeUndefined();
  });

  it("finds constant sets, constants and struct layouts", () => {
    expect(constSetByName("seek_whence")?.kind).toBe("enum");
    expect(constantValue("O_CLOEXEC")).toBe(0o2000000n);
    expect(constantValue("CLONE_INTO_CGROUP")).toBe(0x2_0000_0000n);
    expect(constantValue("RUSAGE_CHILDREN")).toBe(-1n);
    expect(structLayoutByName("timespec")?.size).toBe(16);
    expect(constSetByName("nope")).toBeUndefined();
  });
});
