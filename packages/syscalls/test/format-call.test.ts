// formatCall/formatReturn on real calls with a fake memory reader. Every expected string is
// written out as a user would see it in strace output.

import { describe, expect, it } from "vitest";
import { formatCall, formatReturn, syscallByName } from "../src/index.js";
import { FakeMemory } from "./fake-memory.js";

const nr = (name: string): number => {
  const info = syscallByName(name);
  if (!info) throw new Error(`no syscall ${name}`);
  return info.nr;
};

const STACK = 0x7ffc_1000_0000n;
const HEAP = 0x5555_0000_0000n;

describe("formatCall: fds, paths and flags", () => {
  const mem = new FakeMemory();
  const passwd = mem.string(HEAP, "/etc/passwd");
  const cases: [string, string, readonly (bigint | number)[], string][] = [
    [
      "openat with AT_FDCWD",
      "openat",
      [-100, passwd, 0o2000000, 0],
      'openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)',
    ],
    [
      "openat, dirfd as a register value",
      "openat",
      [0xffff_ff9cn, passwd, 0o1101, 0o644],
      'openat(AT_FDCWD, "/etc/passwd", O_WRONLY|O_CREAT|O_TRUNC, 0644)',
    ],
    [
      "open with O_SYNC not split into O_DSYNC",
      "open",
      [passwd, 0o4010002, 0o600],
      'open("/etc/passwd", O_RDWR|O_SYNC)',
    ],
    [
      "open with an unknown flag bit",
      "open",
      [passwd, 0x4000_0000, 0],
      'open("/etc/passwd", O_RDONLY|0x40000000)',
    ],
    [
      "open with O_TMPFILE shows its mode",
      "open",
      [passwd, 0o20200002, 0o600],
      'open("/etc/passwd", O_RDWR|O_TMPFILE, 0600)',
    ],
    [
      "open with O_DIRECTORY alone hides it",
      "open",
      [passwd, 0o200000, 0o600],
      'open("/etc/passwd", O_RDONLY|O_DIRECTORY)',
    ],
    ["creat mode 0", "creat", [passwd, 0], 'creat("/etc/passwd", 000)'],
    ["close", "close", [3], "close(3)"],
    ["dup2", "dup2", [3, 1], "dup2(3, 1)"],
    ["lseek with a negative offset", "lseek", [3, -16, 2], "lseek(3, -16, SEEK_END)"],
    ["lseek with an unknown whence", "lseek", [3, 0, 9], "lseek(3, 0, 0x9)"],
    ["unlinkat", "unlinkat", [5, passwd, 0x200], 'unlinkat(5, "/etc/passwd", AT_REMOVEDIR)'],
    ["access F_OK (a zero flag value)", "access", [passwd, 0], 'access("/etc/passwd", F_OK)'],
    ["access R_OK|X_OK", "access", [passwd, 5], 'access("/etc/passwd", R_OK|X_OK)'],
    ["fchmod", "fchmod", [4, 0o4755], "fchmod(4, 04755)"],
    ["fchown with -1 ids", "fchown", [4, 0xffff_ffff, -1], "fchown(4, -1, -1)"],
    ["path NULL", "chdir", [0], "chdir(NULL)"],
    ["path the reader cannot read", "chdir", [0xdead_0000], "chdir(0xdead0000)"],
  ];
  for (const [title, name, args, expected] of cases) {
    it(title, () => expect(formatCall(nr(name), args, mem.read)).toBe(expected));
  }
});

describe("formatCall: memory, sizes and signals", () => {
  const mem = new FakeMemory();
  const hello = mem.place(HEAP, new TextEncoder().encode("hello\n"));
  const elf = mem.place(
    HEAP + 0x1000n,
    Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(40).fill(0)]),
  );
  const set = mem.ints(STACK, [[(1n << 1n) | (1n << 14n), 8]]); // SIGINT (2) and SIGTERM (15)
  const cases: [string, string, readonly (bigint | number)[], string][] = [
    [
      "mmap anonymous",
      "mmap",
      [0, 8192, 3, 0x22, -1, 0],
      "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    ],
    [
      "mmap PROT_NONE fixed",
      "mmap",
      [0x7f00_0000_0000n, 4096, 0, 0x32, -1, 0],
      "mmap(0x7f0000000000, 4096, PROT_NONE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0)",
    ],
    [
      "mprotect",
      "mprotect",
      [0x7f00_0000_0000n, 4096, 5],
      "mprotect(0x7f0000000000, 4096, PROT_READ|PROT_EXEC)",
    ],
    [
      "read before the call: buffer as address",
      "read",
      [3, STACK, 832],
      "read(3, 0x7ffc10000000, 832)",
    ],
    ["write a short buffer", "write", [1, hello, 6], 'write(1, "hello\\n", 6)'],
    [
      "write a buffer longer than 32 bytes",
      "write",
      [1, elf, 48],
      `write(1, "\\177ELF\\2\\1\\1${"\\0".repeat(25)}"..., 48)`,
    ],
    [
      "write from memory the reader refuses",
      "write",
      [1, 0xdead_0000, 6],
      "write(1, 0xdead0000, 6)",
    ],
    [
      "rt_sigprocmask",
      "rt_sigprocmask",
      [0, set, 0, 8],
      "rt_sigprocmask(SIG_BLOCK, [INT TERM], NULL, 8)",
    ],
    ["kill", "kill", [1234, 15], "kill(1234, SIGTERM)"],
    ["kill with signal 0", "kill", [1234, 0], "kill(1234, 0)"],
    ["tgkill with a real-time signal", "tgkill", [10, 11, 35], "tgkill(10, 11, SIGRTMIN+3)"],
    [
      "clone",
      "clone",
      [0x01200011, 0, 0, 0x7f00_0000_1000n, 0],
      "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7f0000001000, NULL)",
    ],
    [
      "socket",
      "socket",
      [2, 0x80801, 0],
      "socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0)",
    ],
    [
      "futex",
      "futex",
      [0x7f00_0000_2000n, 0x80, 0, 0, 0, 0],
      "futex(0x7f0000002000, FUTEX_WAIT|FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0)",
    ],
    [
      "madvise",
      "madvise",
      [0x7f00_0000_0000n, 8192, 4],
      "madvise(0x7f0000000000, 8192, MADV_DONTNEED)",
    ],
    ["exit_group", "exit_group", [0], "exit_group(0)"],
    [
      "getrusage with a negative enum value",
      "getrusage",
      [-1, 0],
      "getrusage(RUSAGE_CHILDREN, NULL)",
    ],
  ];
  for (const [title, name, args, expected] of cases) {
    it(title, () => expect(formatCall(nr(name), args, mem.read)).toBe(expected));
  }
});

describe("formatCall: structs", () => {
  const mem = new FakeMemory();
  const ts = mem.ints(STACK, [
    [1, 8],
    [500, 8],
  ]);
  const pollfds = mem.ints(STACK + 0x100n, [
    [3, 4],
    [1, 2],
    [0, 2],
    [4, 4],
    [4, 2],
    [0, 2],
  ]);
  const sockaddrIn = mem.ints(STACK + 0x200n, [
    [2, 2],
    [0x5000, 2],
    [0x0100007f, 4],
    [0, 8],
  ]);
  const sockaddrUn = mem.place(
    STACK + 0x300n,
    Uint8Array.from([1, 0, ...new TextEncoder().encode("/run/x.sock"), 0]),
  );
  const event = mem.ints(STACK + 0x400n, [
    [0x80000001, 4],
    [0x2a, 8],
  ]);
  const cases: [string, string, readonly (bigint | number)[], string][] = [
    [
      "nanosleep: in struct decoded, out struct as address",
      "nanosleep",
      [ts, STACK + 0x800n],
      "nanosleep({tv_sec=1, tv_nsec=500}, 0x7ffc10000800)",
    ],
    [
      "poll: an array of structs with flags fields",
      "poll",
      [pollfds, 2, -1],
      "poll([{fd=3, events=POLLIN, revents=0}, {fd=4, events=POLLOUT, revents=0}], 2, -1)",
    ],
    [
      "connect: sockaddr printed by its family",
      "connect",
      [3, sockaddrIn, 16],
      "connect(3, {sin_family=AF_INET, sin_port=0x5000, sin_addr=0x100007f}, 16)",
    ],
    [
      "bind: a short sockaddr_un",
      "bind",
      [3, sockaddrUn, 14],
      'bind(3, {sun_family=AF_UNIX, sun_path="/run/x.sock"}, 14)',
    ],
    [
      "epoll_ctl: a packed struct",
      "epoll_ctl",
      [5, 1, 3, event],
      "epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLET, data=0x2a})",
    ],
    [
      "struct pointer the reader refuses",
      "nanosleep",
      [0xdead_0000, 0],
      "nanosleep(0xdead0000, NULL)",
    ],
  ];
  for (const [title, name, args, expected] of cases) {
    it(title, () => expect(formatCall(nr(name), args, mem.read)).toBe(expected));
  }

  it("without a reader every pointer is an address", () => {
    expect(formatCall(nr("nanosleep"), [ts, 0])).toBe("nanosleep(0x7ffc10000000, NULL)");
  });
});

describe("formatCall: after the call", () => {
  const mem = new FakeMemory();
  const buf = mem.place(
    STACK,
    new TextEncoder().encode("root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:/sbin/nologin\n"),
  );
  const ts = mem.ints(STACK + 0x1000n, [
    [1, 8],
    [500, 8],
  ]);
  const pipe = mem.ints(STACK + 0x2000n, [
    [3, 4],
    [4, 4],
  ]);
  const status = mem.ints(STACK + 0x3000n, [[0x100, 4]]);

  it("read shows the bytes the call returned, truncated at 32", () => {
    expect(
      formatCall(nr("read"), [3, buf, 832], mem.read, { phase: "exit", returnValue: 59 }),
    ).toBe('read(3, "root:x:0:0:root:/root:/bin/bash\\n"..., 832)');
  });
  it("read of 4 bytes shows exactly those", () => {
    expect(formatCall(nr("read"), [3, buf, 832], mem.read, { phase: "exit", returnValue: 4 })).toBe(
      'read(3, "root", 832)',
    );
  });
  it("clock_gettime decodes its out struct", () => {
    expect(
      formatCall(nr("clock_gettime"), [1, ts], mem.read, { phase: "exit", returnValue: 0 }),
    ).toBe("clock_gettime(CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=500})");
  });
  it("a failed call leaves out pointers as addresses", () => {
    expect(
      formatCall(nr("clock_gettime"), [99, ts], mem.read, { phase: "exit", returnValue: -22 }),
    ).toBe("clock_gettime(0x63, 0x7ffc10001000)");
  });
  it("pipe2 decodes its fd pair", () => {
    expect(
      formatCall(nr("pipe2"), [pipe, 0o2000000], mem.read, { phase: "exit", returnValue: 0 }),
    ).toBe("pipe2({fd0=3, fd1=4}, O_CLOEXEC)");
  });
  it("wait4 decodes an out int", () => {
    expect(
      formatCall(nr("wait4"), [-1, status, 0, 0], mem.read, { phase: "exit", returnValue: 77 }),
    ).toBe("wait4(-1, [256], 0, NULL)");
  });
  it("argNames labels every argument", () => {
    expect(formatCall(nr("clone"), [0x11, 0, 0, 0, 0], mem.read, { argNames: true })).toBe(
      "clone(clone_flags=SIGCHLD, newsp=NULL, parent_tidptr=NULL, child_tidptr=NULL, tls=NULL)",
    );
  });
});

describe("formatCall: strings and arrays", () => {
  const mem = new FakeMemory();
  const ls = mem.string(HEAP, "/bin/ls");
  const arg1 = mem.string(HEAP + 0x100n, "-l");
  const tab = mem.string(HEAP + 0x200n, 'say "hi"\tnow');
  const argv = mem.ints(HEAP + 0x300n, [
    [ls, 8],
    [arg1, 8],
    [tab, 8],
    [0, 8],
  ]);
  const envp = mem.ints(HEAP + 0x400n, [[0, 8]]);
  const long = mem.string(HEAP + 0x500n, "abcdefghijklmnopqrstuvwxyz0123456789");
  const path5000 = mem.string(HEAP + 0x10000n, `/${"a".repeat(4999)}`);

  it("execve prints argv as a string array with escapes", () => {
    expect(formatCall(nr("execve"), [ls, argv, envp], mem.read)).toBe(
      'execve("/bin/ls", ["/bin/ls", "-l", "say \\"hi\\"\\tnow"], [])',
    );
  });
  it("a str argument is cut at 32 bytes", () => {
    expect(formatCall(nr("memfd_create"), [long, 1], mem.read)).toBe(
      'memfd_create("abcdefghijklmnopqrstuvwxyz012345"..., MFD_CLOEXEC)',
    );
  });
  it("a path is shown up to PATH_MAX, then cut", () => {
    const out = formatCall(nr("chdir"), [path5000], mem.read);
    expect(out).toBe(`chdir("/${"a".repeat(4095)}"...)`);
  });
  it("a stringLimit option changes the cut", () => {
    expect(formatCall(nr("memfd_create"), [long, 0], mem.read, { stringLimit: 4 })).toBe(
      'memfd_create("abcd"..., 0)',
    );
  });
});

describe("formatCall: unknown numbers", () => {
  it("prints syscall_0x... with six hex registers", () => {
    expect(formatCall(0x1234, [1, 2, 0xff])).toBe("syscall_0x1234(0x1, 0x2, 0xff, 0x0, 0x0, 0x0)");
  });
  it("treats a hole in the table as unknown", () => {
    expect(formatCall(400, [])).toBe("syscall_0x190(0x0, 0x0, 0x0, 0x0, 0x0, 0x0)");
  });
});

describe("formatReturn", () => {
  const cases: [string, string, bigint | number, string][] = [
    ["an fd", "openat", 3, "3"],
    ["ENOENT", "openat", -2, "-1 ENOENT (No such file or directory)"],
    [
      "an error as an unsigned register",
      "read",
      0xffff_ffff_ffff_fff5n,
      "-1 EAGAIN (Resource temporarily unavailable)",
    ],
    ["an errno without a name", "read", -600, "-1 ERRNO_600 (Unknown error 600)"],
    ["an address", "mmap", 0x7f12_3456_7000n, "0x7f1234567000"],
    ["a byte count", "write", 6, "6"],
    ["a call that does not return", "exit_group", 0, "?"],
    ["flags returned by personality", "personality", 0x40000, "PER_LINUX|ADDR_NO_RANDOMIZE"],
  ];
  for (const [title, name, value, expected] of cases) {
    it(title, () => expect(formatReturn(nr(name), value)).toBe(expected));
  }
});
