//! The writer's output is clean for readelf, reads back identically, and its segments can be
//! mmapped straight from the file at their recorded addresses.

mod common;

use std::io::Cursor;
use std::os::fd::AsRawFd;

use common::{have_readelf, readelf, scratch_dir, skip};
use junction_elf::{
    write_elf, write_elf_file, write_elf_to, ElfFile, NoteSpec, SectionSpec, SegmentSpec, WriteSpec,
};

const PAGE: u64 = 4096;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) | 1)
        .collect()
}

/// Several segments (given out of order) with different protections, zero tails, a segment
/// with no file bytes and one starting mid-page; notes; named sections.
fn sample_spec(base: u64) -> WriteSpec {
    let mib = 1 << 20;
    WriteSpec {
        entry: base + 0x10,
        segments: vec![
            // RW data starting mid-page, zero tail over several pages.
            SegmentSpec {
                vaddr: base + mib + 0x123,
                mem_size: 0x5000,
                flags: PF_R | PF_W,
                data: pattern(3000, 2),
            },
            // Code: tail inside the last file page only.
            SegmentSpec {
                vaddr: base,
                mem_size: 0x2000,
                flags: PF_R | PF_X,
                data: pattern(5000, 1),
            },
            // Read-only, whole pages, no tail.
            SegmentSpec {
                vaddr: base + 3 * mib,
                mem_size: 0x2000,
                flags: PF_R,
                data: pattern(0x2000, 4),
            },
            // bss only: no file bytes at all.
            SegmentSpec {
                vaddr: base + 2 * mib,
                mem_size: 0x3000,
                flags: PF_R | PF_W,
                data: Vec::new(),
            },
        ],
        notes: vec![
            NoteSpec {
                name: "GNU".into(),
                n_type: 3,
                desc: pattern(20, 9),
            },
            NoteSpec {
                name: "JUNCTION".into(),
                n_type: 1,
                desc: b"{\"v\":1}".to_vec(),
            },
            NoteSpec {
                name: "JUNCTION".into(),
                n_type: 2,
                desc: Vec::new(),
            },
        ],
        sections: vec![
            SectionSpec {
                name: ".junction.meta".into(),
                sh_type: 1,
                sh_flags: 0,
                align: 8,
                data: b"{\"snapshot\":true}".to_vec(),
            },
            SectionSpec {
                name: ".junction.regs".into(),
                sh_type: 1,
                sh_flags: 0,
                align: 16,
                data: pattern(27, 7),
            },
            SectionSpec {
                name: ".comment".into(),
                sh_type: 1,
                sh_flags: 0,
                align: 1,
                data: b"junction\0".to_vec(),
            },
        ],
        ..WriteSpec::default()
    }
}

#[test]
fn output_reads_back_identically() {
    let spec = sample_spec(0x7e00_0000_0000);
    let bytes = write_elf(&spec).expect("write");
    let elf = ElfFile::parse(&bytes).expect("parse");
    let h = elf.header();
    assert_eq!(
        (h.e_type, h.e_machine, h.e_entry),
        (spec.e_type, spec.e_machine, spec.entry)
    );

    let mut want = spec.segments.clone();
    want.sort_by_key(|s| s.vaddr);
    let loads: Vec<_> = elf
        .program_headers()
        .iter()
        .filter(|p| p.p_type == 1)
        .collect();
    assert_eq!(loads.len(), want.len());
    for (ph, s) in loads.iter().zip(&want) {
        assert_eq!(
            (ph.p_vaddr, ph.p_memsz, ph.p_flags, ph.p_align),
            (s.vaddr, s.mem_size, s.flags, PAGE)
        );
        assert_eq!(ph.p_filesz, s.data.len() as u64);
        assert_eq!(
            ph.p_offset % PAGE,
            ph.p_vaddr % PAGE,
            "offset congruent to address"
        );
        let start = ph.p_offset as usize;
        assert_eq!(&bytes[start..start + s.data.len()], &s.data[..]);
    }

    let notes = elf.notes().expect("notes");
    let got: Vec<_> = notes
        .iter()
        .map(|n| (n.name.clone(), n.n_type, n.desc.clone()))
        .collect();
    let exp: Vec<_> = spec
        .notes
        .iter()
        .map(|n| (n.name.clone(), n.n_type, n.desc.clone()))
        .collect();
    assert_eq!(got, exp);
    assert_eq!(elf.build_id(), Ok(Some(pattern(20, 9))));

    let sections = elf.section_headers().expect("sections");
    let names: Vec<_> = sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "",
            ".junction.meta",
            ".junction.regs",
            ".comment",
            ".note",
            ".shstrtab"
        ]
    );
    for (sh, s) in sections[1..4].iter().zip(&spec.sections) {
        assert_eq!(
            (sh.sh_type, sh.sh_flags, sh.sh_addralign),
            (s.sh_type, s.sh_flags, s.align)
        );
        assert_eq!(sh.sh_offset % s.align, 0);
        let start = sh.sh_offset as usize;
        assert_eq!(
            &bytes[start..start + s.data.len()],
            &s.data[..],
            "{}",
            s.name
        );
    }
    assert_eq!(elf.interpreter(), Ok(None));
    assert_eq!(elf.dynamic(), Ok(Vec::new()));
}

/// The sample with 2 MiB pages: segments spread 4x further apart so none share a page.
fn big_pages() -> WriteSpec {
    let base = 0x7e00_0000_0000;
    let mut spec = WriteSpec {
        page_size: 1 << 21,
        ..sample_spec(base)
    };
    for s in &mut spec.segments {
        s.vaddr = base + (s.vaddr - base) * 4;
    }
    spec
}

#[test]
fn readelf_accepts_output_without_warnings() {
    if !have_readelf() {
        skip(
            "readelf_accepts_output_without_warnings",
            "no /usr/bin/readelf (install binutils)",
        );
        return;
    }
    let dir = scratch_dir("readelf");
    for (name, spec) in [
        ("exec", sample_spec(0x7e00_0000_0000)),
        (
            "core",
            WriteSpec {
                e_type: 4,
                ..sample_spec(0x7e00_0000_0000)
            },
        ),
        ("empty", WriteSpec::default()),
        ("big-pages", big_pages()),
    ] {
        let path = dir.join(name);
        write_elf_file(&spec, &path).expect("write");
        let (out, err) = readelf(&["-a", "-W"], &path);
        assert!(err.is_empty(), "{name}: readelf stderr:\n{err}");
        assert!(
            !out.contains("Warning") && !out.contains("Error"),
            "{name}: readelf output:\n{out}"
        );
        if !spec.segments.is_empty() {
            assert!(out.contains("LOAD"), "{name}: {out}");
            assert!(out.contains(".junction.meta"), "{name}: {out}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Maps `len` bytes at exactly `addr`, failing instead of replacing anything there.
fn map_fixed(addr: u64, len: u64, fd: Option<i32>, offset: u64) -> Result<(), String> {
    let flags = libc::MAP_PRIVATE
        | libc::MAP_FIXED_NOREPLACE
        | if fd.is_none() { libc::MAP_ANONYMOUS } else { 0 };
    // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping; the range is ours.
    let got = unsafe {
        libc::mmap(
            addr as *mut libc::c_void,
            len as usize,
            libc::PROT_READ,
            flags,
            fd.unwrap_or(-1),
            offset as libc::off_t,
        )
    };
    if got == libc::MAP_FAILED {
        return Err(format!(
            "mmap {addr:#x}+{len:#x}: {}",
            std::io::Error::last_os_error()
        ));
    }
    if got as u64 != addr {
        // A kernel without MAP_FIXED_NOREPLACE treats it as a hint.
        // SAFETY: unmapping the mapping just made.
        unsafe { libc::munmap(got, len as usize) };
        return Err(format!("mmap {addr:#x} landed at {got:p}"));
    }
    Ok(())
}

#[test]
fn segments_mmap_directly_at_their_addresses() {
    let base = 0x7e00_0000_0000 + 16 * (1 << 20);
    let spec = sample_spec(base);
    let dir = scratch_dir("mmap");
    let path = dir.join("snapshot.elf");
    write_elf_file(&spec, &path).expect("write");
    let bytes = std::fs::read(&path).expect("read");
    let elf = ElfFile::parse(&bytes).expect("parse");
    let file = std::fs::File::open(&path).expect("open");
    let down = |v: u64| v & !(PAGE - 1);
    let up = |v: u64| (v + PAGE - 1) & !(PAGE - 1);

    let mut mapped = Vec::new();
    for ph in elf.program_headers().iter().filter(|p| p.p_type == 1) {
        let start = down(ph.p_vaddr);
        let file_end = up(ph.p_vaddr + ph.p_filesz);
        let mem_end = up(ph.p_vaddr + ph.p_memsz);
        // The file part straight from the file (including the rest of its last page, which the
        // writer filled with zeros), then anonymous zero pages.
        if ph.p_filesz > 0 {
            map_fixed(
                start,
                file_end - start,
                Some(file.as_raw_fd()),
                down(ph.p_offset),
            )
            .expect("map file part");
            mapped.push((start, file_end - start));
        }
        let anon_start = if ph.p_filesz > 0 { file_end } else { start };
        if mem_end > anon_start {
            map_fixed(anon_start, mem_end - anon_start, None, 0).expect("map zero part");
            mapped.push((anon_start, mem_end - anon_start));
        }
        // SAFETY: the whole [p_vaddr, p_vaddr + p_memsz) range was mapped readable above.
        let memory =
            unsafe { std::slice::from_raw_parts(ph.p_vaddr as *const u8, ph.p_memsz as usize) };
        let seg = spec
            .segments
            .iter()
            .find(|s| s.vaddr == ph.p_vaddr)
            .expect("segment");
        assert_eq!(
            &memory[..seg.data.len()],
            &seg.data[..],
            "data at {:#x}",
            ph.p_vaddr
        );
        assert!(
            memory[seg.data.len()..].iter().all(|&b| b == 0),
            "zero tail at {:#x}",
            ph.p_vaddr
        );
    }
    assert!(mapped.len() >= 5, "mapped {mapped:?}");
    for (addr, len) in mapped {
        // SAFETY: unmapping what this test mapped.
        unsafe { libc::munmap(addr as *mut libc::c_void, len as usize) };
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn file_and_stream_writers_match_the_in_memory_one() {
    let spec = sample_spec(0x40_0000);
    let bytes = write_elf(&spec).expect("write");

    let mut cursor = Cursor::new(vec![0xaa; 10]);
    cursor.set_position(10);
    let n = write_elf_to(&spec, &mut cursor).expect("write_to");
    assert_eq!(n, bytes.len() as u64);
    assert_eq!(&cursor.get_ref()[10..], &bytes[..]);

    let dir = scratch_dir("file");
    let path = dir.join("out.elf");
    std::fs::write(&path, b"old contents").expect("seed");
    assert_eq!(write_elf_file(&spec, &path), Ok(bytes.len() as u64));
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers,
        [std::ffi::OsString::from("out.elf")],
        "temporary files left behind"
    );

    // An invalid spec fails before touching the existing file.
    let bad = WriteSpec {
        page_size: 1000,
        ..spec.clone()
    };
    assert!(write_elf_file(&bad, &path).is_err());
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
    let _ = std::fs::remove_dir_all(&dir);
}
