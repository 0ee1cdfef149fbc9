//! The reader agrees with binutils' readelf on real files.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{core_files, have_readelf, readelf, sample_files, skip};
use junction_elf::{ElfFile, MappedElf, SymbolTableKind};

/// The parts of `readelf -hlSsW` output we compare.
#[derive(Debug, Default)]
struct Expected {
    e_type: String,
    machine: String,
    entry: u64,
    phnum: u64,
    shnum: u64,
    /// (type, offset, vaddr, paddr, filesz, memsz, flags, align)
    phdrs: Vec<(String, PhdrFields)>,
    interp: Option<String>,
    /// (index, "name type" as printed, addr, offset, size)
    sections: Vec<(usize, String, u64, u64, u64)>,
    symbol_counts: HashMap<String, usize>,
}

/// A program header line after its type: offset, vaddr, paddr, filesz, memsz, flags, align.
type PhdrFields = (u64, u64, u64, u64, u64, String, u64);

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("hex {s:?}"))
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.trim_start().strip_prefix(key).map(str::trim)
}

fn parse_readelf(out: &str) -> Expected {
    let mut x = Expected::default();
    #[derive(PartialEq)]
    enum Part {
        Other,
        Phdrs,
        Sections,
    }
    let mut part = Part::Other;
    for line in out.lines() {
        if let Some(v) = field(line, "Type:") {
            x.e_type = v.split_whitespace().next().unwrap_or("").to_string();
        } else if let Some(v) = field(line, "Machine:") {
            x.machine = v.to_string();
        } else if let Some(v) = field(line, "Entry point address:") {
            x.entry = hex(v);
        } else if let Some(v) = field(line, "Number of program headers:") {
            x.phnum = v
                .split_whitespace()
                .next()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
        } else if let Some(v) = field(line, "Number of section headers:") {
            x.shnum = v
                .split_whitespace()
                .next()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
        } else if line.starts_with("Program Headers:") {
            part = Part::Phdrs;
        } else if line.starts_with("Section Headers:") {
            part = Part::Sections;
        } else if line.starts_with("Key to Flags")
            || line.trim_start().starts_with("Section to Segment")
        {
            part = Part::Other;
        } else if let Some(rest) = line.strip_prefix("Symbol table '") {
            let (name, tail) = rest.split_once('\'').expect("symbol table line");
            let n = tail
                .split_whitespace()
                .nth(1)
                .expect("count")
                .parse()
                .expect("count number");
            x.symbol_counts.insert(name.to_string(), n);
        } else if let Some(p) = field(line, "[Requesting program interpreter:") {
            x.interp = Some(p.trim_end_matches(']').to_string());
        } else if part == Part::Phdrs {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() >= 7 && f.get(1).is_some_and(|s| s.starts_with("0x")) {
                // The flags column ("R E", "RW ") is 3 characters before the last field.
                let align_pos = line.rfind(" 0x").expect("align");
                let flags = line
                    .get(align_pos - 3..align_pos)
                    .expect("flags")
                    .to_string();
                let fields = (
                    hex(f[1]),
                    hex(f[2]),
                    hex(f[3]),
                    hex(f[4]),
                    hex(f[5]),
                    flags,
                    hex(f[f.len() - 1]),
                );
                x.phdrs.push((f[0].to_string(), fields));
            }
        } else if part == Part::Sections {
            let t = line.trim_start();
            let Some(rest) = t.strip_prefix('[') else {
                continue;
            };
            let Some((idx, rest)) = rest.split_once(']') else {
                continue;
            };
            let Ok(idx) = idx.trim().parse::<usize>() else {
                continue;
            };
            // Anchor on "<16 hex address> <offset> <size>": the name may be empty or long.
            let words: Vec<&str> = rest.split_whitespace().collect();
            let Some(a) = words
                .iter()
                .position(|w| w.len() == 16 && w.chars().all(|c| c.is_ascii_hexdigit()))
            else {
                continue;
            };
            x.sections.push((
                idx,
                words[..a].join(" "),
                hex(words[a]),
                hex(words[a + 1]),
                hex(words[a + 2]),
            ));
        }
    }
    x
}

fn ph_type_name(t: u32) -> Option<&'static str> {
    Some(match t {
        0 => "NULL",
        1 => "LOAD",
        2 => "DYNAMIC",
        3 => "INTERP",
        4 => "NOTE",
        6 => "PHDR",
        7 => "TLS",
        0x6474_e550 => "GNU_EH_FRAME",
        0x6474_e551 => "GNU_STACK",
        0x6474_e552 => "GNU_RELRO",
        0x6474_e553 => "GNU_PROPERTY",
        _ => return None,
    })
}

fn sh_type_name(t: u32) -> Option<&'static str> {
    Some(match t {
        0 => "NULL",
        1 => "PROGBITS",
        2 => "SYMTAB",
        3 => "STRTAB",
        4 => "RELA",
        5 => "HASH",
        6 => "DYNAMIC",
        7 => "NOTE",
        8 => "NOBITS",
        9 => "REL",
        11 => "DYNSYM",
        14 => "INIT_ARRAY",
        15 => "FINI_ARRAY",
        16 => "PREINIT_ARRAY",
        0x6fff_fff6 => "GNU_HASH",
        0x6fff_fffd => "VERDEF",
        0x6fff_fffe => "VERNEED",
        0x6fff_ffff => "VERSYM",
        _ => return None,
    })
}

fn flags_string(p_flags: u32) -> String {
    let mut s = String::new();
    s.push(if p_flags & 4 != 0 { 'R' } else { ' ' });
    s.push(if p_flags & 2 != 0 { 'W' } else { ' ' });
    s.push(if p_flags & 1 != 0 { 'E' } else { ' ' });
    s
}

/// Compares one file; returns the number of facts checked.
fn compare(path: &Path) -> usize {
    let shown = path.display();
    let (out, _) = readelf(&["-hlSsW"], path);
    let x = parse_readelf(&out);
    let mapped = MappedElf::open(path).unwrap_or_else(|e| panic!("{shown}: {e}"));
    let elf = mapped.elf();
    let h = elf.header();
    let mut checked = 0;

    let ty = match h.e_type {
        1 => "REL",
        2 => "EXEC",
        3 => "DYN",
        4 => "CORE",
        _ => "?",
    };
    assert_eq!(ty, x.e_type, "{shown}: e_type");
    assert_eq!(
        h.e_machine == 62,
        x.machine == "Advanced Micro Devices X86-64",
        "{shown}: machine {}",
        x.machine
    );
    assert_eq!(h.e_entry, x.entry, "{shown}: entry");
    assert_eq!(u64::from(h.e_phnum), x.phnum, "{shown}: phnum");
    assert_eq!(h.e_shnum, x.shnum, "{shown}: shnum");
    checked += 5;

    assert_eq!(
        elf.program_headers().len(),
        x.phdrs.len(),
        "{shown}: program header count"
    );
    for (i, (ph, want)) in elf.program_headers().iter().zip(&x.phdrs).enumerate() {
        if let Some(name) = ph_type_name(ph.p_type) {
            assert_eq!(name, want.0, "{shown}: phdr {i} type");
        }
        let got = (
            ph.p_offset,
            ph.p_vaddr,
            ph.p_paddr,
            ph.p_filesz,
            ph.p_memsz,
            flags_string(ph.p_flags),
            ph.p_align,
        );
        assert_eq!(got, want.1, "{shown}: phdr {i}");
        checked += 1;
    }
    assert_eq!(
        elf.interpreter().unwrap_or_else(|e| panic!("{shown}: {e}")),
        x.interp,
        "{shown}: interpreter"
    );
    checked += 1;

    let sections = elf
        .section_headers()
        .unwrap_or_else(|e| panic!("{shown}: {e}"));
    assert_eq!(sections.len(), x.sections.len(), "{shown}: section count");
    for (i, (s, want)) in sections.iter().zip(&x.sections).enumerate() {
        assert_eq!(i, want.0);
        match sh_type_name(s.sh_type) {
            Some(t) => assert_eq!(
                [s.name.as_str(), t].join(" ").trim(),
                want.1,
                "{shown}: section {i} name/type"
            ),
            None => assert!(
                want.1.starts_with(s.name.as_str()),
                "{shown}: section {i} name {} vs {}",
                s.name,
                want.1
            ),
        }
        assert_eq!(
            (s.sh_addr, s.sh_offset, s.sh_size),
            (want.2, want.3, want.4),
            "{shown}: section {i}"
        );
        checked += 1;
    }

    for (kind, sh_type) in [(SymbolTableKind::Symtab, 2), (SymbolTableKind::Dynsym, 11)] {
        let count = elf
            .symbol_count(kind)
            .unwrap_or_else(|e| panic!("{shown}: {e}"));
        let expected = sections
            .iter()
            .find(|s| s.sh_type == sh_type)
            .map_or(0, |s| *x.symbol_counts.get(&s.name).unwrap_or(&usize::MAX));
        assert_eq!(count, expected, "{shown}: {kind:?} count");
        // Reading the names must work too, and give one symbol per entry.
        assert_eq!(
            elf.symbols(kind).map(|v| v.len()),
            Ok(count),
            "{shown}: {kind:?} symbols"
        );
        checked += 1;
    }
    checked
}

#[test]
fn headers_sections_and_symbols_match_readelf() {
    if !have_readelf() {
        skip(
            "headers_sections_and_symbols_match_readelf",
            "no /usr/bin/readelf (install binutils)",
        );
        return;
    }
    let core = core_files();
    assert!(
        core.len() >= 4,
        "expected ls, python3.11, libc and ld.so, found {core:?}"
    );
    let mut files = core;
    files.extend(sample_files(50, 32 << 20));
    assert!(files.len() >= 40, "too few sample files: {}", files.len());
    let mut facts = 0;
    for f in &files {
        facts += compare(f);
    }
    assert!(
        facts > files.len() * 10,
        "compared only {facts} facts over {} files",
        files.len()
    );
}

#[test]
fn python_is_et_exec_and_ls_is_pie() {
    let python = MappedElf::open(Path::new("/usr/bin/python3.11")).expect("python3.11");
    assert_eq!(python.elf().header().e_type, 2);
    let ls = MappedElf::open(Path::new("/bin/ls")).expect("ls");
    assert_eq!(ls.elf().header().e_type, 3);
    assert_eq!(
        ls.elf().interpreter(),
        Ok(Some("/lib64/ld-linux-x86-64.so.2".to_string()))
    );
}

#[test]
fn build_ids_match_readelf_notes() {
    if !have_readelf() {
        skip(
            "build_ids_match_readelf_notes",
            "no /usr/bin/readelf (install binutils)",
        );
        return;
    }
    let mut files = core_files();
    files.extend(sample_files(20, 32 << 20));
    let mut with_id = 0;
    for f in &files {
        let (out, _) = readelf(&["-n"], f);
        let expected = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("Build ID: "))
            .map(str::to_string);
        let bytes = std::fs::read(f).expect("read");
        let elf = ElfFile::parse(&bytes).expect("parse");
        let got = elf
            .build_id()
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let got_hex = got.map(|id| id.iter().map(|b| format!("{b:02x}")).collect::<String>());
        assert_eq!(got_hex, expected, "{}: build id", f.display());
        with_id += usize::from(expected.is_some());
        // We read PT_NOTE segments; readelf reads SHT_NOTE sections, some of which are not
        // loaded (e.g. SystemTap's .note.stapsdt). Count readelf's notes in loaded sections.
        let loaded: Vec<String> = elf
            .section_headers()
            .expect("sections")
            .into_iter()
            .filter(|s| s.sh_type == 7 && s.sh_flags & 2 != 0)
            .map(|s| s.name)
            .collect();
        let mut in_loaded = false;
        let mut listed = 0;
        for l in out.lines() {
            if let Some(name) = l.strip_prefix("Displaying notes found in: ") {
                in_loaded = loaded.iter().any(|n| n == name.trim());
            } else if in_loaded
                && l.starts_with("  ")
                && !l.starts_with("   ")
                && !l.contains("Owner")
            {
                listed += 1;
            }
        }
        let notes = elf.notes().expect("notes");
        assert_eq!(notes.len(), listed, "{}: note count", f.display());
    }
    assert!(
        with_id >= files.len() / 2,
        "only {with_id} of {} files had a build id",
        files.len()
    );
}

#[test]
fn needed_libraries_match_readelf_dynamic() {
    if !have_readelf() {
        skip(
            "needed_libraries_match_readelf_dynamic",
            "no /usr/bin/readelf (install binutils)",
        );
        return;
    }
    let mut files = core_files();
    files.extend(sample_files(20, 32 << 20));
    let mut needed_total = 0;
    for f in &files {
        let (out, _) = readelf(&["-dW"], f);
        let grab = |kind: &str| -> Vec<String> {
            out.lines()
                .filter(|l| l.contains(&format!("({kind})")))
                .filter_map(|l| Some(l.split_once(": [")?.1.trim_end_matches(']').to_string()))
                .collect()
        };
        let mapped = MappedElf::open(f).expect("open");
        let dynamic = mapped
            .elf()
            .dynamic()
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let ours = |tag: i64| -> Vec<String> {
            dynamic
                .iter()
                .filter(|d| d.tag == tag)
                .filter_map(|d| d.string.clone())
                .collect()
        };
        assert_eq!(ours(1), grab("NEEDED"), "{}: DT_NEEDED", f.display());
        assert_eq!(ours(14), grab("SONAME"), "{}: DT_SONAME", f.display());
        assert_eq!(ours(29), grab("RUNPATH"), "{}: DT_RUNPATH", f.display());
        needed_total += ours(1).len();
        // readelf counts the entries up to and including DT_NULL.
        if let Some(n) = out
            .lines()
            .find_map(|l| l.split_once(" contains ")?.1.strip_suffix(" entries:"))
        {
            assert_eq!(
                dynamic.len() + 1,
                n.parse::<usize>().expect("count"),
                "{}: entry count",
                f.display()
            );
        }
    }
    assert!(
        needed_total > files.len(),
        "too few DT_NEEDED entries: {needed_total}"
    );
}
