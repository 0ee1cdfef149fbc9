import { describe, expect, it } from "vitest";
import {
  ElfError,
  elfTypeName,
  openElfSync,
  PF_R,
  PF_W,
  PF_X,
  PROGRAM_HEADER_TYPES,
  type ProgramHeader,
} from "../src/index.js";
import { findElfFiles } from "./support/elf-files.js";
import {
  hasReadelf,
  type ReadelfFile,
  type ReadelfProgramHeader,
  readelfAll,
} from "./support/readelf.js";

const ROOTS = [
  { dir: "/usr/bin", recursive: false },
  { dir: "/usr/lib/x86_64-linux-gnu", recursive: true },
  { dir: "/usr/libexec", recursive: true },
];

/** p_type from readelf's spelling: a known name, "LOOS+0x..", "LOPROC+0x.." or a raw value. */
function readelfPType(name: string): number | undefined {
  const known = PROGRAM_HEADER_TYPES[name];
  if (known !== undefined) return known;
  const rel = /^(LOOS|LOPROC)\+(0x[0-9a-f]+)$/.exec(name);
  if (rel) return (rel[1] === "LOOS" ? 0x60000000 : 0x70000000) + Number(rel[2]);
  const raw = /^<unknown>: (?:0x)?([0-9a-f]+)$/.exec(name);
  if (raw) return Number.parseInt(raw[1] ?? "", 16);
  return undefined;
}

/** readelf's Flg column back to PF_* bits (readelf shows only R, W and E). */
function readelfPFlags(flags: string): number {
  return (
    (flags[0] === "R" ? PF_R : 0) | (flags[1] === "W" ? PF_W : 0) | (flags[2] === "E" ? PF_X : 0)
  );
}

function comparePhdr(ours: ProgramHeader, theirs: ReadelfProgramHeader): string[] {
  const diffs: string[] = [];
  const pType = readelfPType(theirs.type);
  if (pType === undefined) diffs.push(`readelf type ${theirs.type} is not understood by the test`);
  else if (pType !== ours.pType) diffs.push(`type ${ours.pType} vs ${theirs.type}`);
  const pairs: [string, bigint, bigint][] = [
    ["offset", ours.pOffset, theirs.offset],
    ["vaddr", ours.pVaddr, theirs.vaddr],
    ["paddr", ours.pPaddr, theirs.paddr],
    ["filesz", ours.pFilesz, theirs.filesz],
    ["memsz", ours.pMemsz, theirs.memsz],
    ["align", ours.pAlign, theirs.align],
  ];
  for (const [field, a, b] of pairs)
    if (a !== b) diffs.push(`${field} 0x${a.toString(16)} vs 0x${b.toString(16)}`);
  // readelf prints only the R/W/E bits, so only those are comparable.
  if ((ours.pFlags & 7) !== readelfPFlags(theirs.flags))
    diffs.push(`flags ${ours.pFlags} vs "${theirs.flags}"`);
  return diffs;
}

function compareFile(path: string, theirs: ReadelfFile): string[] {
  if (theirs.class === "ELF32") {
    // The core reads ELF64 only; a 32-bit file must be refused cleanly, not misread.
    try {
      openElfSync(path);
      return ["ELF32 file was accepted"];
    } catch (err) {
      if (err instanceof ElfError && err.kind === "Unsupported") return [];
      return [`ELF32 file: expected ElfError Unsupported, got ${String(err)}`];
    }
  }
  const elf = openElfSync(path);
  const diffs: string[] = theirs.unparsed.map((line) => `unreadable readelf line: ${line}`);
  const h = elf.header;
  if (elfTypeName(h.eType) !== theirs.type) diffs.push(`e_type ${h.eType} vs ${theirs.type}`);
  if (h.eEntry !== theirs.entry) diffs.push(`entry 0x${h.eEntry.toString(16)} vs ${theirs.entry}`);
  const interp = elf.interpreter();
  if (interp !== theirs.interpreter) diffs.push(`interpreter ${interp} vs ${theirs.interpreter}`);
  const phdrs = elf.programHeaders;
  if (phdrs.length !== theirs.programHeaders.length) {
    diffs.push(`${phdrs.length} program headers vs ${theirs.programHeaders.length}`);
  } else {
    phdrs.forEach((p, i) => {
      const t = theirs.programHeaders[i];
      if (t) for (const d of comparePhdr(p, t)) diffs.push(`phdr[${i}] ${d}`);
    });
  }
  for (const [kind, section] of [
    ["dynsym", ".dynsym"],
    ["symtab", ".symtab"],
  ] as const) {
    const expected = theirs.symbolCounts.get(section) ?? 0;
    const count = elf.symbolCount(kind);
    if (count !== expected) diffs.push(`${section} has ${count} entries vs ${expected}`);
    // Decoding every entry (names included) must yield exactly that many symbols.
    const decoded = elf.symbols(kind).length;
    if (decoded !== expected) diffs.push(`${section} decoded ${decoded} symbols vs ${expected}`);
  }
  for (const name of theirs.symbolCounts.keys()) {
    if (name !== ".dynsym" && name !== ".symtab") diffs.push(`unexpected symbol table ${name}`);
  }
  return diffs;
}

describe.skipIf(!hasReadelf())("agreement with readelf (binutils)", () => {
  it("matches readelf -hlsW on every ELF file in /usr/bin, /usr/lib/x86_64-linux-gnu and /usr/libexec", async () => {
    const files = findElfFiles(ROOTS);
    // One readelf process per 64 files: few enough processes to stay cheap, small enough
    // argv. -h -l -s in one run prints exactly what `readelf -hlW` and `readelf -sW` print.
    const { files: readelf } = await readelfAll(["-hlsW"], files, 64, 2);
    const mismatches: string[] = [];
    let checked = 0;
    let elf32 = 0;
    for (const path of files) {
      const theirs = readelf.get(path);
      if (theirs === undefined || theirs.class === null) {
        mismatches.push(`${path}: readelf printed no header`);
        continue;
      }
      let diffs: string[];
      try {
        diffs = compareFile(path, theirs);
      } catch (err) {
        diffs = [`threw ${String(err)}`];
      }
      for (const d of diffs) mismatches.push(`${path}: ${d}`);
      checked++;
      if (theirs.class === "ELF32") elf32++;
    }
    console.log(
      `readelf sweep: compared ${checked} ELF files (${elf32} ELF32 files checked for a clean refusal)`,
    );
    expect(mismatches.length, mismatches.slice(0, 50).join("\n")).toBe(0);
    expect(checked).toBeGreaterThanOrEqual(500);
  }, 900_000);
});

describe.runIf(!hasReadelf())("agreement with readelf (binutils)", () => {
  it.skip("readelf is not installed (apt-get install binutils); the sweep is skipped", () => {});
});
