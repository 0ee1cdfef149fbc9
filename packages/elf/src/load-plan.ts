import { type Elf, nativeHandleOf } from "./elf.js";
import { callNative } from "./errors.js";
import { native } from "./native.js";

export interface PlanOptions {
  /** Load bias for an ET_DYN program (ignored for ET_EXEC). */
  base?: bigint;
  /** Load bias for the interpreter. */
  interpBase?: bigint;
  /** Mapping granularity. */
  pageSize?: bigint;
}

/**
 * The bases and page size `loadPlan` uses for options left out: Linux x86-64's non-randomised
 * PIE base, a fixed high interpreter base, 4 KiB pages. They come from the Rust core
 * (`PlanOptions::default()` in crates/elf), the one place they are defined.
 */
export function defaultPlanOptions(): Required<PlanOptions> {
  const d = callNative(() => native().defaultPlanOptions());
  if (d.base == null || d.interpBase == null || d.pageSize == null) {
    throw new Error("@junction/elf: the native addon returned incomplete plan defaults");
  }
  return { base: d.base, interpBase: d.interpBase, pageSize: d.pageSize };
}

export type MappedObject = "program" | "interpreter";

export interface Mapping {
  object: MappedObject;
  /** Page-aligned start address. */
  addr: bigint;
  /** Page-aligned length. */
  len: bigint;
  /** PROT_READ | PROT_WRITE | PROT_EXEC bits. */
  prot: number;
  /** File offset mapped at `addr`, or null for an anonymous (all-zero) mapping. */
  fileOffset: bigint | null;
  /** Bytes of the mapping backed by the file. */
  fileLen: bigint;
  /** Address from which the loader must zero memory (the .bss start inside a file page). */
  zeroFrom: bigint | null;
}

export interface Auxv {
  atPhdr: bigint;
  atPhent: bigint;
  atPhnum: bigint;
  atEntry: bigint;
  /** Interpreter load address, 0n without an interpreter. */
  atBase: bigint;
}

export interface LoadPlan {
  mappings: Mapping[];
  /** Where execution starts: the interpreter's entry if there is one, else the program's. */
  entry: bigint;
  auxv: Auxv;
  /** First address after the program's highest segment, page aligned. */
  brkStart: bigint;
  /** The program's PT_INTERP path. */
  interpreter: string | null;
}

/** Computes where every PT_LOAD goes and the auxv a loader passes to the new process. */
export function loadPlan(program: Elf, interpreter?: Elf | null, options?: PlanOptions): LoadPlan {
  const programHandle = nativeHandleOf(program);
  const interpHandle = interpreter == null ? null : nativeHandleOf(interpreter);
  const plan = callNative(() => native().loadPlan(programHandle, interpHandle, options ?? null));
  return {
    mappings: plan.mappings.map((m) => ({
      object: m.object === "interpreter" ? "interpreter" : "program",
      addr: m.addr,
      len: m.len,
      prot: m.prot,
      fileOffset: m.fileOffset ?? null,
      fileLen: m.fileLen,
      zeroFrom: m.zeroFrom ?? null,
    })),
    entry: plan.entry,
    auxv: { ...plan.auxv },
    brkStart: plan.brkStart,
    interpreter: plan.interpreter ?? null,
  };
}
