//! The file header and the program header table: the only structures `parse` reads.

#[allow(unused_imports)]
use crate::prelude::*;

use object::elf::{FileHeader64, ProgramHeader64, SectionHeader64};

use super::{pod_at, pods_at, Le};
use crate::error::{ElfError, ElfErrorKind};

pub(crate) const EHDR_SIZE: u64 = 64;
pub(crate) const PHDR_SIZE: u64 = 56;
pub(crate) const SHDR_SIZE: u64 = 64;

// Offsets of file header fields, to blame the right byte in errors.
const OFF_CLASS: u64 = 4;
const OFF_DATA: u64 = 5;
const OFF_PHENTSIZE: u64 = 54;
const OFF_SHENTSIZE: u64 = 58;

/// The ELF64 file header with the extended numbering (`PN_XNUM`, `e_shnum == 0`,
/// `SHN_XINDEX`) already resolved from section header 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHeader {
    pub class: u8,
    pub data: u8,
    pub osabi: u8,
    pub abi_version: u8,
    pub e_type: u16,
    pub e_machine: u16,
    pub e_version: u32,
    pub e_entry: u64,
    pub e_phoff: u64,
    pub e_shoff: u64,
    pub e_flags: u32,
    pub e_ehsize: u16,
    pub e_phentsize: u16,
    /// Resolved: when the raw field is `PN_XNUM`, section 0's `sh_info`.
    pub e_phnum: u32,
    pub e_shentsize: u16,
    /// Resolved: when the raw field is 0 and there is a section table, section 0's `sh_size`.
    pub e_shnum: u64,
    /// Resolved: when the raw field is `SHN_XINDEX`, section 0's `sh_link`.
    pub e_shstrndx: u32,
}

/// One program header, in host form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramHeader {
    pub p_type: u32,
    pub p_flags: u32,
    pub p_offset: u64,
    pub p_vaddr: u64,
    pub p_paddr: u64,
    pub p_filesz: u64,
    pub p_memsz: u64,
    pub p_align: u64,
}

impl ProgramHeader {
    fn from_raw(raw: &ProgramHeader64<Le>) -> Self {
        let e = Le::default();
        ProgramHeader {
            p_type: raw.p_type.get(e).0,
            p_flags: raw.p_flags.get(e).0,
            p_offset: raw.p_offset.get(e),
            p_vaddr: raw.p_vaddr.get(e),
            p_paddr: raw.p_paddr.get(e),
            p_filesz: raw.p_filesz.get(e),
            p_memsz: raw.p_memsz.get(e),
            p_align: raw.p_align.get(e),
        }
    }
}

/// Validates the identification bytes and reads the file header and program header table.
pub(crate) fn parse(data: &[u8]) -> Result<(FileHeader, Vec<ProgramHeader>), ElfError> {
    check_ident(data)?;
    let raw: &FileHeader64<Le> = pod_at(data, 0, "ELF file header")?;
    let e = Le::default();

    let raw_phnum = raw.e_phnum.get(e);
    let raw_shnum = raw.e_shnum.get(e);
    let raw_shstrndx = raw.e_shstrndx.get(e).0;
    let e_shoff = raw.e_shoff.get(e);
    let e_shentsize = raw.e_shentsize.get(e);

    // Extended numbering keeps the real counts in section header 0; read it only when needed
    // so that a file with a broken section table still parses.
    let needs_section0 = raw_phnum == object::elf::PN_XNUM
        || (raw_shnum == 0 && e_shoff != 0)
        || raw_shstrndx == object::elf::SHN_XINDEX.0;
    let section0 = if needs_section0 {
        Some(read_section0(data, e_shoff, e_shentsize)?)
    } else {
        None
    };

    let e_phnum = match section0 {
        Some(s0) if raw_phnum == object::elf::PN_XNUM => s0.sh_info.get(e),
        _ => u32::from(raw_phnum),
    };
    let e_shnum = match section0 {
        Some(s0) if raw_shnum == 0 => s0.sh_size.get(e),
        _ => u64::from(raw_shnum),
    };
    let e_shstrndx = match section0 {
        Some(s0) if raw_shstrndx == object::elf::SHN_XINDEX.0 => s0.sh_link.get(e),
        _ => u32::from(raw_shstrndx),
    };

    let header = FileHeader {
        class: raw.e_ident.class.0,
        data: raw.e_ident.data.0,
        osabi: raw.e_ident.os_abi.0,
        abi_version: raw.e_ident.abi_version,
        e_type: raw.e_type.get(e).0,
        e_machine: raw.e_machine.get(e).0,
        e_version: raw.e_version.get(e),
        e_entry: raw.e_entry.get(e),
        e_phoff: raw.e_phoff.get(e),
        e_shoff,
        e_flags: raw.e_flags.get(e).0,
        e_ehsize: raw.e_ehsize.get(e),
        e_phentsize: raw.e_phentsize.get(e),
        e_phnum,
        e_shentsize,
        e_shnum,
        e_shstrndx,
    };

    let phdrs = if e_phnum == 0 {
        Vec::new()
    } else {
        if u64::from(header.e_phentsize) != PHDR_SIZE {
            return Err(ElfError::malformed(
                OFF_PHENTSIZE,
                format!(
                    "e_phentsize is {}, expected {PHDR_SIZE}",
                    header.e_phentsize
                ),
            ));
        }
        // `pods_at` checks the whole table against the file before we allocate for it.
        let raw_phdrs: &[ProgramHeader64<Le>] = pods_at(
            data,
            header.e_phoff,
            u64::from(e_phnum),
            "program header table",
        )?;
        raw_phdrs.iter().map(ProgramHeader::from_raw).collect()
    };
    Ok((header, phdrs))
}

fn check_ident(data: &[u8]) -> Result<(), ElfError> {
    let magic = object::elf::ELFMAG;
    let have = data.get(..magic.len()).unwrap_or(data);
    if magic.get(..have.len()) != Some(have) {
        return Err(ElfError::new(
            ElfErrorKind::BadMagic,
            0,
            "not an ELF file (bad magic)",
        ));
    }
    if let Some(&class) = data.get(4) {
        if class != object::elf::ELFCLASS64.0 {
            return Err(ElfError::unsupported(
                OFF_CLASS,
                format!("ELF class {class} is not supported (only ELFCLASS64)"),
            ));
        }
    }
    if let Some(&encoding) = data.get(5) {
        if encoding != object::elf::ELFDATA2LSB.0 {
            return Err(ElfError::unsupported(
                OFF_DATA,
                format!("ELF data encoding {encoding} is not supported (only little-endian)"),
            ));
        }
    }
    if (data.len() as u64) < EHDR_SIZE {
        return Err(ElfError::truncated(
            0,
            format!(
                "file is {} bytes, shorter than the 64-byte ELF64 header",
                data.len()
            ),
        ));
    }
    Ok(())
}

fn read_section0(
    data: &[u8],
    e_shoff: u64,
    e_shentsize: u16,
) -> Result<&SectionHeader64<Le>, ElfError> {
    if e_shoff == 0 {
        return Err(ElfError::malformed(
            0,
            "extended numbering (PN_XNUM or SHN_XINDEX) is used but there is no section table",
        ));
    }
    if u64::from(e_shentsize) != SHDR_SIZE {
        return Err(ElfError::malformed(
            OFF_SHENTSIZE,
            format!("e_shentsize is {e_shentsize}, expected {SHDR_SIZE}"),
        ));
    }
    pod_at(data, e_shoff, "section header 0 (extended numbering)")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal 64-byte x86-64 ET_EXEC header with no tables.
    fn bare_header() -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2; // ELFCLASS64
        h[5] = 1; // little-endian
        h[6] = 1; // EV_CURRENT
        h[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        h[18..20].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
        h[20..24].copy_from_slice(&1u32.to_le_bytes());
        h[52..54].copy_from_slice(&64u16.to_le_bytes());
        h
    }

    fn kind_and_offset(data: &[u8]) -> (ElfErrorKind, u64) {
        let e = parse(data).unwrap_err();
        (e.kind, e.offset)
    }

    #[test]
    fn identification_errors_are_typed() {
        assert_eq!(kind_and_offset(b""), (ElfErrorKind::Truncated, 0));
        assert_eq!(kind_and_offset(b"\x7fEL"), (ElfErrorKind::Truncated, 0));
        assert_eq!(kind_and_offset(b"MZ\x90\0"), (ElfErrorKind::BadMagic, 0));
        let mut h = bare_header();
        h[4] = 1;
        assert_eq!(kind_and_offset(&h), (ElfErrorKind::Unsupported, 4));
        let mut h = bare_header();
        h[5] = 2;
        assert_eq!(kind_and_offset(&h), (ElfErrorKind::Unsupported, 5));
        assert_eq!(
            kind_and_offset(&bare_header()[..63]),
            (ElfErrorKind::Truncated, 0)
        );
    }

    #[test]
    fn bare_header_parses() {
        let (h, phdrs) = parse(&bare_header()).unwrap();
        assert_eq!((h.e_type, h.e_machine, h.e_phnum, h.e_shnum), (2, 62, 0, 0));
        assert!(phdrs.is_empty());
    }

    #[test]
    fn program_header_table_is_bounds_checked() {
        let mut h = bare_header();
        h[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        h[54..56].copy_from_slice(&56u16.to_le_bytes());
        h[56..58].copy_from_slice(&1u16.to_le_bytes());
        assert_eq!(kind_and_offset(&h), (ElfErrorKind::Truncated, 64));
        h.resize(64 + 56, 0);
        assert_eq!(parse(&h).unwrap().1.len(), 1);
        h[54..56].copy_from_slice(&32u16.to_le_bytes());
        assert_eq!(kind_and_offset(&h), (ElfErrorKind::Malformed, 54));
    }

    #[test]
    fn extended_numbering_comes_from_section_zero() {
        let mut h = bare_header();
        h[32..40].copy_from_slice(&128u64.to_le_bytes()); // e_phoff (after section 0)
        h[40..48].copy_from_slice(&64u64.to_le_bytes()); // e_shoff
        h[54..56].copy_from_slice(&56u16.to_le_bytes());
        h[56..58].copy_from_slice(&0xffffu16.to_le_bytes()); // PN_XNUM
        h[58..60].copy_from_slice(&64u16.to_le_bytes());
        h[60..62].copy_from_slice(&0u16.to_le_bytes()); // e_shnum in sh_size
        h[62..64].copy_from_slice(&0xffffu16.to_le_bytes()); // SHN_XINDEX
        let mut s0 = vec![0u8; 64];
        s0[32..40].copy_from_slice(&70_000u64.to_le_bytes()); // sh_size
        s0[40..44].copy_from_slice(&65_538u32.to_le_bytes()); // sh_link
        s0[44..48].copy_from_slice(&2u32.to_le_bytes()); // sh_info
        h.extend_from_slice(&s0);
        h.extend_from_slice(&[0u8; 2 * 56]);
        let (hdr, phdrs) = parse(&h).unwrap();
        assert_eq!(
            (hdr.e_phnum, hdr.e_shnum, hdr.e_shstrndx),
            (2, 70_000, 65_538)
        );
        assert_eq!(phdrs.len(), 2);
        // A hostile sh_info must not allocate: the table is checked against the file first.
        h[64 + 44..64 + 48].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(kind_and_offset(&h), (ElfErrorKind::Truncated, 128));
        // Extended numbering without a section table.
        h[40..48].copy_from_slice(&0u64.to_le_bytes());
        assert_eq!(kind_and_offset(&h), (ElfErrorKind::Malformed, 0));
    }
}
