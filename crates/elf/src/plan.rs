//! Load plans: the mappings Linux's `binfmt_elf` would make for a program and its
//! interpreter, plus the auxiliary vector values a loader must pass.
//!
//! Per `PT_LOAD` (after adding the load bias), as `elf_load()` does:
//! - a file mapping of the page-rounded file part (`p_offset` rounded down, up to the page
//!   holding the last file byte);
//! - when `p_memsz > p_filesz` and the file part ends inside a page, the rest of that page
//!   must be zeroed (`zero_from`): it holds whatever follows in the file;
//! - an anonymous zero-filled mapping for the remaining whole pages up to `p_memsz`.

#[allow(unused_imports)]
use crate::prelude::*;

use object::elf as e;

use crate::error::ElfError;
use crate::read::{align_up, ElfFile, ProgramHeader};

/// The top of the x86-64 user address space with 4-level paging (TASK_SIZE_MAX: the last
/// page below 2^47 is never mapped).
const USER_TOP: u64 = 0x7fff_ffff_f000;
const PHDR_SIZE: u64 = 56;
const OFF_TYPE: u64 = 16;
const OFF_MACHINE: u64 = 18;

/// Where to put position-independent objects, and the page size to plan for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    /// Address of the lowest page of an `ET_DYN` program (ignored for `ET_EXEC`).
    pub base: u64,
    /// Address of the lowest page of the interpreter.
    pub interp_base: u64,
    /// A power of two, at least 4096.
    pub page_size: u64,
}

impl Default for PlanOptions {
    /// Linux's non-randomised PIE base (`ELF_ET_DYN_BASE`, page-aligned), an interpreter base
    /// 256 MiB below the top of user space, and 4 KiB pages.
    fn default() -> Self {
        PlanOptions {
            base: 0x5555_5555_4000,
            interp_base: 0x7fff_f000_0000,
            page_size: 4096,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MappedObject {
    Program,
    Interpreter,
}

/// One mapping to make. `addr` and `len` are page multiples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub object: MappedObject,
    pub addr: u64,
    pub len: u64,
    /// `PROT_READ` = 1 | `PROT_WRITE` = 2 | `PROT_EXEC` = 4.
    pub prot: u32,
    /// Page-aligned file offset; `None` for an anonymous zero-filled mapping.
    pub file_offset: Option<u64>,
    /// How many bytes of the file the mapping shows: `len`, or less when the file ends inside
    /// the last page (mmap shows zeros past the end of the file).
    pub file_len: u64,
    /// For a file mapping: from this address to the end of the mapping, memory must be
    /// zeroed after mapping (bss sharing a page with data). Needs the page writable then.
    pub zero_from: Option<u64>,
}

/// The auxiliary vector entries that depend on the ELF files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Auxv {
    pub at_phdr: u64,
    pub at_phent: u64,
    pub at_phnum: u64,
    pub at_entry: u64,
    /// The interpreter's load bias; 0 without an interpreter.
    pub at_base: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadPlan {
    /// Sorted by address, non-overlapping.
    pub mappings: Vec<Mapping>,
    /// Where execution starts: the interpreter's entry if there is one, else the program's.
    pub entry: u64,
    pub auxv: Auxv,
    /// The page-aligned end of the program's highest segment.
    pub brk_start: u64,
    /// The program's `PT_INTERP` path.
    pub interpreter: Option<String>,
}

/// Plans how to load `program` and, when it has a `PT_INTERP`, the given interpreter.
pub fn load_plan(
    program: &ElfFile<'_>,
    interp: Option<&ElfFile<'_>>,
    opts: &PlanOptions,
) -> Result<LoadPlan, ElfError> {
    let page = opts.page_size;
    if !page.is_power_of_two() || page < 4096 {
        return Err(ElfError::invalid_spec(format!(
            "page size {page:#x} is not a power of two of at least 4096"
        )));
    }
    let interpreter = program.interpreter()?;
    match (&interpreter, interp) {
        (Some(path), None) => {
            return Err(ElfError::invalid_spec(format!(
                "the program needs its interpreter {path} but none was given"
            )))
        }
        (None, Some(_)) => {
            return Err(ElfError::invalid_spec(
                "an interpreter was given but the program has no PT_INTERP",
            ))
        }
        _ => {}
    }

    let prog = place(program, MappedObject::Program, opts.base, page)?;
    let at_phdr = phdr_address(program, prog.bias);
    let mut mappings = prog.mappings;
    let (entry, at_base) = match interp {
        Some(ld) => {
            if ld.interpreter()?.is_some() {
                return Err(ElfError::unsupported(
                    0,
                    "the interpreter has its own PT_INTERP",
                ));
            }
            let placed = place(ld, MappedObject::Interpreter, opts.interp_base, page)?;
            mappings.extend(placed.mappings);
            (ld.header().e_entry.wrapping_add(placed.bias), placed.bias)
        }
        None => (prog.entry, 0),
    };

    mappings.sort_by_key(|m| m.addr);
    for pair in mappings.windows(2) {
        if let [a, b] = pair {
            if a.addr + a.len > b.addr {
                return Err(ElfError::invalid_spec(format!(
                    "the program and the interpreter overlap at {:#x}; choose other bases",
                    b.addr
                )));
            }
        }
    }
    let header = program.header();
    Ok(LoadPlan {
        mappings,
        entry,
        auxv: Auxv {
            at_phdr,
            at_phent: PHDR_SIZE,
            at_phnum: u64::from(header.e_phnum),
            at_entry: prog.entry,
            at_base,
        },
        brk_start: prog.end,
        interpreter,
    })
}

/// One object's mappings and where it ended up.
struct Placed {
    mappings: Vec<Mapping>,
    bias: u64,
    entry: u64,
    /// Page-aligned end of the highest segment.
    end: u64,
}

fn place(
    elf: &ElfFile<'_>,
    object: MappedObject,
    base: u64,
    page: u64,
) -> Result<Placed, ElfError> {
    let h = elf.header();
    let what = match object {
        MappedObject::Program => "program",
        MappedObject::Interpreter => "interpreter",
    };
    if h.e_machine != e::EM_X86_64.0 {
        return Err(ElfError::unsupported(
            OFF_MACHINE,
            format!("{what} is for machine {}, not x86-64", h.e_machine),
        ));
    }
    let is_dyn = match (h.e_type, object) {
        (t, _) if t == e::ET_DYN.0 => true,
        (t, MappedObject::Program) if t == e::ET_EXEC.0 => false,
        (t, MappedObject::Interpreter) if t == e::ET_EXEC.0 => {
            return Err(ElfError::unsupported(
                OFF_TYPE,
                "the interpreter is ET_EXEC; only ET_DYN is supported",
            ))
        }
        (t, _) => {
            return Err(ElfError::unsupported(
                OFF_TYPE,
                format!("{what} has e_type {t}; only ET_EXEC and ET_DYN can be loaded"),
            ))
        }
    };
    if is_dyn && base & (page - 1) != 0 {
        return Err(ElfError::invalid_spec(format!(
            "{what} base {base:#x} is not page-aligned"
        )));
    }

    let loads: Vec<(usize, &ProgramHeader)> = elf
        .program_headers()
        .iter()
        .enumerate()
        .filter(|(_, ph)| ph.p_type == e::PT_LOAD.0)
        .collect();
    let Some(&(_, first)) = loads.first() else {
        return Err(ElfError::malformed(
            h.e_phoff,
            format!("{what} has no PT_LOAD segment"),
        ));
    };
    // An ET_DYN object's lowest page goes to `base`; ET_EXEC addresses are absolute.
    let (origin, placed_at) = if is_dyn {
        (first.p_vaddr & !(page - 1), base)
    } else {
        (0, 0)
    };
    let bias = placed_at.wrapping_sub(origin);
    // Out-of-range addresses are the file's fault for ET_EXEC, the chosen base's for ET_DYN.
    let out_of_range = |at: u64, message: String| {
        if is_dyn {
            ElfError::invalid_spec(message)
        } else {
            ElfError::malformed(at, message)
        }
    };

    let file_len = elf.data().len() as u64;
    let mut mappings = Vec::with_capacity(loads.len() * 2);
    let mut prev_end: Option<(u64, usize)> = None; // (p_vaddr + p_memsz, index) of the previous PT_LOAD
    let mut prev_page_end = 0u64;
    let mut end = 0u64;
    for &(index, ph) in &loads {
        let at = elf.phdr_offset(index);
        if ph.p_filesz > ph.p_memsz {
            return Err(ElfError::malformed(
                at,
                format!(
                    "PT_LOAD {index}: p_filesz {:#x} > p_memsz {:#x}",
                    ph.p_filesz, ph.p_memsz
                ),
            ));
        }
        if ph.p_vaddr & (page - 1) != ph.p_offset & (page - 1) {
            return Err(ElfError::malformed(
                at,
                format!(
                    "PT_LOAD {index}: p_vaddr {:#x} and p_offset {:#x} differ modulo the page size",
                    ph.p_vaddr, ph.p_offset
                ),
            ));
        }
        if ph.p_filesz > 0
            && ph
                .p_offset
                .checked_add(ph.p_filesz)
                .is_none_or(|e| e > file_len)
        {
            return Err(ElfError::truncated(
                at,
                format!(
                    "PT_LOAD {index}: file bytes {:#x}+{:#x} run past the end of the file",
                    ph.p_offset, ph.p_filesz
                ),
            ));
        }
        let Some(seg_end) = ph.p_vaddr.checked_add(ph.p_memsz) else {
            return Err(ElfError::malformed(
                at,
                format!("PT_LOAD {index}: p_vaddr + p_memsz overflows"),
            ));
        };
        if let Some((prev, prev_index)) = prev_end {
            if ph.p_vaddr < prev {
                return Err(ElfError::malformed(
                    at,
                    format!("PT_LOAD {index} at {:#x} is below the end of PT_LOAD {prev_index} ({prev:#x}): unsorted or overlapping", ph.p_vaddr),
                ));
            }
        }
        prev_end = Some((seg_end, index));
        if ph.p_memsz == 0 {
            continue; // Linux maps nothing for it either.
        }

        // Addresses after relocation; p_vaddr >= origin because the PT_LOADs are sorted.
        let reloc = |v: u64| v.checked_sub(origin).and_then(|d| placed_at.checked_add(d));
        let overflow = || {
            out_of_range(
                at,
                format!("PT_LOAD {index} does not fit in the address space"),
            )
        };
        let start = reloc(ph.p_vaddr).ok_or_else(overflow)?;
        let mem_end = reloc(seg_end).ok_or_else(overflow)?;
        let file_end = start + ph.p_filesz; // <= mem_end
        let page_end = align_up(mem_end, page).ok_or_else(overflow)?;
        if page_end > USER_TOP {
            return Err(out_of_range(
                at,
                format!("PT_LOAD {index} ends at {page_end:#x}, above the user address space ({USER_TOP:#x})"),
            ));
        }
        let map_start = start & !(page - 1);
        if map_start < prev_page_end {
            // Linux lets the later mapping replace the shared page; a plan of disjoint
            // mappings cannot express that.
            return Err(ElfError::malformed(
                at,
                format!("PT_LOAD {index} shares a page ({map_start:#x}) with the previous PT_LOAD"),
            ));
        }
        let prot = prot_of(ph.p_flags);
        let mut anon_start = map_start;
        if ph.p_filesz > 0 {
            let file_page_end = align_up(file_end, page).ok_or_else(overflow)?;
            let len = file_page_end - map_start;
            let offset = ph.p_offset & !(page - 1);
            let zero_from =
                (ph.p_memsz > ph.p_filesz && file_end & (page - 1) != 0).then_some(file_end);
            mappings.push(Mapping {
                object,
                addr: map_start,
                len,
                prot,
                file_offset: Some(offset),
                file_len: len.min(file_len - offset),
                zero_from,
            });
            anon_start = file_page_end;
        }
        if page_end > anon_start {
            mappings.push(Mapping {
                object,
                addr: anon_start,
                len: page_end - anon_start,
                prot,
                file_offset: None,
                file_len: 0,
                zero_from: None,
            });
        }
        prev_page_end = page_end;
        end = end.max(page_end);
    }
    Ok(Placed {
        mappings,
        bias,
        entry: h.e_entry.wrapping_add(bias),
        end,
    })
}

/// `PF_*` to `PROT_*`: the bits are in the opposite order.
fn prot_of(p_flags: u32) -> u32 {
    let mut prot = 0;
    if p_flags & e::PF_R.0 != 0 {
        prot |= 1;
    }
    if p_flags & e::PF_W.0 != 0 {
        prot |= 2;
    }
    if p_flags & e::PF_X.0 != 0 {
        prot |= 4;
    }
    prot
}

/// AT_PHDR: `PT_PHDR`'s address, else where the `PT_LOAD` holding the program header table
/// puts it in memory, else 0: the table is not in memory (Linux would pass the bare load
/// bias, which is no more usable; a program that never reads AT_PHDR still runs).
fn phdr_address(elf: &ElfFile<'_>, bias: u64) -> u64 {
    let phdrs = elf.program_headers();
    if let Some(ph) = phdrs.iter().find(|ph| ph.p_type == e::PT_PHDR.0) {
        return ph.p_vaddr.wrapping_add(bias);
    }
    let h = elf.header();
    let table_end = h
        .e_phoff
        .saturating_add(u64::from(h.e_phnum).saturating_mul(PHDR_SIZE));
    phdrs
        .iter()
        .filter(|ph| ph.p_type == e::PT_LOAD.0)
        .find(|ph| ph.p_offset <= h.e_phoff && table_end <= ph.p_offset.saturating_add(ph.p_filesz))
        .map_or(0, |ph| {
            ph.p_vaddr
                .wrapping_add(h.e_phoff - ph.p_offset)
                .wrapping_add(bias)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ElfErrorKind;
    use crate::write::{write_elf, NoteSpec, SectionSpec, SegmentSpec, WriteSpec};

    const RX: u32 = 5;
    const RW: u32 = 6;
    const R: u32 = 4;

    fn seg(vaddr: u64, file: usize, mem: u64, flags: u32) -> SegmentSpec {
        SegmentSpec {
            vaddr,
            mem_size: mem,
            flags,
            data: vec![0x90; file],
        }
    }

    fn spec(e_type: u16, segments: Vec<SegmentSpec>) -> WriteSpec {
        WriteSpec {
            e_type,
            entry: 0x40_1000,
            segments,
            ..WriteSpec::default()
        }
    }

    /// Overwrites the 8-byte (or 4-byte for type/flags) field at `field` of program header `i`.
    fn patch(bytes: &mut [u8], i: usize, field: usize, value: u64) {
        let at = 64 + 56 * i + field;
        let width = if field < 8 { 4 } else { 8 };
        bytes[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
    }

    fn phdr_field(bytes: &[u8], i: usize, field: usize) -> u64 {
        let at = 64 + 56 * i + field;
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
    }

    const P_OFFSET: usize = 8;
    const P_VADDR: usize = 16;
    const P_FILESZ: usize = 32;
    const P_MEMSZ: usize = 40;

    /// Lets the first PT_LOAD start at file offset 0, so it covers the program headers.
    fn cover_headers(bytes: &mut [u8]) {
        let off = phdr_field(bytes, 0, P_OFFSET);
        let filesz = phdr_field(bytes, 0, P_FILESZ);
        patch(bytes, 0, P_OFFSET, 0);
        patch(bytes, 0, P_FILESZ, off + filesz);
        patch(bytes, 0, P_MEMSZ, off + filesz);
    }

    fn plan_of(bytes: &[u8], opts: &PlanOptions) -> Result<LoadPlan, ElfError> {
        load_plan(&ElfFile::parse(bytes)?, None, opts)
    }

    /// A file mapping; its offset is filled in from the written file.
    fn file_map(addr: u64, len: u64, prot: u32, zero_from: Option<u64>) -> Mapping {
        Mapping {
            object: MappedObject::Program,
            addr,
            len,
            prot,
            file_offset: Some(0),
            file_len: len,
            zero_from,
        }
    }

    fn anon_map(addr: u64, len: u64, prot: u32) -> Mapping {
        Mapping {
            object: MappedObject::Program,
            addr,
            len,
            prot,
            file_offset: None,
            file_len: 0,
            zero_from: None,
        }
    }

    #[test]
    fn mappings_follow_binfmt_elf() {
        // (name, segments, e_type, base, expected mappings given the first file offset)
        let opts = PlanOptions {
            base: 0x1000_0000,
            ..PlanOptions::default()
        };
        let cases: Vec<(&str, Vec<SegmentSpec>, u16, Vec<Mapping>)> = vec![
            (
                "text whose file part ends mid-page, no tail",
                vec![seg(0x40_0000, 0x1800, 0x1800, RX)],
                2,
                vec![file_map(0x40_0000, 0x2000, 5, None)],
            ),
            (
                "data then bss sharing its last page, then whole bss pages",
                vec![seg(0x60_1100, 0x100, 0x3000, RW)],
                2,
                vec![
                    file_map(0x60_1000, 0x1000, 3, Some(0x60_1200)),
                    anon_map(0x60_2000, 0x3000, 3),
                ],
            ),
            (
                "bss only",
                vec![
                    seg(0x40_0000, 0x1000, 0x1000, R),
                    seg(0x80_0000, 0, 0x2001, RW),
                ],
                2,
                vec![
                    file_map(0x40_0000, 0x1000, 1, None),
                    anon_map(0x80_0000, 0x3000, 3),
                ],
            ),
            (
                "file part ending on a page boundary needs no zeroing",
                vec![seg(0x40_0000, 0x1000, 0x2000, RW)],
                2,
                vec![
                    file_map(0x40_0000, 0x1000, 3, None),
                    anon_map(0x40_1000, 0x1000, 3),
                ],
            ),
            (
                "ET_DYN is moved to the base",
                vec![seg(0, 0x10, 0x10, RX), seg(0x2000, 0x10, 0x10, RW)],
                3,
                vec![
                    file_map(0x1000_0000, 0x1000, 5, None),
                    file_map(0x1000_2000, 0x1000, 3, None),
                ],
            ),
        ];
        for (name, segments, e_type, mut want) in cases {
            let bytes = write_elf(&spec(e_type, segments)).unwrap();
            let bias = if e_type == 3 { opts.base } else { 0 };
            // The writer chooses the file offsets: take them from the segment each file
            // mapping starts in. A mapping shows at most the rest of the file.
            let phdrs = ElfFile::parse(&bytes).unwrap().program_headers().to_vec();
            for m in &mut want {
                if m.file_offset.is_some() {
                    let ph = phdrs
                        .iter()
                        .find(|p| (p.p_vaddr + bias) & !0xfff == m.addr)
                        .unwrap();
                    let off = ph.p_offset & !0xfff;
                    m.file_offset = Some(off);
                    m.file_len = m.len.min(bytes.len() as u64 - off);
                }
            }
            let plan = plan_of(&bytes, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(plan.mappings, want, "{name}");
            assert_eq!(plan.entry, 0x40_1000 + bias, "{name}");
            assert_eq!(plan.auxv.at_entry, plan.entry, "{name}");
            assert_eq!(plan.auxv.at_base, 0, "{name}");
            let last = want.last().unwrap();
            assert_eq!(plan.brk_start, last.addr + last.len, "{name}");
            assert_eq!(plan.interpreter, None);
        }
    }

    #[test]
    fn at_phdr_comes_from_the_load_holding_the_table() {
        let mut bytes = write_elf(&spec(2, vec![seg(0x40_0000, 0x100, 0x100, RX)])).unwrap();
        // The writer puts the table before the first segment: not in memory.
        assert_eq!(
            plan_of(&bytes, &PlanOptions::default())
                .unwrap()
                .auxv
                .at_phdr,
            0
        );
        cover_headers(&mut bytes);
        let plan = plan_of(&bytes, &PlanOptions::default()).unwrap();
        assert_eq!(plan.auxv.at_phdr, 0x40_0000 + 64);
        assert_eq!((plan.auxv.at_phnum, plan.auxv.at_phent), (1, 56));
    }

    #[test]
    fn refuses_what_a_loader_cannot_load() {
        let two = || {
            vec![
                seg(0x40_0000, 0x100, 0x100, RX),
                seg(0x60_0000, 0x100, 0x2000, RW),
            ]
        };
        let opts = PlanOptions::default();
        type Patch = fn(&mut Vec<u8>);
        /// (name, spec, patch, options, kind, blamed offset or None)
        type Case = (
            &'static str,
            WriteSpec,
            Patch,
            PlanOptions,
            ElfErrorKind,
            Option<u64>,
        );
        let cases: Vec<Case> = vec![
            (
                "not x86-64",
                WriteSpec {
                    e_machine: 183,
                    ..spec(2, two())
                },
                |_| {},
                opts,
                ElfErrorKind::Unsupported,
                Some(18),
            ),
            (
                "relocatable",
                spec(1, two()),
                |_| {},
                opts,
                ElfErrorKind::Unsupported,
                Some(16),
            ),
            (
                "core",
                spec(4, two()),
                |_| {},
                opts,
                ElfErrorKind::Unsupported,
                Some(16),
            ),
            (
                "no PT_LOAD",
                spec(2, vec![]),
                |_| {},
                opts,
                ElfErrorKind::Malformed,
                None,
            ),
            (
                "bad page size",
                spec(2, two()),
                |_| {},
                PlanOptions {
                    page_size: 1000,
                    ..opts
                },
                ElfErrorKind::InvalidSpec,
                Some(0),
            ),
            (
                "small page size",
                spec(2, two()),
                |_| {},
                PlanOptions {
                    page_size: 2048,
                    ..opts
                },
                ElfErrorKind::InvalidSpec,
                Some(0),
            ),
            (
                "unaligned base",
                spec(3, two()),
                |_| {},
                PlanOptions {
                    base: 0x1234,
                    ..opts
                },
                ElfErrorKind::InvalidSpec,
                Some(0),
            ),
            (
                "base past user space",
                spec(3, two()),
                |_| {},
                PlanOptions {
                    base: 0x7fff_ffff_0000,
                    ..opts
                },
                ElfErrorKind::InvalidSpec,
                Some(0),
            ),
            (
                "filesz > memsz",
                spec(2, two()),
                |b| patch(b, 1, P_FILESZ, 0x3000),
                opts,
                ElfErrorKind::Malformed,
                Some(64 + 56),
            ),
            (
                "offset not congruent",
                spec(2, two()),
                |b| patch(b, 0, P_OFFSET, 0x1001),
                opts,
                ElfErrorKind::Malformed,
                Some(64),
            ),
            (
                "file bytes past the end",
                spec(2, two()),
                |b| patch(b, 1, P_FILESZ, 0x1800),
                opts,
                ElfErrorKind::Truncated,
                Some(64 + 56),
            ),
            (
                "unsorted",
                spec(2, two()),
                |b| patch(b, 1, P_VADDR, 0x20_0000),
                opts,
                ElfErrorKind::Malformed,
                Some(64 + 56),
            ),
            (
                "overlapping",
                spec(2, two()),
                |b| patch(b, 1, P_VADDR, 0x40_0080),
                opts,
                ElfErrorKind::Malformed,
                Some(64 + 56),
            ),
            (
                "sharing a page",
                spec(2, two()),
                |b| {
                    let congruent = 0x40_0000 + (phdr_field(b, 1, P_OFFSET) & 0xfff);
                    patch(b, 1, P_VADDR, congruent);
                },
                opts,
                ElfErrorKind::Malformed,
                Some(64 + 56),
            ),
            (
                "memsz overflows",
                spec(2, two()),
                |b| patch(b, 1, P_MEMSZ, u64::MAX - 0x1000),
                opts,
                ElfErrorKind::Malformed,
                Some(64 + 56),
            ),
            (
                "ET_EXEC above user space",
                spec(2, vec![seg(0xffff_ffff_ffff_e000, 0x10, 0x1000, R)]),
                |_| {},
                opts,
                ElfErrorKind::Malformed,
                Some(64),
            ),
        ];
        for (name, spec, fix, opts, kind, offset) in cases {
            let mut bytes = write_elf(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
            fix(&mut bytes);
            let e = plan_of(&bytes, &opts).expect_err(name);
            assert_eq!(e.kind, kind, "{name}: {e}");
            if let Some(offset) = offset {
                assert_eq!(e.offset, offset, "{name}: {e}");
            }
        }
    }

    /// A program whose single note was turned into a PT_INTERP naming `path`.
    fn with_interp(path: &str) -> Vec<u8> {
        let mut s = spec(3, vec![seg(0, 0x100, 0x100, RX)]);
        s.notes.push(NoteSpec {
            name: "X".into(),
            n_type: 1,
            desc: vec![],
        });
        s.sections.push(SectionSpec {
            name: ".interp".into(),
            sh_type: 1,
            sh_flags: 0,
            align: 1,
            data: format!("{path}\0").into_bytes(),
        });
        let mut bytes = write_elf(&s).unwrap();
        let interp = ElfFile::parse(&bytes).unwrap().section_headers().unwrap()[1].clone();
        patch(&mut bytes, 1, 0, 3); // PT_NOTE -> PT_INTERP
        patch(&mut bytes, 1, P_OFFSET, interp.sh_offset);
        patch(&mut bytes, 1, P_FILESZ, interp.sh_size);
        cover_headers(&mut bytes);
        bytes
    }

    #[test]
    fn interpreter_is_placed_and_checked() {
        let program = with_interp("/lib/ld-test.so");
        let program = ElfFile::parse(&program).unwrap();
        let mut ld_spec = spec(
            3,
            vec![seg(0, 0x100, 0x100, RX), seg(0x2000, 0x10, 0x1000, RW)],
        );
        ld_spec.entry = 0x40;
        let ld = write_elf(&ld_spec).unwrap();
        let ld = ElfFile::parse(&ld).unwrap();
        let opts = PlanOptions {
            base: 0x10_0000,
            interp_base: 0x20_0000,
            page_size: 4096,
        };

        let plan = load_plan(&program, Some(&ld), &opts).unwrap();
        assert_eq!(plan.interpreter.as_deref(), Some("/lib/ld-test.so"));
        assert_eq!(plan.entry, 0x20_0040);
        assert_eq!(plan.auxv.at_entry, 0x10_0000 + 0x40_1000);
        assert_eq!(plan.auxv.at_base, 0x20_0000);
        assert_eq!(plan.auxv.at_phdr, 0x10_0000 + 64);
        // The program's one page (headers + 0x100 bytes of text), not the interpreter's end.
        assert_eq!(plan.brk_start, 0x10_2000, "brk follows the program");
        let objects: Vec<_> = plan.mappings.iter().map(|m| (m.object, m.addr)).collect();
        assert_eq!(
            objects,
            [
                (MappedObject::Program, 0x10_0000),
                (MappedObject::Interpreter, 0x20_0000),
                (MappedObject::Interpreter, 0x20_2000)
            ]
        );

        let kind = |r: Result<LoadPlan, ElfError>| r.map(|_| ()).map_err(|e| e.kind);
        assert_eq!(
            kind(load_plan(&program, None, &opts)),
            Err(ElfErrorKind::InvalidSpec)
        );
        assert_eq!(
            kind(load_plan(&ld, Some(&ld), &opts)),
            Err(ElfErrorKind::InvalidSpec)
        );
        let clash = PlanOptions {
            interp_base: 0x10_0000,
            ..opts
        };
        assert_eq!(
            kind(load_plan(&program, Some(&ld), &clash)),
            Err(ElfErrorKind::InvalidSpec)
        );
        let exec_ld = write_elf(&WriteSpec {
            e_type: 2,
            ..ld_spec.clone()
        })
        .unwrap();
        let exec_ld = ElfFile::parse(&exec_ld).unwrap();
        assert_eq!(
            kind(load_plan(&program, Some(&exec_ld), &opts)),
            Err(ElfErrorKind::Unsupported)
        );
        let nested = with_interp("/lib/other.so");
        let nested = ElfFile::parse(&nested).unwrap();
        assert_eq!(
            kind(load_plan(&program, Some(&nested), &opts)),
            Err(ElfErrorKind::Unsupported)
        );
    }

    #[test]
    fn prot_bits_are_swapped_from_pf() {
        assert_eq!(
            [prot_of(0), prot_of(1), prot_of(2), prot_of(4), prot_of(7)],
            [0, 4, 2, 1, 7]
        );
    }
}
