// Numeric constants from the System V gABI and the GNU extensions, with readelf-style names so
// that output can be compared with binutils directly.

/** e_type */
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

/** e_machine (the two this project targets) */
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

/** p_type */
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_SHLIB = 5;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_EH_FRAME = 0x6474e550;
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;
export const PT_GNU_PROPERTY = 0x6474e553;
export const PT_GNU_SFRAME = 0x6474e554;

/** p_flags */
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** sh_type */
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;

/** sh_flags (bigint because sh_flags is 64 bits wide) */
export const SHF_WRITE = 0x1n;
export const SHF_ALLOC = 0x2n;
export const SHF_EXECINSTR = 0x4n;

/** Symbol type (st_info low nibble) */
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;

/** Symbol binding (st_info high nibble) */
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

/** Symbol visibility (st_other low bits) */
export const STV_DEFAULT = 0;
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;
export const STV_PROTECTED = 3;

/** Note types */
export const NT_GNU_ABI_TAG = 1;
export const NT_GNU_BUILD_ID = 3;
export const NT_GNU_PROPERTY_TYPE_0 = 5;

/** d_tag (bigint because d_tag is a signed 64-bit field) */
export const DT_NULL = 0n;
export const DT_NEEDED = 1n;
export const DT_STRTAB = 5n;
export const DT_SYMTAB = 6n;
export const DT_SONAME = 14n;
export const DT_RPATH = 15n;
export const DT_RUNPATH = 29n;
export const DT_FLAGS_1 = 0x6ffffffbn;

/** Mapping protections in a load plan (the mmap PROT_* bits). */
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

const ELF_TYPE_NAMES: Readonly<Record<number, string>> = {
  [ET_NONE]: "NONE",
  [ET_REL]: "REL",
  [ET_EXEC]: "EXEC",
  [ET_DYN]: "DYN",
  [ET_CORE]: "CORE",
};

/** readelf's short name for an e_type ("EXEC", "DYN", ...), or a hex fallback. */
export function elfTypeName(eType: number): string {
  return ELF_TYPE_NAMES[eType] ?? `0x${eType.toString(16)}`;
}

const PROGRAM_HEADER_TYPE_NAMES: Readonly<Record<number, string>> = {
  [PT_NULL]: "NULL",
  [PT_LOAD]: "LOAD",
  [PT_DYNAMIC]: "DYNAMIC",
  [PT_INTERP]: "INTERP",
  [PT_NOTE]: "NOTE",
  [PT_SHLIB]: "SHLIB",
  [PT_PHDR]: "PHDR",
  [PT_TLS]: "TLS",
  [PT_GNU_EH_FRAME]: "GNU_EH_FRAME",
  [PT_GNU_STACK]: "GNU_STACK",
  [PT_GNU_RELRO]: "GNU_RELRO",
  [PT_GNU_PROPERTY]: "GNU_PROPERTY",
  [PT_GNU_SFRAME]: "GNU_SFRAME",
};

/** Inverse of `programHeaderTypeName` for the named types. */
export const PROGRAM_HEADER_TYPES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(PROGRAM_HEADER_TYPE_NAMES).map(([n, name]) => [name, Number(n)]),
);

/** readelf's name for a p_type ("LOAD", "GNU_STACK", ...), or a hex fallback. */
export function programHeaderTypeName(pType: number): string {
  return PROGRAM_HEADER_TYPE_NAMES[pType] ?? `0x${pType.toString(16)}`;
}

/** The readelf `Flg` column: R, W and E in fixed positions, blanks for clear bits. */
export function programHeaderFlagsString(pFlags: number): string {
  return `${pFlags & PF_R ? "R" : " "}${pFlags & PF_W ? "W" : " "}${pFlags & PF_X ? "E" : " "}`;
}
