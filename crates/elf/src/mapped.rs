//! An ELF file that owns its bytes: a read-only memory map of a file, or a vector.

use std::fs::File;
use std::path::Path;

use crate::error::{ElfError, ElfErrorKind};
use crate::read::{ElfFile, FileHeader, ProgramHeader};

#[derive(Debug)]
enum Storage {
    Map(memmap2::Mmap),
    Vec(Vec<u8>),
}

impl Storage {
    fn bytes(&self) -> &[u8] {
        match self {
            Storage::Map(map) => map,
            Storage::Vec(vec) => vec,
        }
    }
}

/// An ELF file whose header and program headers were validated when it was opened, so
/// [`MappedElf::elf`] is cheap. `Send + Sync`: the bytes are never written.
#[derive(Debug)]
pub struct MappedElf {
    storage: Storage,
    header: FileHeader,
    phdrs: Vec<ProgramHeader>,
}

impl MappedElf {
    /// Maps `path` read-only and parses its headers.
    pub fn open(path: &Path) -> Result<MappedElf, ElfError> {
        let shown = path.display();
        let file = File::open(path).map_err(|e| ElfError::io(&format!("open {shown}"), &e))?;
        let meta = file
            .metadata()
            .map_err(|e| ElfError::io(&format!("stat {shown}"), &e))?;
        if !meta.is_file() {
            return Err(ElfError::new(
                ElfErrorKind::Io,
                0,
                format!("{shown} is not a regular file"),
            ));
        }
        if meta.len() == 0 {
            // mmap of an empty file fails with EINVAL; report what is actually wrong.
            return Err(ElfError::truncated(0, format!("{shown} is empty")));
        }
        // SAFETY: the map is read-only and only ever read through bounds-checked slices of
        // its fixed length. The file can still change underneath us: if another process
        // writes it, later reads see the new bytes (a parse may then see inconsistent
        // values, which every accessor re-checks, so the worst case is a wrong answer or an
        // ElfError); if it truncates it, touching a page past the new end raises SIGBUS.
        // Callers must therefore not open files that are being rewritten in place (executables
        // and libraries are replaced by rename, which leaves our mapping intact).
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| ElfError::io(&format!("mmap {shown}"), &e))?;
        Self::from_storage(Storage::Map(map))
    }

    /// Takes ownership of bytes already in memory.
    pub fn from_vec(bytes: Vec<u8>) -> Result<MappedElf, ElfError> {
        Self::from_storage(Storage::Vec(bytes))
    }

    fn from_storage(storage: Storage) -> Result<MappedElf, ElfError> {
        let parsed = ElfFile::parse(storage.bytes())?;
        let header = parsed.header().clone();
        let phdrs = parsed.program_headers().to_vec();
        Ok(MappedElf {
            storage,
            header,
            phdrs,
        })
    }

    /// A view of the file; does not re-parse.
    pub fn elf(&self) -> ElfFile<'_> {
        ElfFile::from_parts(self.storage.bytes(), self.header.clone(), &self.phdrs)
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.storage.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn is_send_and_sync() {
        assert_send_sync::<MappedElf>();
    }

    #[test]
    fn open_errors_are_typed() {
        let e = MappedElf::open(Path::new("/nonexistent/junction-elf")).unwrap_err();
        assert_eq!(e.kind, ElfErrorKind::Io);
        let e = MappedElf::open(Path::new("/")).unwrap_err();
        assert_eq!(e.kind, ElfErrorKind::Io);
        let e = MappedElf::from_vec(b"#!/bin/sh\n".to_vec()).unwrap_err();
        assert_eq!(e.kind, ElfErrorKind::BadMagic);
    }

    #[test]
    fn open_matches_parse() {
        let path = Path::new("/proc/self/exe");
        let bytes = std::fs::read(path).unwrap();
        let mapped = MappedElf::open(path).unwrap();
        let parsed = ElfFile::parse(&bytes).unwrap();
        assert_eq!(mapped.elf().header(), parsed.header());
        assert_eq!(mapped.elf().program_headers(), parsed.program_headers());
        assert_eq!(mapped.bytes(), &bytes[..]);
    }
}
