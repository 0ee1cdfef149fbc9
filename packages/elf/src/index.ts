// @junction/elf: ELF64 reading, snapshot-friendly writing and load plans, backed by the Rust
// crate `junction-elf` through a napi-rs addon.
export * from "./constants.js";
export { Elf, openElf, openElfSync, parseElf } from "./elf.js";
export { ElfError, type ElfErrorKind } from "./errors.js";
export {
  type Auxv,
  defaultPlanOptions,
  type LoadPlan,
  loadPlan,
  type MappedObject,
  type Mapping,
  type PlanOptions,
} from "./load-plan.js";
export type {
  DynamicEntry,
  ElfSymbol,
  FileHeader,
  Note,
  ProgramHeader,
  SectionHeader,
  SymbolTableKind,
} from "./types.js";
export {
  type NoteSpec,
  type SectionSpec,
  type SegmentSpec,
  type WriteSpec,
  writeElf,
  writeElfFile,
  writeElfFileSync,
  writeElfSync,
} from "./write.js";
