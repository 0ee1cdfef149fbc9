import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Elf, type ElfSymbol, openElf, openElfSync, STT_SECTION } from "../src/index.js";
import { hasReadelf } from "./support/readelf.js";

// readelf's Type/Bind/Vis columns as numbers (gABI values).
const TYPES: Record<string, number> = {
  NOTYPE: 0,
  OBJECT: 1,
  FUNC: 2,
  SECTION: 3,
  FILE: 4,
  COMMON: 5,
  TLS: 6,
  IFUNC: 10,
};
const BINDS: Record<string, number> = { LOCAL: 0, GLOBAL: 1, WEAK: 2, UNIQUE: 10 };
const VIS: Record<string, number> = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 };
const NDX: Record<string, number> = { UND: 0, ABS: 0xfff1, COM: 0xfff2 };

interface Row {
  value: bigint;
  size: bigint;
  kind: number | undefined;
  binding: number | undefined;
  visibility: number | undefined;
  shndx: number;
  name: string;
}

/** The rows of one table in `readelf -sW` output. */
function readelfRows(path: string, table: string): Row[] {
  const r = spawnSync("readelf", ["-sW", path], { encoding: "utf8", maxBuffer: 1 << 30 });
  expect(r.status).toBe(0);
  const rows: Row[] = [];
  let inTable = false;
  for (const line of r.stdout.split("\n")) {
    if (line.startsWith("Symbol table ")) {
      inTable = line.startsWith(`Symbol table '${table}'`);
      continue;
    }
    if (!inTable) continue;
    const m =
      /^\s+\d+: ([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, value = "", size = "", type = "", bind = "", vis = "", ndx = "", name = ""] = m;
    rows.push({
      value: BigInt(`0x${value}`),
      size: BigInt(size),
      kind: TYPES[type],
      binding: BINDS[bind],
      visibility: VIS[vis],
      shndx: NDX[ndx] ?? Number(ndx),
      name,
    });
  }
  return rows;
}

/** readelf appends symbol versions to dynsym names ("malloc@@GLIBC_2.2.5", "puts@GLIBC_2.2.5 (2)"). */
function sameName(ours: string, theirs: string): boolean {
  return theirs === ours || theirs.startsWith(`${ours}@`);
}

/**
 * `sectionNames` resolves STT_SECTION symbols: they have no name of their own and readelf
 * prints the name of the section they stand for.
 */
function compare(ours: ElfSymbol[], theirs: Row[], sectionNames: readonly string[]): string[] {
  const diffs: string[] = [];
  if (ours.length !== theirs.length) diffs.push(`${ours.length} symbols vs ${theirs.length}`);
  ours.forEach((s, i) => {
    const t = theirs[i];
    if (t === undefined) return;
    const same =
      s.value === t.value &&
      s.size === t.size &&
      s.kind === t.kind &&
      s.binding === t.binding &&
      s.visibility === t.visibility &&
      s.shndx === t.shndx &&
      (sameName(s.name, t.name) ||
        (s.kind === STT_SECTION && s.name === "" && sectionNames[s.shndx] === t.name));
    if (!same)
      diffs.push(
        `#${i}: ${JSON.stringify(s, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))} vs ${JSON.stringify(t, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))}`,
      );
  });
  return diffs;
}

const names = (elf: Elf): string[] => elf.sectionHeaders().map((s) => s.name);

describe.skipIf(!hasReadelf())("symbol tables agree with readelf -sW entry by entry", () => {
  const libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";

  it("libc .dynsym (sync and async)", async () => {
    const rows = readelfRows(libc, ".dynsym");
    expect(rows.length).toBeGreaterThan(1000);
    const elf = openElfSync(libc);
    expect(compare(elf.symbols("dynsym"), rows, names(elf)).slice(0, 20)).toEqual([]);
    const viaAsync = await (await openElf(libc)).symbolsAsync("dynsym");
    expect(compare(viaAsync, rows, names(elf)).slice(0, 20)).toEqual([]);
  });

  it("/bin/ls .dynsym", () => {
    const rows = readelfRows("/bin/ls", ".dynsym");
    const elf = openElfSync("/bin/ls");
    expect(compare(elf.symbols("dynsym"), rows, names(elf)).slice(0, 20)).toEqual([]);
  });

  // Unstripped files with a .symtab (LOCAL, FILE and SECTION symbols): a relocatable object
  // from libc6-dev and a shared library that Debian ships unstripped.
  for (const path of [
    "/usr/lib/x86_64-linux-gnu/Scrt1.o",
    "/usr/lib/x86_64-linux-gnu/libsframe.so.0",
  ]) {
    it.skipIf(!existsSync(path))(`${path} .symtab`, () => {
      const rows = readelfRows(path, ".symtab");
      expect(rows.length).toBeGreaterThan(1);
      const elf = openElfSync(path);
      expect(compare(elf.symbols("symtab"), rows, names(elf)).slice(0, 20)).toEqual([]);
    });
  }
});
