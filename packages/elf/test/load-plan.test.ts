import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  defaultPlanOptions,
  type Elf,
  ElfError,
  type LoadPlan,
  loadPlan,
  openElfSync,
  PF_R,
  PF_W,
  PF_X,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  PT_LOAD,
  PT_PHDR,
} from "../src/index.js";

const PAGE = 4096n;
const program = openElfSync("/bin/ls");
const interpPath = program.interpreter();
if (interpPath === null) throw new Error("/bin/ls is expected to be dynamically linked");
const interp = openElfSync(interpPath);

function protOf(pFlags: number): number {
  return (
    (pFlags & PF_R ? PROT_READ : 0) |
    (pFlags & PF_W ? PROT_WRITE : 0) |
    (pFlags & PF_X ? PROT_EXEC : 0)
  );
}

/** Each PT_LOAD's [start, end) must lie inside mappings of its object with its protection. */
function expectSegmentsCovered(
  plan: LoadPlan,
  elf: Elf,
  object: "program" | "interpreter",
  bias: bigint,
): void {
  const mine = plan.mappings.filter((m) => m.object === object);
  for (const p of elf.programHeaders.filter((x) => x.pType === PT_LOAD)) {
    const start = bias + p.pVaddr;
    const end = start + p.pMemsz;
    for (let page = start - (start % PAGE); page < end; page += PAGE) {
      const m = mine.find((x) => x.addr <= page && page < x.addr + x.len);
      expect(m, `${object} page 0x${page.toString(16)} unmapped`).toBeDefined();
      // Pages shared by two segments (possible when p_align < page) are not checked for prot.
      if (m && p.pVaddr % PAGE === 0n) expect(m.prot).toBe(protOf(p.pFlags));
    }
  }
}

describe("loadPlan for /bin/ls and its interpreter", () => {
  const plan = loadPlan(program, interp);
  const { base, interpBase } = defaultPlanOptions();

  it("uses page-aligned, non-overlapping mappings inside the files", () => {
    expect(plan.mappings.length).toBeGreaterThan(0);
    const sorted = [...plan.mappings].sort((a, b) => (a.addr < b.addr ? -1 : 1));
    for (const [i, m] of sorted.entries()) {
      expect(m.addr % PAGE).toBe(0n);
      expect(m.len % PAGE).toBe(0n);
      expect(m.len).toBeGreaterThan(0n);
      const next = sorted[i + 1];
      if (next) expect(m.addr + m.len).toBeLessThanOrEqual(next.addr);
      if (m.fileOffset !== null) {
        expect(m.fileOffset % PAGE).toBe(0n);
        expect(m.fileLen).toBeLessThanOrEqual(m.len);
        const size = BigInt(statSync(m.object === "program" ? "/bin/ls" : interpPath).size);
        expect(m.fileOffset + m.fileLen).toBeLessThanOrEqual(size);
      }
      if (m.zeroFrom !== null) {
        expect(m.zeroFrom).toBeGreaterThanOrEqual(m.addr);
        expect(m.zeroFrom).toBeLessThan(m.addr + m.len);
      }
    }
  });

  it("covers every PT_LOAD with its protection", () => {
    expectSegmentsCovered(plan, program, "program", base);
    expectSegmentsCovered(plan, interp, "interpreter", interpBase);
  });

  it("derives auxv and entry from the headers", () => {
    const phdr = program.programHeaders.find((p) => p.pType === PT_PHDR);
    if (phdr === undefined) throw new Error("/bin/ls has no PT_PHDR");
    expect(plan.auxv.atPhdr).toBe(base + phdr.pVaddr);
    expect(plan.auxv.atPhent).toBe(BigInt(program.header.ePhentsize));
    expect(plan.auxv.atPhnum).toBe(BigInt(program.header.ePhnum));
    expect(plan.auxv.atEntry).toBe(base + program.header.eEntry);
    expect(plan.auxv.atBase).toBe(interpBase);
    // With an interpreter, execution starts in ld.so, which later jumps to AT_ENTRY.
    expect(plan.entry).toBe(interpBase + interp.header.eEntry);
    expect(plan.interpreter).toBe(interpPath);
  });

  it("starts brk at the first page after the program's highest segment", () => {
    let end = 0n;
    for (const p of program.programHeaders) {
      if (p.pType === PT_LOAD && p.pVaddr + p.pMemsz > end) end = p.pVaddr + p.pMemsz;
    }
    const expected = base + end + ((PAGE - ((base + end) % PAGE)) % PAGE);
    expect(plan.brkStart).toBe(expected);
  });

  it("moves every address by exactly the change of base", () => {
    const delta = 0x1000_0000n;
    const moved = loadPlan(program, interp, { base: base + delta });
    const progOf = (p: LoadPlan) => p.mappings.filter((m) => m.object === "program");
    expect(progOf(moved).map((m) => m.addr)).toEqual(progOf(plan).map((m) => m.addr + delta));
    expect(moved.auxv.atEntry).toBe(plan.auxv.atEntry + delta);
    expect(moved.auxv.atPhdr).toBe(plan.auxv.atPhdr + delta);
    expect(moved.entry).toBe(plan.entry);
  });

  it("refuses a dynamic program without its interpreter, naming it", () => {
    // A loader that skipped PT_INTERP would jump into a program whose relocations nobody ran.
    let caught: unknown;
    try {
      loadPlan(program);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ElfError);
    expect((caught as ElfError).kind).toBe("InvalidSpec");
    expect((caught as ElfError).message).toContain("/lib64/ld-linux-x86-64.so.2");
  });
});
