//! The `PT_DYNAMIC` array, with string-valued entries resolved.

#[allow(unused_imports)]
use crate::prelude::*;

use object::elf::Dyn64;

use super::{pods_at, range, string_at, ElfFile, Le};
use crate::error::ElfError;

const DYN_SIZE: u64 = 16;

/// One dynamic entry. `string` is set for `DT_NEEDED`, `DT_SONAME`, `DT_RPATH` and
/// `DT_RUNPATH`, whose value is an offset into the `DT_STRTAB` string table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicEntry {
    pub tag: i64,
    pub value: u64,
    pub string: Option<String>,
}

fn is_string_tag(tag: i64) -> bool {
    use object::elf::{DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME};
    [DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH]
        .iter()
        .any(|t| t.0 == tag)
}

impl ElfFile<'_> {
    /// The entries of the first `PT_DYNAMIC` segment, up to but not including `DT_NULL` (all of
    /// them if there is no `DT_NULL`); empty without `PT_DYNAMIC`.
    pub fn dynamic(&self) -> Result<Vec<DynamicEntry>, ElfError> {
        let Some(ph) = self
            .program_headers()
            .iter()
            .find(|ph| ph.p_type == object::elf::PT_DYNAMIC.0)
        else {
            return Ok(Vec::new());
        };
        let e = Le::default();
        let raw: &[Dyn64<Le>] = pods_at(
            self.data(),
            ph.p_offset,
            ph.p_filesz / DYN_SIZE,
            "PT_DYNAMIC segment",
        )?;
        let end = raw
            .iter()
            .position(|d| d.d_tag.get(e) == object::elf::DT_NULL)
            .unwrap_or(raw.len());
        let raw = raw.get(..end).unwrap_or_default();

        let value_of = |tag: object::elf::DynamicTag| {
            raw.iter()
                .find(|d| d.d_tag.get(e) == tag)
                .map(|d| d.d_val.get(e))
        };
        let needs_strings = raw.iter().any(|d| is_string_tag(d.d_tag.get(e).0));
        let strtab = if needs_strings {
            Some(self.dynamic_strtab(
                value_of(object::elf::DT_STRTAB),
                value_of(object::elf::DT_STRSZ),
                ph.p_offset,
            )?)
        } else {
            None
        };

        let mut out = Vec::with_capacity(raw.len());
        for (i, d) in raw.iter().enumerate() {
            let tag = d.d_tag.get(e).0;
            let value = d.d_val.get(e);
            let string = match strtab {
                Some((table, table_offset)) if is_string_tag(tag) => {
                    let at = ph
                        .p_offset
                        .saturating_add((i as u64).saturating_mul(DYN_SIZE));
                    let index = u32::try_from(value).map_err(|_| {
                        ElfError::malformed(
                            at,
                            format!("dynamic string offset {value:#x} is too large"),
                        )
                    })?;
                    Some(string_at(table, table_offset, index, at, "dynamic string")?)
                }
                _ => None,
            };
            out.push(DynamicEntry { tag, value, string });
        }
        Ok(out)
    }

    /// The dynamic string table: `DT_STRTAB` is a virtual address, found in the file through
    /// the `PT_LOAD` that contains it and bounded by `DT_STRSZ` and that segment's file bytes.
    fn dynamic_strtab(
        &self,
        strtab: Option<u64>,
        strsz: Option<u64>,
        dynamic_offset: u64,
    ) -> Result<(&[u8], u64), ElfError> {
        let Some(vaddr) = strtab else {
            return Err(ElfError::malformed(
                dynamic_offset,
                "dynamic section has string entries but no DT_STRTAB",
            ));
        };
        let Some((offset, avail)) = self.vaddr_to_offset(vaddr) else {
            return Err(ElfError::malformed(
                dynamic_offset,
                format!("DT_STRTAB {vaddr:#x} is not inside any PT_LOAD file bytes"),
            ));
        };
        let size = strsz.map_or(avail, |s| s.min(avail));
        Ok((
            range(self.data(), offset, size, "dynamic string table")?,
            offset,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ElfErrorKind;
    use crate::write::{write_elf, NoteSpec, SectionSpec, SegmentSpec, WriteSpec};

    const STRTAB_VADDR: u64 = 0x40_0000;

    /// A PT_LOAD holding "\0libc.so.6\0libfoo.so\0" at STRTAB_VADDR, and the single note's
    /// PT_NOTE turned into a PT_DYNAMIC over a section holding `entries`.
    fn file(entries: &[(i64, u64)]) -> Vec<u8> {
        let dynamic: Vec<u8> = entries
            .iter()
            .flat_map(|&(t, v)| t.to_le_bytes().into_iter().chain(v.to_le_bytes()))
            .collect();
        let spec = WriteSpec {
            segments: vec![SegmentSpec {
                vaddr: STRTAB_VADDR,
                mem_size: 0x1000,
                flags: 4,
                data: b"\0libc.so.6\0libfoo.so\0".to_vec(),
            }],
            notes: vec![NoteSpec {
                name: "X".into(),
                n_type: 1,
                desc: vec![],
            }],
            sections: vec![SectionSpec {
                name: ".dynamic".into(),
                sh_type: 6,
                sh_flags: 0,
                align: 8,
                data: dynamic,
            }],
            ..WriteSpec::default()
        };
        let mut bytes = write_elf(&spec).unwrap();
        let section = ElfFile::parse(&bytes).unwrap().section_headers().unwrap()[1].clone();
        let phdr = 64 + 56; // the PT_NOTE follows the one PT_LOAD
        bytes[phdr..phdr + 4].copy_from_slice(&2u32.to_le_bytes());
        bytes[phdr + 8..phdr + 16].copy_from_slice(&section.sh_offset.to_le_bytes());
        bytes[phdr + 32..phdr + 40].copy_from_slice(&section.sh_size.to_le_bytes());
        bytes
    }

    fn dynamic_of(bytes: &[u8]) -> Result<Vec<DynamicEntry>, ElfError> {
        ElfFile::parse(bytes).unwrap().dynamic()
    }

    #[test]
    fn resolves_strings_and_stops_at_null() {
        let bytes = file(&[
            (1, 1),
            (1, 11),
            (14, 11),
            (5, STRTAB_VADDR),
            (10, 21),
            (0, 0),
            (1, 1),
        ]);
        let entries = dynamic_of(&bytes).unwrap();
        let strings: Vec<_> = entries
            .iter()
            .map(|e| (e.tag, e.string.as_deref()))
            .collect();
        assert_eq!(
            strings,
            [
                (1, Some("libc.so.6")),
                (1, Some("libfoo.so")),
                (14, Some("libfoo.so")),
                (5, None),
                (10, None)
            ]
        );
        // Without string entries no string table is needed.
        assert_eq!(dynamic_of(&file(&[(12, 0x1234), (0, 0)])).unwrap().len(), 1);
    }

    #[test]
    fn unresolvable_strings_are_errors() {
        let kind = |entries: &[(i64, u64)]| dynamic_of(&file(entries)).unwrap_err().kind;
        assert_eq!(
            kind(&[(1, 1), (0, 0)]),
            ElfErrorKind::Malformed,
            "no DT_STRTAB"
        );
        assert_eq!(
            kind(&[(1, 1), (5, 0x9000_0000), (0, 0)]),
            ElfErrorKind::Malformed,
            "DT_STRTAB unmapped"
        );
        assert_eq!(
            kind(&[(1, 30), (5, STRTAB_VADDR), (0, 0)]),
            ElfErrorKind::Malformed,
            "index past DT_STRSZ"
        );
        assert_eq!(
            kind(&[(1, 1), (5, STRTAB_VADDR), (10, 5), (0, 0)]),
            ElfErrorKind::Malformed,
            "no NUL in DT_STRSZ"
        );
        assert_eq!(
            kind(&[(1, 1 << 33), (5, STRTAB_VADDR), (0, 0)]),
            ElfErrorKind::Malformed,
            "huge index"
        );
    }
}
