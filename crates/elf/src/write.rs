//! Writing snapshot-friendly ELF64 files.
//!
//! The byte-level encoding (file header, program and section headers, `.shstrtab`) is done by
//! `object::write::elf::Writer`. What is ours is the layout: every `PT_LOAD` starts at a file
//! offset congruent to its address modulo the page size, so the file can be `mmap`ped at the
//! recorded addresses; and a segment with a zero tail (`p_filesz < p_memsz`) is followed by
//! zeros up to the end of its last file page, so mapping that page needs no zeroing (no
//! copy-on-write fault) before the anonymous rest of the segment.
//!
//! File layout: header, program headers, `PT_LOAD` data (ascending addresses), note data,
//! section data, `.shstrtab`, section headers.

use std::fs::{self, File};
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use object::elf as e;
use object::write::elf::{FileHeader, ProgramHeader, SectionHeader, Writer};
use object::write::{StreamingBuffer, WritableBuffer};
use object::Endianness;

use crate::error::ElfError;
use crate::read::align_up;

/// A whole file to write. `Default` is an `ET_EXEC` x86-64 file with 4 KiB pages and nothing
/// in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteSpec {
    pub e_type: u16,
    pub e_machine: u16,
    pub entry: u64,
    /// Power of two, 4 KiB to 1 GiB; also each `PT_LOAD`'s `p_align`.
    pub page_size: u64,
    /// Written in ascending address order whatever the order here; no two may share a page.
    pub segments: Vec<SegmentSpec>,
    /// Written as one `PT_NOTE` segment (4-byte padding) and a `.note` section over it.
    pub notes: Vec<NoteSpec>,
    /// Non-loaded sections (`sh_addr` 0), after the segments.
    pub sections: Vec<SectionSpec>,
}

impl Default for WriteSpec {
    fn default() -> Self {
        WriteSpec {
            e_type: e::ET_EXEC.0,
            e_machine: e::EM_X86_64.0,
            entry: 0,
            page_size: 4096,
            segments: Vec::new(),
            notes: Vec::new(),
            sections: Vec::new(),
        }
    }
}

/// One `PT_LOAD`: `data` is its file part (`p_filesz`), the rest up to `mem_size` is zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentSpec {
    pub vaddr: u64,
    pub mem_size: u64,
    /// `PF_R | PF_W | PF_X` bits only.
    pub flags: u32,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSpec {
    pub name: String,
    pub n_type: u32,
    pub desc: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSpec {
    pub name: String,
    pub sh_type: u32,
    pub sh_flags: u64,
    /// 0 or a power of two up to the page size.
    pub align: u64,
    pub data: Vec<u8>,
}

const MAX_PAGE_SIZE: u64 = 1 << 30;
const NOTE_ALIGN: u64 = 4;
const NOTE_SECTION_NAME: &[u8] = b".note";

/// Offsets decided before anything is written.
struct Layout {
    /// Indices into `spec.segments`, by ascending address.
    order: Vec<usize>,
    /// Per entry of `order`: the file offset and where the padding after the data ends.
    placements: Vec<(u64, u64)>,
    notes: Vec<u8>,
}

/// Serialises `spec` into memory.
pub fn write_elf(spec: &WriteSpec) -> Result<Vec<u8>, ElfError> {
    let mut out = Vec::new();
    emit(spec, &mut out)?;
    Ok(out)
}

/// Serialises `spec` to `out` from its current position (sequentially; the padding between
/// segments is less than a page each, so no holes are seeked over). Returns the bytes written.
pub fn write_elf_to<W: Write + Seek>(spec: &WriteSpec, out: &mut W) -> Result<u64, ElfError> {
    let start = out
        .stream_position()
        .map_err(|err| ElfError::io("seek", &err))?;
    let mut buffer = StreamingBuffer::new(&mut *out);
    emit(spec, &mut buffer)?;
    buffer.result().map_err(|err| ElfError::io("write", &err))?;
    let end = out
        .stream_position()
        .map_err(|err| ElfError::io("seek", &err))?;
    Ok(end.saturating_sub(start))
}

/// Writes `spec` to `path` so that a crash leaves either the old file or the complete new one:
/// the bytes go to a temporary file in the same directory, which is fsynced and renamed over
/// `path`, and then the directory is fsynced so the rename itself is durable.
pub fn write_elf_file(spec: &WriteSpec, path: &Path) -> Result<u64, ElfError> {
    // Validate before creating anything on disk.
    layout(spec)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(file_name) = path.file_name() else {
        return Err(ElfError::invalid_spec(format!(
            "{} has no file name",
            path.display()
        )));
    };
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        file_name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_tmp_and_rename(spec, &tmp, path, &dir);
    if result.is_err() {
        // Best effort: the temporary may not exist if creating it failed.
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_tmp_and_rename(
    spec: &WriteSpec,
    tmp: &Path,
    path: &Path,
    dir: &Path,
) -> Result<u64, ElfError> {
    let shown = tmp.display();
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(|err| ElfError::io(&format!("create {shown}"), &err))?;
    let mut out = BufWriter::new(file);
    let written = write_elf_to(spec, &mut out)?;
    let file = out
        .into_inner()
        .map_err(|err| ElfError::io(&format!("write {shown}"), err.error()))?;
    file.sync_all()
        .map_err(|err| ElfError::io(&format!("fsync {shown}"), &err))?;
    drop(file);
    fs::rename(tmp, path)
        .map_err(|err| ElfError::io(&format!("rename to {}", path.display()), &err))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|err| ElfError::io(&format!("fsync {}", dir.display()), &err))?;
    Ok(written)
}

fn invalid(message: String) -> ElfError {
    ElfError::invalid_spec(message)
}

/// Checks `spec` and decides where each segment goes.
fn layout(spec: &WriteSpec) -> Result<Layout, ElfError> {
    let page = spec.page_size;
    if !page.is_power_of_two() || !(4096..=MAX_PAGE_SIZE).contains(&page) {
        return Err(invalid(format!(
            "page size {page:#x} is not a power of two from 4 KiB to 1 GiB"
        )));
    }
    // A snapshot of a Linux process has at most vm.max_map_count (65530) mappings, and
    // staying below PN_XNUM keeps e_phnum a plain count.
    if spec.segments.len() >= usize::from(e::PN_XNUM) - 1 {
        return Err(invalid(format!(
            "{} segments is too many",
            spec.segments.len()
        )));
    }
    let allowed = (e::PF_R | e::PF_W | e::PF_X).0;
    for (i, s) in spec.segments.iter().enumerate() {
        if s.mem_size == 0 {
            return Err(invalid(format!(
                "segment {i} at {:#x} has mem_size 0",
                s.vaddr
            )));
        }
        if s.data.len() as u64 > s.mem_size {
            return Err(invalid(format!(
                "segment {i} at {:#x}: data ({:#x} bytes) is longer than mem_size {:#x}",
                s.vaddr,
                s.data.len(),
                s.mem_size
            )));
        }
        if s.vaddr
            .checked_add(s.mem_size)
            .and_then(|end| align_up(end, page))
            .is_none()
        {
            return Err(invalid(format!(
                "segment {i} at {:#x} + {:#x} overflows",
                s.vaddr, s.mem_size
            )));
        }
        if s.flags & !allowed != 0 {
            return Err(invalid(format!(
                "segment {i} has flags {:#x} beyond PF_R|PF_W|PF_X",
                s.flags
            )));
        }
    }
    let mut order: Vec<usize> = (0..spec.segments.len()).collect();
    order.sort_by_key(|&i| spec.segments.get(i).map(|s| s.vaddr));
    let segment = |i: usize| {
        spec.segments
            .get(i)
            .ok_or_else(|| invalid(format!("segment {i} vanished")))
    };
    for pair in order.windows(2) {
        let &[a, b] = pair else { continue };
        let (sa, sb) = (segment(a)?, segment(b)?);
        // Both end up mapped with MAP_FIXED at their own page-aligned ranges.
        let a_end = align_up(sa.vaddr + sa.mem_size, page).unwrap_or(u64::MAX);
        if sb.vaddr & !(page - 1) < a_end {
            return Err(invalid(format!(
                "segments {a} ({:#x}+{:#x}) and {b} ({:#x}) overlap or share a page",
                sa.vaddr, sa.mem_size, sb.vaddr
            )));
        }
    }
    for (i, n) in spec.notes.iter().enumerate() {
        if n.name.contains('\0') || n.name.len() >= u32::MAX as usize {
            return Err(invalid(format!("note {i}: bad name {:?}", n.name)));
        }
        if u32::try_from(n.desc.len()).is_err() {
            return Err(invalid(format!("note {i}: descriptor longer than 4 GiB")));
        }
    }
    for (i, s) in spec.sections.iter().enumerate() {
        if s.name.contains('\0') {
            return Err(invalid(format!(
                "section {i}: name {:?} contains NUL",
                s.name
            )));
        }
        if s.sh_type == e::SHT_NULL.0 || s.sh_type == e::SHT_NOBITS.0 {
            return Err(invalid(format!(
                "section {i} ({}): sh_type {} has no file data (use a segment's zero tail)",
                s.name, s.sh_type
            )));
        }
        if s.align > 1 && (!s.align.is_power_of_two() || s.align > page) {
            return Err(invalid(format!(
                "section {i} ({}): align {:#x} is not a power of two up to the page size",
                s.name, s.align
            )));
        }
    }

    // Offsets: each segment at the first offset >= the current end that is congruent to its
    // address; an empty file part needs no bytes, only a congruent p_offset.
    let phnum = spec.segments.len() as u64 + u64::from(!spec.notes.is_empty());
    let mut cur = 64 + 56 * phnum;
    let mut placements = Vec::with_capacity(order.len());
    for &i in &order {
        let s = segment(i)?;
        let want = s.vaddr & (page - 1);
        let len = s.data.len() as u64;
        if len == 0 && want <= cur {
            placements.push((want, cur));
            continue;
        }
        let base = cur & !(page - 1);
        let offset = if base + want >= cur {
            base + want
        } else {
            base + page + want
        };
        let data_end = offset + len;
        // Zeros to the end of the last file page, so mapping it shows the zero tail as is.
        let end = if len > 0 && s.mem_size > len {
            align_up(data_end, page).unwrap_or(u64::MAX)
        } else {
            data_end
        };
        placements.push((offset, end));
        cur = end;
    }
    let mut notes = Vec::new();
    for n in &spec.notes {
        push_note(&mut notes, n);
    }
    Ok(Layout {
        order,
        placements,
        notes,
    })
}

/// Encodes one note with 4-byte padding after the name and after the descriptor.
fn push_note(out: &mut Vec<u8>, note: &NoteSpec) {
    let namesz = note.name.len() as u32 + 1; // checked in `layout`
    out.extend_from_slice(&namesz.to_le_bytes());
    out.extend_from_slice(&(note.desc.len() as u32).to_le_bytes());
    out.extend_from_slice(&note.n_type.to_le_bytes());
    out.extend_from_slice(note.name.as_bytes());
    out.push(0);
    out.resize(out.len().next_multiple_of(NOTE_ALIGN as usize), 0);
    out.extend_from_slice(&note.desc);
    out.resize(out.len().next_multiple_of(NOTE_ALIGN as usize), 0);
}

/// Lays out and writes `spec` with object's two-phase writer: reserve every range, then
/// write them in the same order.
fn emit(spec: &WriteSpec, buffer: &mut dyn WritableBuffer) -> Result<(), ElfError> {
    let layout = layout(spec)?;
    let page = spec.page_size;
    let mut w = Writer::new(Endianness::Little, true, buffer);
    let phnum = layout.order.len() + usize::from(!layout.notes.is_empty());

    // Phase 1: reserve.
    w.reserve_file_header();
    w.reserve_program_headers(phnum as u32);
    for &(offset, end) in &layout.placements {
        if end > w.reserved_len() {
            w.reserve_until(offset.max(w.reserved_len()));
            w.reserve_until(end);
        }
    }
    let note_offset =
        (!layout.notes.is_empty()).then(|| w.reserve(layout.notes.len() as u64, NOTE_ALIGN));
    let mut section_offsets = Vec::with_capacity(spec.sections.len());
    let mut section_names = Vec::with_capacity(spec.sections.len());
    for s in &spec.sections {
        w.reserve_section_index();
        section_names.push(w.add_section_name(s.name.as_bytes()));
        section_offsets.push(w.reserve(s.data.len() as u64, s.align.max(1)));
    }
    let note_section_name = note_offset.map(|_| {
        w.reserve_section_index();
        w.add_section_name(NOTE_SECTION_NAME)
    });
    w.reserve_shstrtab_section_index();
    w.reserve_shstrtab()
        .map_err(|err| invalid(format!("section names: {err}")))?;
    w.reserve_section_headers();
    let total = w.reserved_len();

    // Phase 2: write.
    w.write_file_header(&FileHeader {
        os_abi: e::ELFOSABI_NONE,
        abi_version: 0,
        e_type: e::FileType(spec.e_type),
        e_machine: e::Machine(spec.e_machine),
        e_entry: spec.entry,
        e_flags: e::FileFlags(0),
    })
    .map_err(|err| invalid(format!("file header: {err}")))?;
    w.write_align_program_headers();
    for (&i, &(offset, _)) in layout.order.iter().zip(&layout.placements) {
        let Some(s) = spec.segments.get(i) else {
            continue;
        };
        w.write_program_header(&ProgramHeader {
            p_type: e::PT_LOAD,
            p_flags: e::ProgramFlags(s.flags),
            p_offset: offset,
            p_vaddr: s.vaddr,
            p_paddr: s.vaddr,
            p_filesz: s.data.len() as u64,
            p_memsz: s.mem_size,
            p_align: page,
        });
    }
    if let Some(offset) = note_offset {
        // Like a core file's PT_NOTE: file bytes only, nothing in memory.
        w.write_program_header(&ProgramHeader {
            p_type: e::PT_NOTE,
            p_flags: e::PF_R,
            p_offset: offset,
            p_vaddr: 0,
            p_paddr: 0,
            p_filesz: layout.notes.len() as u64,
            p_memsz: 0,
            p_align: NOTE_ALIGN,
        });
    }
    for (&i, &(offset, end)) in layout.order.iter().zip(&layout.placements) {
        let Some(s) = spec.segments.get(i) else {
            continue;
        };
        if end > w.len() {
            w.pad_until(offset.max(w.len()));
            w.write(&s.data);
            w.pad_until(end);
        }
    }
    if let Some(offset) = note_offset {
        w.pad_until(offset);
        w.write(&layout.notes);
    }
    for (s, &offset) in spec.sections.iter().zip(&section_offsets) {
        w.pad_until(offset);
        w.write(&s.data);
    }
    w.write_shstrtab();
    w.write_null_section_header();
    for ((s, &offset), &name) in spec
        .sections
        .iter()
        .zip(&section_offsets)
        .zip(&section_names)
    {
        w.write_section_header(&SectionHeader {
            sh_name: w.section_name_offset(Some(name)),
            sh_type: e::SectionType(s.sh_type),
            sh_flags: e::SectionFlags(s.sh_flags),
            sh_addr: 0,
            sh_offset: offset,
            sh_size: s.data.len() as u64,
            sh_link: 0,
            sh_info: 0,
            sh_addralign: s.align.max(1),
            sh_entsize: 0,
        });
    }
    if let (Some(offset), Some(name)) = (note_offset, note_section_name) {
        w.write_section_header(&SectionHeader {
            sh_name: w.section_name_offset(Some(name)),
            sh_type: e::SHT_NOTE,
            sh_flags: e::SectionFlags(0),
            sh_addr: 0,
            sh_offset: offset,
            sh_size: layout.notes.len() as u64,
            sh_link: 0,
            sh_info: 0,
            sh_addralign: NOTE_ALIGN,
            sh_entsize: 0,
        });
    }
    w.write_shstrtab_section_header();
    // The two phases must agree; a mismatch would be a bug here, not bad input.
    if w.len() != total {
        return Err(invalid(format!(
            "internal layout error: wrote {:#x} of {total:#x} bytes",
            w.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ElfErrorKind;
    use crate::read::ElfFile;

    fn seg(vaddr: u64, file: usize, mem: u64) -> SegmentSpec {
        SegmentSpec {
            vaddr,
            mem_size: mem,
            flags: 4,
            data: vec![1; file],
        }
    }

    fn section(name: &str, sh_type: u32, align: u64) -> SectionSpec {
        SectionSpec {
            name: name.into(),
            sh_type,
            sh_flags: 0,
            align,
            data: vec![2; 3],
        }
    }

    #[test]
    fn invalid_specs_are_refused() {
        let base = || WriteSpec {
            segments: vec![seg(0x10_0000, 16, 0x1000)],
            ..WriteSpec::default()
        };
        let cases: Vec<(&str, WriteSpec)> = vec![
            (
                "page size 0",
                WriteSpec {
                    page_size: 0,
                    ..base()
                },
            ),
            (
                "page size not a power of two",
                WriteSpec {
                    page_size: 12288,
                    ..base()
                },
            ),
            (
                "page size below 4 KiB",
                WriteSpec {
                    page_size: 2048,
                    ..base()
                },
            ),
            (
                "page size above 1 GiB",
                WriteSpec {
                    page_size: 1 << 31,
                    ..base()
                },
            ),
            (
                "data longer than mem_size",
                WriteSpec {
                    segments: vec![seg(0x10_0000, 17, 16)],
                    ..base()
                },
            ),
            (
                "empty segment",
                WriteSpec {
                    segments: vec![seg(0x10_0000, 0, 0)],
                    ..base()
                },
            ),
            (
                "overflowing segment",
                WriteSpec {
                    segments: vec![seg(u64::MAX - 0x10, 0, 0x20)],
                    ..base()
                },
            ),
            (
                "page rounding overflows",
                WriteSpec {
                    segments: vec![seg(u64::MAX - 0x100, 0, 0x10)],
                    ..base()
                },
            ),
            (
                "unknown flags",
                WriteSpec {
                    segments: vec![SegmentSpec {
                        flags: 8,
                        ..seg(0x10_0000, 1, 1)
                    }],
                    ..base()
                },
            ),
            (
                "overlapping segments",
                WriteSpec {
                    segments: vec![seg(0x10_0000, 1, 0x2000), seg(0x10_1000, 1, 1)],
                    ..base()
                },
            ),
            (
                "segments sharing a page",
                WriteSpec {
                    segments: vec![seg(0x10_0000, 1, 0x10), seg(0x10_0800, 1, 1)],
                    ..base()
                },
            ),
            (
                "note name with NUL",
                WriteSpec {
                    notes: vec![NoteSpec {
                        name: "a\0b".into(),
                        n_type: 1,
                        desc: vec![],
                    }],
                    ..base()
                },
            ),
            (
                "section name with NUL",
                WriteSpec {
                    sections: vec![section("a\0", 1, 1)],
                    ..base()
                },
            ),
            (
                "SHT_NOBITS section",
                WriteSpec {
                    sections: vec![section(".bss", 8, 1)],
                    ..base()
                },
            ),
            (
                "SHT_NULL section",
                WriteSpec {
                    sections: vec![section(".x", 0, 1)],
                    ..base()
                },
            ),
            (
                "section align not a power of two",
                WriteSpec {
                    sections: vec![section(".x", 1, 3)],
                    ..base()
                },
            ),
            (
                "section align above the page",
                WriteSpec {
                    sections: vec![section(".x", 1, 8192)],
                    ..base()
                },
            ),
        ];
        for (name, spec) in cases {
            let e = write_elf(&spec).expect_err(name);
            assert_eq!(e.kind, ElfErrorKind::InvalidSpec, "{name}: {e}");
        }
        assert!(write_elf(&base()).is_ok());
    }

    #[test]
    fn segments_are_page_congruent_and_tails_are_zero_padded() {
        let spec = WriteSpec {
            segments: vec![
                seg(0x20_0ff0, 0x20, 0x3000),
                seg(0x10_0010, 0x10, 0x10),
                seg(0x30_0000, 0, 0x1000),
            ],
            ..WriteSpec::default()
        };
        let bytes = write_elf(&spec).unwrap();
        let elf = ElfFile::parse(&bytes).unwrap();
        let loads = elf.program_headers();
        let vaddrs: Vec<_> = loads.iter().map(|p| p.p_vaddr).collect();
        assert_eq!(
            vaddrs,
            [0x10_0010, 0x20_0ff0, 0x30_0000],
            "sorted by address"
        );
        for p in loads {
            assert_eq!(p.p_offset % 4096, p.p_vaddr % 4096);
        }
        // The data segment's zero tail: the file holds zeros to the end of its last page.
        let data = &loads[1];
        let end = (data.p_offset + data.p_filesz) as usize;
        assert_eq!(end % 4096, 0x10);
        assert!(bytes.len() >= end.next_multiple_of(4096));
        assert!(bytes[end..end.next_multiple_of(4096)]
            .iter()
            .all(|&b| b == 0));
        // A segment without file bytes costs no file space.
        assert_eq!((loads[2].p_filesz, loads[2].p_offset), (0, 0));
    }

    #[test]
    fn empty_spec_is_a_valid_file() {
        let bytes = write_elf(&WriteSpec::default()).unwrap();
        let elf = ElfFile::parse(&bytes).unwrap();
        assert!(elf.program_headers().is_empty());
        let names: Vec<_> = elf
            .section_headers()
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["", ".shstrtab"]);
        assert_eq!(elf.notes(), Ok(vec![]));
    }
}
