/** ELF file header (e_* fields; the first four come from e_ident). */
export interface FileHeader {
  /** EI_CLASS: 1 = ELF32, 2 = ELF64. */
  class: number;
  /** EI_DATA: 1 = little endian, 2 = big endian. */
  data: number;
  osabi: number;
  abiVersion: number;
  eType: number;
  eMachine: number;
  eVersion: number;
  eEntry: bigint;
  ePhoff: bigint;
  eShoff: bigint;
  eFlags: number;
  eEhsize: number;
  ePhentsize: number;
  /** Resolved through section 0 when the file uses extended numbering (PN_XNUM). */
  ePhnum: number;
  eShentsize: number;
  /** Resolved through section 0 when the file uses extended numbering. */
  eShnum: bigint;
  eShstrndx: number;
}

export interface ProgramHeader {
  pType: number;
  /** PF_R | PF_W | PF_X bits. */
  pFlags: number;
  pOffset: bigint;
  pVaddr: bigint;
  pPaddr: bigint;
  pFilesz: bigint;
  pMemsz: bigint;
  pAlign: bigint;
}

export interface SectionHeader {
  /** Resolved from the section header string table. */
  name: string;
  shName: number;
  shType: number;
  shFlags: bigint;
  shAddr: bigint;
  shOffset: bigint;
  shSize: bigint;
  shLink: number;
  shInfo: number;
  shAddralign: bigint;
  shEntsize: bigint;
}

export type SymbolTableKind = "symtab" | "dynsym";

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  /** STT_* */
  kind: number;
  /** STB_* */
  binding: number;
  /** STV_* */
  visibility: number;
  shndx: number;
}

export interface Note {
  name: string;
  nType: number;
  desc: Uint8Array;
}

export interface DynamicEntry {
  /** d_tag (signed). */
  tag: bigint;
  value: bigint;
  /** The string for DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH entries. */
  string: string | null;
}
