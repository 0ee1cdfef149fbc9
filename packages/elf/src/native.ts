import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type {
  DynamicEntry,
  ElfSymbol,
  FileHeader,
  Note,
  ProgramHeader,
  SectionHeader,
} from "./types.js";

// The shapes below mirror native/src/*.rs. They are written out by hand (instead of importing
// the generated native/index.d.ts) so that type-checking does not depend on build output;
// test/native-shape.test.ts checks them against the generated declarations.

export interface NativeElfHandle {
  header(): FileHeader;
  programHeaders(): ProgramHeader[];
  sectionHeaders(): SectionHeader[];
  interpreter(): string | null;
  symbolsSync(kind: string): ElfSymbol[];
  symbols(kind: string): Promise<ElfSymbol[]>;
  symbolCount(kind: string): number;
  notes(): Note[];
  buildId(): string | null;
  dynamic(): DynamicEntry[];
}

export interface NativeSegmentSpec {
  vaddr: bigint;
  memSize: bigint;
  flags: number;
  data: Uint8Array;
}

export interface NativeNoteSpec {
  name: string;
  nType: number;
  desc: Uint8Array;
}

export interface NativeSectionSpec {
  name: string;
  shType: number;
  shFlags: bigint;
  align: bigint;
  data: Uint8Array;
}

export interface NativeWriteSpec {
  eType: number;
  eMachine: number;
  entry: bigint;
  pageSize: bigint;
  segments: NativeSegmentSpec[];
  notes: NativeNoteSpec[];
  sections: NativeSectionSpec[];
}

export interface NativePlanOptions {
  base?: bigint | null;
  interpBase?: bigint | null;
  pageSize?: bigint | null;
}

export interface NativeMapping {
  object: string;
  addr: bigint;
  len: bigint;
  prot: number;
  fileOffset: bigint | null;
  fileLen: bigint;
  zeroFrom: bigint | null;
}

export interface NativeLoadPlan {
  mappings: NativeMapping[];
  entry: bigint;
  auxv: { atPhdr: bigint; atPhent: bigint; atPhnum: bigint; atEntry: bigint; atBase: bigint };
  brkStart: bigint;
  interpreter: string | null;
}

export interface NativeBinding {
  openElfSync(path: string): NativeElfHandle;
  openElf(path: string): Promise<NativeElfHandle>;
  parseElf(bytes: Uint8Array): NativeElfHandle;
  writeElfSync(spec: NativeWriteSpec): Uint8Array;
  writeElf(spec: NativeWriteSpec): Promise<Uint8Array>;
  writeElfFileSync(spec: NativeWriteSpec, path: string): bigint;
  writeElfFile(spec: NativeWriteSpec, path: string): Promise<bigint>;
  loadPlan(
    program: NativeElfHandle,
    interpreter: NativeElfHandle | null | undefined,
    options?: NativePlanOptions | null,
  ): NativeLoadPlan;
  defaultPlanOptions(): NativePlanOptions;
}

/** napi-rs names its output `<binaryName>.<platform>-<arch>[-<abi>].node`. */
const ADDONS: Readonly<Record<string, string>> = {
  "linux-x64": "elf.linux-x64-gnu.node",
  "linux-arm64": "elf.linux-arm64-gnu.node",
};

let cached: NativeBinding | undefined;

/**
 * Loads the addon on first use, so that importing the package (for its constants and types)
 * works even where the addon is unavailable.
 */
export function native(): NativeBinding {
  if (cached !== undefined) return cached;
  const platform = `${process.platform}-${process.arch}`;
  const file = ADDONS[platform];
  if (file === undefined) {
    throw new Error(
      `@junction/elf: no native addon for ${platform}; supported: ${Object.keys(ADDONS).join(", ")}`,
    );
  }
  // `../native/` is right from both src/ (tests) and dist/ (the bundle).
  const url = new URL(`../native/${file}`, import.meta.url);
  if (!existsSync(url)) {
    throw new Error(
      `@junction/elf: the native addon ${fileURLToPath(url)} is missing; run \`npm run build\` in packages/elf`,
    );
  }
  const require = createRequire(import.meta.url);
  cached = require(fileURLToPath(url)) as NativeBinding;
  return cached;
}
