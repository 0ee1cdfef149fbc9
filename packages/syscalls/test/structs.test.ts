// Every struct with a C type (c="...") against gcc's sizeof and offsetof for every field.

import { describe, expect, it } from "vitest";
import { structLayouts } from "../src/index.js";
import { missing, runC, titled } from "./host.js";

// Where each C type is declared. One C file per struct, because some of these headers clash
// when mixed (linux/mount.h with glibc's sys/mount.h). A c= type missing here fails the test,
// so a new struct in the table cannot go unchecked.
const HEADERS: Readonly<Record<string, string>> = {
  siginfo_t: "signal.h",
  stack_t: "signal.h",
  "struct __user_cap_data_struct": "linux/capability.h",
  "struct __user_cap_header_struct": "linux/capability.h",
  "struct clone_args": "linux/sched.h",
  "struct cmsghdr": "sys/socket.h",
  "struct epoll_event": "sys/epoll.h",
  "struct file_handle": "fcntl.h",
  "struct flock": "fcntl.h",
  "struct futex_waitv": "linux/futex.h",
  "struct io_event": "linux/aio_abi.h",
  "struct iovec": "sys/uio.h",
  "struct linger": "sys/socket.h",
  "struct mount_attr": "linux/mount.h",
  "struct mq_attr": "mqueue.h",
  "struct msghdr": "sys/socket.h",
  "struct open_how": "linux/openat2.h",
  "struct pollfd": "poll.h",
  "struct rlimit": "sys/resource.h",
  "struct robust_list_head": "linux/futex.h",
  "struct rseq": "linux/rseq.h",
  "struct sched_attr": "linux/sched/types.h",
  "struct sched_param": "sched.h",
  "struct sembuf": "sys/sem.h",
  "struct sockaddr": "sys/socket.h",
  "struct sockaddr_in": "netinet/in.h",
  "struct sockaddr_in6": "netinet/in.h",
  "struct sockaddr_un": "sys/un.h",
  "struct statfs": "sys/statfs.h",
  "struct sysinfo": "sys/sysinfo.h",
  "struct timespec": "time.h",
  "struct timeval": "sys/time.h",
  "struct timezone": "sys/time.h",
  "struct tms": "sys/times.h",
  "struct ucred": "sys/socket.h",
  "struct utimbuf": "utime.h",
  "struct utsname": "sys/utsname.h",
  "struct winsize": "sys/ioctl.h",
};

describe("struct layouts", () => {
  const withC = structLayouts.filter((s) => s.cName !== null);
  const reason = missing([], true);

  it("every C type has a header to check it with", () => {
    expect(withC.map((s) => s.cName).filter((c) => c !== null && !(c in HEADERS))).toEqual([]);
    expect(withC.length).toBeGreaterThan(30);
  });

  for (const layout of withC) {
    const cName = layout.cName ?? "";
    it.skipIf(reason)(
      titled(`${layout.name} matches gcc's sizeof(${cName}) and offsetof of every field`, reason),
      () => {
        const prints = [
          `  printf("sizeof %zu\\n", sizeof(${cName}));`,
          ...layout.fields.map(
            (f) =>
              `  printf("${f.name} %zu %zu\\n", offsetof(${cName}, ${f.name}), sizeof(((${cName} *)0)->${f.name}));`,
          ),
        ];
        const source = `#define _GNU_SOURCE\n#include <${HEADERS[cName]}>\n#include <stddef.h>\n#include <stdio.h>\nint main(void) {\n${prints.join("\n")}\n  return 0;\n}\n`;
        const out = runC(source, `layout_${layout.name}`);
        const size = { u8: 1, u16: 2, u32: 4, u64: 8, i8: 1, i16: 2, i32: 4, i64: 8, ptr: 8 };
        const expected = [
          `sizeof ${layout.size}`,
          ...layout.fields.map((f) => `${f.name} ${f.offset} ${size[f.type] * (f.count ?? 1)}`),
        ];
        expect(out.trim().split("\n")).toEqual(expected);
      },
    );
  }
});
