//! The section header table and section names.

#[allow(unused_imports)]
use crate::prelude::*;

use object::elf::SectionHeader64;

use super::header::SHDR_SIZE;
use super::{pods_at, range, string_at, ElfFile, Le};
use crate::error::ElfError;

/// Offset of `e_shstrndx` in the file header.
const OFF_SHSTRNDX: u64 = 62;
const OFF_SHENTSIZE: u64 = 58;

/// One section header with its name looked up in the section header string table
/// (empty when the file has no such table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionHeader {
    pub name: String,
    pub sh_name: u32,
    pub sh_type: u32,
    pub sh_flags: u64,
    pub sh_addr: u64,
    pub sh_offset: u64,
    pub sh_size: u64,
    pub sh_link: u32,
    pub sh_info: u32,
    pub sh_addralign: u64,
    pub sh_entsize: u64,
}

impl<'data> ElfFile<'data> {
    /// The raw section header table, borrowed from the file (empty when there is none).
    pub(crate) fn raw_sections(&self) -> Result<&'data [SectionHeader64<Le>], ElfError> {
        let h = self.header();
        if h.e_shnum == 0 {
            return Ok(&[]);
        }
        if u64::from(h.e_shentsize) != SHDR_SIZE {
            return Err(ElfError::malformed(
                OFF_SHENTSIZE,
                format!("e_shentsize is {}, expected {SHDR_SIZE}", h.e_shentsize),
            ));
        }
        pods_at(self.data(), h.e_shoff, h.e_shnum, "section header table")
    }

    /// The file offset of section header `index`, for error messages.
    pub(crate) fn shdr_offset(&self, index: usize) -> u64 {
        let index = u64::try_from(index).unwrap_or(u64::MAX);
        self.header()
            .e_shoff
            .saturating_add(index.saturating_mul(SHDR_SIZE))
    }

    /// The file bytes of section `index` (which must not be `SHT_NOBITS`), e.g. a string table,
    /// and their file offset. `at` is blamed when the index itself is bad (where it was read).
    pub(crate) fn section_bytes(
        &self,
        index: u32,
        at: u64,
        what: &str,
    ) -> Result<(&'data [u8], u64), ElfError> {
        let sections = self.raw_sections()?;
        let Some(sh) = usize::try_from(index).ok().and_then(|i| sections.get(i)) else {
            return Err(ElfError::malformed(
                at,
                format!(
                    "{what}: section index {index} is outside the section table ({} entries)",
                    sections.len()
                ),
            ));
        };
        let e = Le::default();
        if sh.sh_type.get(e) == object::elf::SHT_NOBITS {
            let shdr = self.shdr_offset(usize::try_from(index).unwrap_or(usize::MAX));
            return Err(ElfError::malformed(
                shdr,
                format!("{what}: section {index} is SHT_NOBITS"),
            ));
        }
        let offset = sh.sh_offset.get(e);
        Ok((range(self.data(), offset, sh.sh_size.get(e), what)?, offset))
    }

    /// Every section header, with names resolved through `e_shstrndx`.
    pub fn section_headers(&self) -> Result<Vec<SectionHeader>, ElfError> {
        let sections = self.raw_sections()?;
        let shstrndx = self.header().e_shstrndx;
        let names = if shstrndx == 0 {
            None
        } else {
            if usize::try_from(shstrndx).map_or(true, |i| i >= sections.len()) {
                return Err(ElfError::malformed(
                    OFF_SHSTRNDX,
                    format!(
                        "e_shstrndx {shstrndx} is outside the section table ({} entries)",
                        sections.len()
                    ),
                ));
            }
            Some(self.section_bytes(shstrndx, OFF_SHSTRNDX, "section header string table")?)
        };
        let e = Le::default();
        // The table lies inside the file, so this allocation is bounded by the file size.
        let mut out = Vec::with_capacity(sections.len());
        for (i, sh) in sections.iter().enumerate() {
            let sh_name = sh.sh_name.get(e);
            let name = match names {
                Some((table, table_offset)) => string_at(
                    table,
                    table_offset,
                    sh_name,
                    self.shdr_offset(i),
                    "section name",
                )?,
                None => String::new(),
            };
            out.push(SectionHeader {
                name,
                sh_name,
                sh_type: sh.sh_type.get(e).0,
                sh_flags: sh.sh_flags.get(e).0,
                sh_addr: sh.sh_addr.get(e),
                sh_offset: sh.sh_offset.get(e),
                sh_size: sh.sh_size.get(e),
                sh_link: sh.sh_link.get(e),
                sh_info: sh.sh_info.get(e),
                sh_addralign: sh.sh_addralign.get(e),
                sh_entsize: sh.sh_entsize.get(e),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::error::ElfErrorKind;
    use crate::read::ElfFile;
    use crate::write::{write_elf, SectionSpec, WriteSpec};

    fn file() -> Vec<u8> {
        let s = SectionSpec {
            name: ".a".into(),
            sh_type: 1,
            sh_flags: 0,
            align: 1,
            data: vec![7; 5],
        };
        write_elf(&WriteSpec {
            sections: vec![s],
            ..WriteSpec::default()
        })
        .unwrap()
    }

    fn put(bytes: &mut [u8], at: usize, value: &[u8]) {
        bytes[at..at + value.len()].copy_from_slice(value);
    }

    fn shoff(bytes: &[u8]) -> usize {
        u64::from_le_bytes(bytes[40..48].try_into().unwrap()) as usize
    }

    fn err(bytes: &[u8]) -> (ElfErrorKind, u64) {
        let e = ElfFile::parse(bytes)
            .unwrap()
            .section_headers()
            .unwrap_err();
        (e.kind, e.offset)
    }

    #[test]
    fn names_come_from_shstrtab() {
        let bytes = file();
        let names: Vec<_> = ElfFile::parse(&bytes)
            .unwrap()
            .section_headers()
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["", ".a", ".shstrtab"]);
    }

    #[test]
    fn broken_tables_are_reported_where_they_are() {
        let mut b = file();
        put(&mut b, 62, &9u16.to_le_bytes()); // e_shstrndx past the table
        assert_eq!(err(&b), (ElfErrorKind::Malformed, 62));

        let mut b = file();
        put(&mut b, 58, &40u16.to_le_bytes()); // e_shentsize
        assert_eq!(err(&b), (ElfErrorKind::Malformed, 58));

        let mut b = file();
        let at = shoff(&b) + 64; // section 1's sh_name
        put(&mut b, at, &0xffffu32.to_le_bytes());
        assert_eq!(err(&b), (ElfErrorKind::Malformed, at as u64));

        let mut b = file();
        let len = b.len() as u64;
        put(&mut b, 40, &(len - 10).to_le_bytes()); // e_shoff near the end
        assert_eq!(err(&b), (ElfErrorKind::Truncated, len - 10));

        let mut b = file();
        let shstrtab = shoff(&b) + 2 * 64;
        put(&mut b, shstrtab + 4, &8u32.to_le_bytes()); // .shstrtab becomes SHT_NOBITS
        assert_eq!(err(&b), (ElfErrorKind::Malformed, shstrtab as u64));

        // A hostile section count is refused before anything is allocated.
        let mut b = file();
        put(&mut b, 60, &0u16.to_le_bytes());
        let s0 = shoff(&b);
        put(&mut b, s0 + 32, &(1u64 << 40).to_le_bytes()); // section 0 sh_size: 64 TiB of headers
        assert_eq!(err(&b).0, ElfErrorKind::Truncated);
    }
}
