// The README is the crate documentation, so its examples are compiled as doctests.
#![doc = include_str!("../README.md")]
#![deny(unsafe_code)]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod prelude;

mod error;
#[cfg(feature = "std")]
mod mapped;
mod plan;
mod read;
#[cfg(feature = "std")]
mod write;

pub use error::{ElfError, ElfErrorKind};
#[cfg(feature = "std")]
pub use mapped::MappedElf;
pub use plan::{load_plan, Auxv, LoadPlan, MappedObject, Mapping, PlanOptions};
pub use read::{
    DynamicEntry, ElfFile, FileHeader, Note, ProgramHeader, SectionHeader, Symbol, SymbolTableKind,
};
#[cfg(feature = "std")]
pub use write::{
    write_elf, write_elf_file, write_elf_to, NoteSpec, SectionSpec, SegmentSpec, WriteSpec,
};
