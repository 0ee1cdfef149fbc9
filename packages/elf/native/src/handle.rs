//! `ElfHandle` owns one mapped (or copied) ELF image behind an `Arc`, so the async tasks can
//! take a cheap clone to a worker thread while JS keeps using the handle.

use std::sync::Arc;

use junction_elf::{MappedElf, SymbolTableKind};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::convert::{DynamicEntry, ElfSymbol, FileHeader, Note, ProgramHeader, SectionHeader};
use crate::error::{invalid_spec, map};

#[napi]
pub struct ElfHandle {
    inner: Arc<MappedElf>,
}

// Manual impls: only the shape is useful in a debug print, and the core types need not be Debug.
impl std::fmt::Debug for ElfHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ElfHandle").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SymbolsTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SymbolsTask").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for OpenTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenTask")
            .field("path", &self.path)
            .finish()
    }
}

impl ElfHandle {
    pub fn new(inner: MappedElf) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    pub fn mapped(&self) -> &MappedElf {
        &self.inner
    }
}

fn table_kind(kind: &str) -> napi::Result<SymbolTableKind> {
    match kind {
        "symtab" => Ok(SymbolTableKind::Symtab),
        "dynsym" => Ok(SymbolTableKind::Dynsym),
        other => Err(invalid_spec(format!(
            "unknown symbol table {other:?} (expected \"symtab\" or \"dynsym\")"
        ))),
    }
}

#[napi]
impl ElfHandle {
    #[napi]
    pub fn header(&self) -> FileHeader {
        FileHeader::from(self.inner.elf().header())
    }

    #[napi]
    pub fn program_headers(&self) -> Vec<ProgramHeader> {
        self.inner
            .elf()
            .program_headers()
            .iter()
            .map(ProgramHeader::from)
            .collect()
    }

    #[napi]
    pub fn section_headers(&self) -> napi::Result<Vec<SectionHeader>> {
        let sections = map(self.inner.elf().section_headers())?;
        Ok(sections.into_iter().map(SectionHeader::from).collect())
    }

    #[napi]
    pub fn interpreter(&self) -> napi::Result<Option<String>> {
        map(self.inner.elf().interpreter())
    }

    #[napi]
    pub fn symbols_sync(&self, kind: String) -> napi::Result<Vec<ElfSymbol>> {
        let symbols = map(self.inner.elf().symbols(table_kind(&kind)?))?;
        Ok(symbols.into_iter().map(ElfSymbol::from).collect())
    }

    /// Reading a large symbol table (name lookups for every entry) runs on the libuv pool;
    /// only the final conversion into JS objects happens on the JS thread.
    #[napi(ts_return_type = "Promise<Array<ElfSymbol>>")]
    pub fn symbols(&self, kind: String) -> napi::Result<AsyncTask<SymbolsTask>> {
        Ok(AsyncTask::new(SymbolsTask {
            elf: Arc::clone(&self.inner),
            kind: table_kind(&kind)?,
        }))
    }

    #[napi]
    pub fn symbol_count(&self, kind: String) -> napi::Result<u32> {
        let n = map(self.inner.elf().symbol_count(table_kind(&kind)?))?;
        // A count above u32::MAX would need a >100 GiB table; refuse rather than truncate.
        u32::try_from(n).map_err(|_| invalid_spec("symbol count does not fit in 32 bits"))
    }

    #[napi]
    pub fn notes(&self) -> napi::Result<Vec<Note>> {
        let notes = map(self.inner.elf().notes())?;
        Ok(notes.into_iter().map(Note::from).collect())
    }

    /// The NT_GNU_BUILD_ID descriptor as lowercase hex, the form `file` and debuginfod use.
    #[napi]
    pub fn build_id(&self) -> napi::Result<Option<String>> {
        let id = map(self.inner.elf().build_id())?;
        Ok(id.map(|bytes| {
            let mut hex = String::with_capacity(bytes.len() * 2);
            for b in bytes {
                hex.push_str(&format!("{b:02x}"));
            }
            hex
        }))
    }

    #[napi]
    pub fn dynamic(&self) -> napi::Result<Vec<DynamicEntry>> {
        let entries = map(self.inner.elf().dynamic())?;
        Ok(entries.into_iter().map(DynamicEntry::from).collect())
    }
}

pub struct SymbolsTask {
    elf: Arc<MappedElf>,
    kind: SymbolTableKind,
}

impl Task for SymbolsTask {
    type Output = Vec<junction_elf::Symbol>;
    type JsValue = Vec<ElfSymbol>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        map(self.elf.elf().symbols(self.kind))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output.into_iter().map(ElfSymbol::from).collect())
    }
}

pub struct OpenTask {
    pub path: String,
}

impl Task for OpenTask {
    type Output = MappedElf;
    type JsValue = ElfHandle;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        crate::open_impl(&self.path)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(ElfHandle::new(output))
    }
}
