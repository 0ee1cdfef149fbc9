//! ELF notes from `PT_NOTE` segments (or, without any, `SHT_NOTE` sections).

#[allow(unused_imports)]
use crate::prelude::*;

use super::{align_up, range, ElfFile, Le};
use crate::error::ElfError;

const NOTE_HEADER_SIZE: u64 = 12;
/// Real files have a handful of notes (a core file a few per thread); a cap keeps a file
/// made of millions of empty notes from costing gigabytes of `Note` structs.
pub(crate) const MAX_NOTES: usize = 1 << 16;

/// One note. `name` is without its terminating NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub name: String,
    pub n_type: u32,
    pub desc: Vec<u8>,
}

impl ElfFile<'_> {
    /// The notes of every `PT_NOTE` segment in order; if there is no `PT_NOTE`, those of every
    /// `SHT_NOTE` section.
    pub fn notes(&self) -> Result<Vec<Note>, ElfError> {
        let mut out = Vec::new();
        let mut any_segment = false;
        for ph in self
            .program_headers()
            .iter()
            .filter(|ph| ph.p_type == object::elf::PT_NOTE.0)
        {
            any_segment = true;
            let bytes = range(self.data(), ph.p_offset, ph.p_filesz, "PT_NOTE segment")?;
            parse_notes(bytes, ph.p_offset, ph.p_align, &mut out)?;
        }
        if any_segment {
            return Ok(out);
        }
        let e = Le::default();
        for sh in self.raw_sections()? {
            if sh.sh_type.get(e) != object::elf::SHT_NOTE {
                continue;
            }
            let offset = sh.sh_offset.get(e);
            let bytes = range(self.data(), offset, sh.sh_size.get(e), "SHT_NOTE section")?;
            parse_notes(bytes, offset, sh.sh_addralign.get(e), &mut out)?;
        }
        Ok(out)
    }

    /// The `NT_GNU_BUILD_ID` descriptor of the first such note owned by "GNU".
    pub fn build_id(&self) -> Result<Option<Vec<u8>>, ElfError> {
        Ok(self
            .notes()?
            .into_iter()
            .find(|n| n.name == "GNU" && n.n_type == object::elf::NT_GNU_BUILD_ID.0)
            .map(|n| n.desc))
    }
}

/// Parses a note area that starts at file offset `base`. Name and descriptor are padded to
/// 8 bytes when the area is 8-aligned (GNU property notes) and to 4 otherwise, as binutils
/// does. Each iteration consumes at least the 12-byte header, so the loop ends.
pub(crate) fn parse_notes(
    bytes: &[u8],
    base: u64,
    area_align: u64,
    out: &mut Vec<Note>,
) -> Result<(), ElfError> {
    let align = if area_align == 8 { 8 } else { 4 };
    let len = bytes.len() as u64;
    let mut pos = 0u64;
    while pos < len {
        let at = base.saturating_add(pos);
        if len - pos < NOTE_HEADER_SIZE {
            return Err(ElfError::malformed(
                at,
                format!(
                    "{} bytes left in the note area, fewer than a note header",
                    len - pos
                ),
            ));
        }
        if out.len() >= MAX_NOTES {
            return Err(ElfError::malformed(
                at,
                format!("more than {MAX_NOTES} notes"),
            ));
        }
        let word = |i: u64| -> u32 {
            let start = usize::try_from(pos + i).unwrap_or(usize::MAX);
            bytes
                .get(start..start.saturating_add(4))
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, u32::from_le_bytes)
        };
        let (namesz, descsz, n_type) = (u64::from(word(0)), u64::from(word(4)), word(8));
        let name_start = pos + NOTE_HEADER_SIZE;
        let name_end = name_start + namesz; // cannot overflow: both are below 2^33
        if name_end > len {
            return Err(ElfError::malformed(
                at,
                format!("note name ({namesz} bytes) runs past the end of the note area"),
            ));
        }
        let desc_start = if descsz == 0 {
            name_end
        } else {
            align_up(name_end, align).unwrap_or(u64::MAX)
        };
        let desc_end = desc_start.saturating_add(descsz);
        if desc_end > len {
            return Err(ElfError::malformed(
                at,
                format!("note descriptor ({descsz} bytes) runs past the end of the note area"),
            ));
        }
        let name_bytes = slice(bytes, name_start, name_end);
        // namesz counts the terminating NUL; tolerate its absence.
        let name_bytes = name_bytes.split(|&b| b == 0).next().unwrap_or_default();
        out.push(Note {
            name: String::from_utf8_lossy(name_bytes).into_owned(),
            n_type,
            desc: slice(bytes, desc_start, desc_end).to_vec(),
        });
        // The last note may omit its trailing padding.
        pos = align_up(desc_end, align)
            .unwrap_or(u64::MAX)
            .min(len)
            .max(name_start);
    }
    Ok(())
}

/// `bytes[start..end]`, already bounds-checked by the caller; empty if not.
fn slice(bytes: &[u8], start: u64, end: u64) -> &[u8] {
    let start = usize::try_from(start).unwrap_or(usize::MAX);
    let end = usize::try_from(end).unwrap_or(usize::MAX);
    bytes.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ElfErrorKind;

    fn note(name: &[u8], n_type: u32, desc: &[u8], align: usize) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&(name.len() as u32 + 1).to_le_bytes());
        v.extend_from_slice(&(desc.len() as u32).to_le_bytes());
        v.extend_from_slice(&n_type.to_le_bytes());
        v.extend_from_slice(name);
        v.push(0);
        v.resize(v.len().next_multiple_of(align), 0);
        v.extend_from_slice(desc);
        v.resize(v.len().next_multiple_of(align), 0);
        v
    }

    #[test]
    fn parses_four_and_eight_byte_aligned_notes() {
        for align in [4usize, 8] {
            let mut area = note(b"GNU", 3, &[1, 2, 3, 4, 5], align);
            area.extend(note(b"Linux", 7, &[], align));
            area.extend(note(b"X", 9, &[9; 8], align));
            let mut out = Vec::new();
            parse_notes(&area, 0x200, align as u64, &mut out).unwrap();
            let got: Vec<_> = out
                .iter()
                .map(|n| (n.name.as_str(), n.n_type, n.desc.len()))
                .collect();
            assert_eq!(
                got,
                [("GNU", 3, 5), ("Linux", 7, 0), ("X", 9, 8)],
                "align {align}"
            );
            assert_eq!(out[0].desc, [1, 2, 3, 4, 5]);
        }
    }

    #[test]
    fn last_note_may_omit_padding() {
        let mut area = note(b"GNU", 3, &[7; 5], 4);
        area.truncate(area.len() - 3);
        let mut out = Vec::new();
        parse_notes(&area, 0, 4, &mut out).unwrap();
        assert_eq!(out[0].desc, [7; 5]);
    }

    #[test]
    fn bad_sizes_are_reported_at_the_note() {
        let mut area = note(b"GNU", 3, &[1; 4], 4);
        area.extend(note(b"AB", 1, &[2; 4], 4));
        let second = (area.len() / 2) as u64;
        let mut bad_desc = area.clone();
        bad_desc[second as usize + 4] = 0xff;
        let e = parse_notes(&bad_desc, 0x1000, 4, &mut Vec::new()).unwrap_err();
        assert_eq!(
            (e.kind, e.offset),
            (ElfErrorKind::Malformed, 0x1000 + second)
        );
        let mut bad_name = area.clone();
        bad_name[3] = 0x80; // namesz = 2^31 + 4
        let e = parse_notes(&bad_name, 0x1000, 4, &mut Vec::new()).unwrap_err();
        assert_eq!((e.kind, e.offset), (ElfErrorKind::Malformed, 0x1000));
        area.extend_from_slice(&[0; 5]);
        let e = parse_notes(&area, 0, 4, &mut Vec::new()).unwrap_err();
        assert_eq!(e.offset, second * 2);
    }
}
