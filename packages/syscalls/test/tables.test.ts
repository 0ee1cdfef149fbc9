// The syscall, errno and signal tables against the installed kernel and glibc headers.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  errnoByName,
  errnoByNumber,
  errnos,
  signalByName,
  signalByNumber,
  signals,
  syscalls,
} from "../src/index.js";
import {
  ASM_SIGNAL,
  cString,
  ERRNO_BASE,
  ERRNO_MORE,
  GENERIC_SIGNAL,
  missing,
  runC,
  titled,
  UNISTD_64,
} from "./host.js";

describe("syscall numbers", () => {
  const reason = missing([UNISTD_64], false);
  it.skipIf(reason)(titled(`match every __NR_* in ${UNISTD_64}`, reason), () => {
    const header = new Map<number, string>();
    for (const m of readFileSync(UNISTD_64, "utf8").matchAll(/^#define __NR_(\w+)\s+(\d+)\s*$/gm)) {
      header.set(Number(m[2]), m[1] ?? "");
    }
    expect(header.size).toBeGreaterThan(300);
    const table = new Map(syscalls.map((s) => [s.nr, s.name]));
    const wrong = [...header]
      .filter(([nr, name]) => table.get(nr) !== name)
      .map(([nr, name]) => `${nr}: header ${name}, table ${table.get(nr) ?? "(none)"}`);
    expect(wrong).toEqual([]);
    // Numbers above the header's highest are allowed: the kernel we target is newer than the
    // installed headers. Inside the header's range the table must not invent numbers; the only
    // exception is a row the source marks "newer than the installed headers" (uretprobe and
    // uprobe took free numbers below the top, 335 and 336, in Linux 6.11 and 6.16).
    const highest = Math.max(...header.keys());
    const invented = syscalls
      .filter(
        (s) =>
          s.nr <= highest &&
          !header.has(s.nr) &&
          !s.note.includes("newer than the installed headers"),
      )
      .map((s) => `${s.nr} ${s.name}`);
    expect(invented).toEqual([]);
  });
});

describe("errno", () => {
  const reason = missing([ERRNO_BASE, ERRNO_MORE], false);
  it.skipIf(reason)(titled("every errno and alias in asm-generic/errno*.h matches", reason), () => {
    const text = readFileSync(ERRNO_BASE, "utf8") + readFileSync(ERRNO_MORE, "utf8");
    const numbers = new Map<string, number>();
    for (const m of text.matchAll(/^#define\s+(E\w+)\s+(\d+)\s/gm))
      numbers.set(m[1] ?? "", Number(m[2]));
    for (const m of text.matchAll(/^#define\s+(E\w+)\s+(E[A-Z0-9]+)\s*$/gm)) {
      const target = numbers.get(m[2] ?? "");
      if (target !== undefined) numbers.set(m[1] ?? "", target);
    }
    expect(numbers.size).toBeGreaterThan(130);
    const wrong = [...numbers]
      .filter(([name, n]) => errnoByName(name)?.number !== n)
      .map(([name, n]) => `${name}=${n}: table ${errnoByName(name)?.number}`);
    expect(wrong).toEqual([]);
    // And the table has nothing the headers lack (ENOTSUP is glibc's alias, checked below).
    const extra = errnos.filter((e) => numbers.get(e.name) !== e.number).map((e) => e.name);
    expect(extra).toEqual([]);
  });

  const cReason = missing([], true);
  it.skipIf(cReason)(
    titled("messages match glibc strerror and names match <errno.h>", cReason),
    () => {
      const lines = errnos.map(
        (e) => `  printf("%d\\t%s\\n", ${e.number}, strerror(${e.number}));`,
      );
      const aliases = ["EWOULDBLOCK", "EDEADLOCK", "ENOTSUP"].map(
        (a) => `#ifdef ${a}\n  printf("alias\\t%s\\t%d\\n", ${cString(a)}, ${a});\n#endif`,
      );
      const out = runC(
        `#include <errno.h>\n#include <stdio.h>\n#include <string.h>\nint main(void) {\n${lines.join("\n")}\n${aliases.join("\n")}\n  return 0;\n}\n`,
        "strerror",
      );
      const wrongMessages: string[] = [];
      let aliasCount = 0;
      for (const line of out.trim().split("\n")) {
        const parts = line.split("\t");
        if (parts[0] === "alias") {
          aliasCount++;
          expect(errnoByName(parts[1] ?? "")?.number, parts[1]).toBe(Number(parts[2]));
          continue;
        }
        const entry = errnoByNumber(Number(parts[0]));
        if (entry?.message !== parts[1])
          wrongMessages.push(`${parts[0]}: glibc "${parts[1]}", table "${entry?.message}"`);
      }
      expect(wrongMessages).toEqual([]);
      expect(aliasCount).toBe(3);
    },
  );
});

describe("signals", () => {
  const cReason = missing([ASM_SIGNAL, GENERIC_SIGNAL], true);
  it.skipIf(cReason)(
    titled("numbers, names and descriptions match <signal.h> and strsignal", cReason),
    () => {
      // Descriptions are compared for the standard signals only: glibc reserves 32 and 33 and
      // numbers its "Real-time signal N" from 34, while the table follows the kernel.
      const standard = signals.filter((s) => s.number < 32);
      const body = standard.map(
        (s) =>
          `#ifdef ${s.name}\n  printf("%s\\t%d\\t%s\\n", ${cString(s.name)}, ${s.name}, strsignal(${s.name}));\n#else\n  printf("%s\\tmissing\\n", ${cString(s.name)});\n#endif`,
      );
      const aliases = ["SIGIOT", "SIGPOLL"].map(
        (a) => `  printf("%s\\t%d\\t-\\n", ${cString(a)}, ${a});`,
      );
      const out = runC(
        `#define _GNU_SOURCE\n#include <signal.h>\n#include <stdio.h>\n#include <string.h>\nint main(void) {\n${body.join("\n")}\n${aliases.join("\n")}\n  return 0;\n}\n`,
        "signals",
      );
      const rows = out
        .trim()
        .split("\n")
        .map((l) => l.split("\t"));
      expect(rows.length).toBe(standard.length + 2);
      for (const [name, number, description] of rows) {
        expect(number, `${name} missing from <signal.h>`).not.toBe("missing");
        expect(signalByName(name ?? "")?.number, `${name}`).toBe(Number(number));
        if (description !== "-")
          expect(signalByNumber(Number(number))?.description, `${name}`).toBe(description);
      }
      // Every number 1..31 is a named signal.
      expect(standard.map((s) => s.number)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
      // The real-time range is the kernel's: SIGRTMIN in x86's asm/signal.h, and SIGRTMAX is
      // _NSIG, which x86 takes from asm-generic/signal.h.
      const asm = readFileSync(ASM_SIGNAL, "utf8");
      const generic = readFileSync(GENERIC_SIGNAL, "utf8");
      expect(signalByName("SIGRTMIN")?.number).toBe(
        Number(/#define SIGRTMIN\s+(\d+)/.exec(asm)?.[1]),
      );
      expect(/#define SIGRTMAX\s+_NSIG/.test(asm)).toBe(true);
      expect(signalByName("SIGRTMAX")?.number).toBe(
        Number(/#define _NSIG\s+(\d+)/.exec(generic)?.[1]),
      );
      expect(signalByNumber(40)?.name).toBe("SIGRTMIN+8");
    },
  );
});
