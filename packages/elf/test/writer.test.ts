import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  ElfError,
  EM_X86_64,
  ET_EXEC,
  NT_GNU_BUILD_ID,
  PF_R,
  PF_W,
  PF_X,
  PT_LOAD,
  PT_NOTE,
  parseElf,
  SHF_ALLOC,
  SHT_NOTE,
  SHT_PROGBITS,
  type WriteSpec,
  writeElf,
  writeElfFile,
  writeElfFileSync,
  writeElfSync,
} from "../src/index.js";
import { hasReadelf } from "./support/readelf.js";

/** Deterministic filler so that a misplaced byte range shows up as a content mismatch. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const buildId = pattern(20, 7);
const text = pattern(0x1234, 1);
const rodata = pattern(0x800, 2);
const data = pattern(0x321, 3);
const comment = new TextEncoder().encode("junction writer test\0");
const snapshot = pattern(0x99, 4);

const spec: WriteSpec = {
  eType: ET_EXEC,
  eMachine: EM_X86_64,
  entry: 0x401000n,
  pageSize: 4096n,
  segments: [
    { vaddr: 0x401000n, flags: PF_R | PF_X, data: text },
    { vaddr: 0x403000n, flags: PF_R, data: rodata },
    // A zero tail: .data followed by .bss in the same segment.
    { vaddr: 0x405000n, memSize: 0x3000n, flags: PF_R | PF_W, data },
    // Memory only, like a heap snapshot region that starts zeroed.
    { vaddr: 0x410000n, memSize: 0x2000n, flags: PF_R | PF_W, data: new Uint8Array(0) },
  ],
  notes: [
    { name: "GNU", nType: NT_GNU_BUILD_ID, desc: buildId },
    { name: "Junction", nType: 0x4a430001, desc: new TextEncoder().encode("snapshot-v1") },
  ],
  sections: [
    { name: ".comment", shType: SHT_PROGBITS, data: comment },
    { name: ".junction.snapshot", shType: SHT_PROGBITS, align: 16n, data: snapshot },
  ],
};

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const dir = mkdtempSync(join(tmpdir(), "junction-elf-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeElf", () => {
  it("produces the same bytes from every entry point", async () => {
    const sync = writeElfSync(spec);
    expect(sync).toBeInstanceOf(Uint8Array);
    expect(hex(await writeElf(spec))).toBe(hex(sync));
    const a = join(dir, "a.elf");
    const b = join(dir, "b.elf");
    expect(writeElfFileSync(spec, a)).toBe(BigInt(sync.length));
    expect(await writeElfFile(spec, b)).toBe(BigInt(sync.length));
    expect(hex(readFileSync(a))).toBe(hex(sync));
    expect(hex(readFileSync(b))).toBe(hex(sync));
  });

  it("reads back exactly what was written", () => {
    const bytes = writeElfSync(spec);
    const elf = parseElf(bytes);
    expect(elf.header.eType).toBe(ET_EXEC);
    expect(elf.header.eMachine).toBe(EM_X86_64);
    expect(elf.header.eEntry).toBe(0x401000n);
    expect(elf.interpreter()).toBeNull();

    const loads = elf.programHeaders.filter((p) => p.pType === PT_LOAD);
    expect(loads).toHaveLength(spec.segments?.length ?? 0);
    for (const [i, seg] of (spec.segments ?? []).entries()) {
      const p = loads[i];
      if (p === undefined) throw new Error(`segment ${i} missing`);
      expect(p.pVaddr).toBe(seg.vaddr);
      expect(p.pFlags).toBe(seg.flags);
      expect(p.pFilesz).toBe(BigInt(seg.data.length));
      expect(p.pMemsz).toBe(seg.memSize ?? BigInt(seg.data.length));
      // mmap needs file offset and address congruent modulo the page size.
      expect(p.pOffset % 4096n).toBe(p.pVaddr % 4096n);
      const start = Number(p.pOffset);
      expect(hex(bytes.subarray(start, start + seg.data.length))).toBe(hex(seg.data));
    }

    expect(elf.programHeaders.some((p) => p.pType === PT_NOTE)).toBe(true);
    const notes = elf.notes().map((n) => ({ name: n.name, nType: n.nType, desc: hex(n.desc) }));
    expect(notes).toEqual(
      (spec.notes ?? []).map((n) => ({ name: n.name, nType: n.nType, desc: hex(n.desc) })),
    );
    expect(elf.buildId()).toBe(hex(buildId));

    const sections = elf.sectionHeaders();
    for (const want of spec.sections ?? []) {
      const s = sections.find((x) => x.name === want.name);
      if (s === undefined) throw new Error(`section ${want.name} missing`);
      expect(s.shType).toBe(want.shType);
      expect(s.shSize).toBe(BigInt(want.data.length));
      expect(s.shAddralign).toBe(want.align ?? 1n);
      expect(s.shOffset % (want.align ?? 1n)).toBe(0n);
      const start = Number(s.shOffset);
      expect(hex(bytes.subarray(start, start + want.data.length))).toBe(hex(want.data));
    }
    // The notes are also described by a SHT_NOTE section over the PT_NOTE bytes, so section
    // based tools (readelf -n, objdump) see them. It is not SHF_ALLOC: notes are not loaded.
    const noteSegment = elf.programHeaders.find((p) => p.pType === PT_NOTE);
    const noteSection = sections.find((s) => s.shType === SHT_NOTE);
    expect(noteSection?.shOffset).toBe(noteSegment?.pOffset);
    expect(noteSection?.shSize).toBe(noteSegment?.pFilesz);
    expect((noteSection?.shFlags ?? 0n) & SHF_ALLOC).toBe(0n);
  });

  it.skipIf(!hasReadelf())("is accepted by readelf -a -W without any warning", () => {
    const path = join(dir, "checked.elf");
    writeElfFileSync(spec, path);
    const r = spawnSync("readelf", ["-a", "-W", path], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).not.toMatch(/warning|error|corrupt/i);
    // readelf must see the same segments and the build ID we asked for.
    expect(r.stdout.match(/^\s+LOAD\s/gm)?.length).toBe(4);
    expect(r.stdout).toContain(`Build ID: ${hex(buildId)}`);
    expect(r.stdout).toContain(".junction.snapshot");
  });

  it("rejects a value that does not fit in 64 bits with ElfError", () => {
    const bad: WriteSpec = { ...spec, entry: 1n << 64n };
    expect(() => writeElfSync(bad)).toThrow(ElfError);
    try {
      writeElfSync(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(ElfError);
      expect((err as ElfError).kind).toBe("InvalidSpec");
    }
  });
});
