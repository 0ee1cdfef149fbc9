import { EM_X86_64, ET_EXEC } from "./constants.js";
import { callNative, callNativeAsync } from "./errors.js";
import { type NativeWriteSpec, native } from "./native.js";

/** One PT_LOAD. Bytes past `data.length` up to `memSize` are zero-filled when loaded. */
export interface SegmentSpec {
  vaddr: bigint;
  /** Defaults to `data.length` (no zero tail). */
  memSize?: bigint;
  /** PF_R | PF_W | PF_X bits. */
  flags: number;
  data: Uint8Array;
}

export interface NoteSpec {
  name: string;
  nType: number;
  desc: Uint8Array;
}

/** A non-loaded section, kept in the file and listed in the section table. */
export interface SectionSpec {
  name: string;
  shType: number;
  /** Defaults to 0n. */
  shFlags?: bigint;
  /** Defaults to 1n. */
  align?: bigint;
  data: Uint8Array;
}

export interface WriteSpec {
  /** Defaults to ET_EXEC. */
  eType?: number;
  /** Defaults to EM_X86_64. */
  eMachine?: number;
  /** Defaults to 0n. */
  entry?: bigint;
  /** Alignment of the PT_LOAD file offsets; defaults to 4096n. */
  pageSize?: bigint;
  segments?: readonly SegmentSpec[];
  notes?: readonly NoteSpec[];
  sections?: readonly SectionSpec[];
}

function toNative(spec: WriteSpec): NativeWriteSpec {
  return {
    eType: spec.eType ?? ET_EXEC,
    eMachine: spec.eMachine ?? EM_X86_64,
    entry: spec.entry ?? 0n,
    pageSize: spec.pageSize ?? 4096n,
    segments: (spec.segments ?? []).map((s) => ({
      vaddr: s.vaddr,
      memSize: s.memSize ?? BigInt(s.data.length),
      flags: s.flags,
      data: s.data,
    })),
    notes: (spec.notes ?? []).map((n) => ({ name: n.name, nType: n.nType, desc: n.desc })),
    sections: (spec.sections ?? []).map((s) => ({
      name: s.name,
      shType: s.shType,
      shFlags: s.shFlags ?? 0n,
      align: s.align ?? 1n,
      data: s.data,
    })),
  };
}

// napi hands back a Node Buffer; expose a plain Uint8Array view over the same memory so the
// public type is what the signature says.
function asUint8Array(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Builds an ELF image in memory on the libuv thread pool. */
export async function writeElf(spec: WriteSpec): Promise<Uint8Array> {
  const bytes = await callNativeAsync(() => native().writeElf(toNative(spec)));
  return asUint8Array(bytes);
}

export function writeElfSync(spec: WriteSpec): Uint8Array {
  return asUint8Array(callNative(() => native().writeElfSync(toNative(spec))));
}

/** Writes the image to `path`; resolves to the number of bytes written. */
export function writeElfFile(spec: WriteSpec, path: string): Promise<bigint> {
  return callNativeAsync(() => native().writeElfFile(toNative(spec), path));
}

export function writeElfFileSync(spec: WriteSpec, path: string): bigint {
  return callNative(() => native().writeElfFileSync(toNative(spec), path));
}
