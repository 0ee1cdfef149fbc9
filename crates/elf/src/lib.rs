// The README is the crate documentation, so its examples are compiled as doctests.
#![doc = include_str!("../README.md")]
#![deny(unsafe_code)]

mod error;
mod mapped;
mod plan;
mod read;
mod write;

pub use error::{ElfError, ElfErrorKind};
pub use mapped::MappedElf;
pub use plan::{load_plan, Auxv, LoadPlan, MappedObject, Mapping, PlanOptions};
pub use read::{
    DynamicEntry, ElfFile, FileHeader, Note, ProgramHeader, SectionHeader, Symbol, SymbolTableKind,
};
pub use write::{
    write_elf, write_elf_file, write_elf_to, NoteSpec, SectionSpec, SegmentSpec, WriteSpec,
};
