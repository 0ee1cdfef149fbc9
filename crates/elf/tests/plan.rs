//! Load plans for real programs: /bin/ls (PIE), python3.11 (ET_EXEC), a static binary.

mod common;

use std::path::Path;
use std::process::Command;

use common::{scratch_dir, skip};
use junction_elf::{
    load_plan, ElfErrorKind, ElfFile, LoadPlan, MappedElf, MappedObject, PlanOptions,
};

const PAGE: u64 = 4096;

fn prot(p_flags: u32) -> u32 {
    (if p_flags & 4 != 0 { 1 } else { 0 })
        | (if p_flags & 2 != 0 { 2 } else { 0 })
        | (if p_flags & 1 != 0 { 4 } else { 0 })
}

/// Checks the plan's invariants for one object placed with `bias`.
fn check_object(plan: &LoadPlan, elf: &ElfFile<'_>, which: MappedObject, bias: u64) {
    let file_len = elf.data().len() as u64;
    let mine: Vec<_> = plan.mappings.iter().filter(|m| m.object == which).collect();
    assert!(!mine.is_empty(), "{which:?}: no mappings");
    let loads: Vec<_> = elf
        .program_headers()
        .iter()
        .filter(|p| p.p_type == 1 && p.p_memsz > 0)
        .collect();
    for ph in &loads {
        let start = ph.p_vaddr + bias;
        let end = start + ph.p_memsz;
        // Every byte of the segment is covered, with the segment's protection.
        let mut at = start & !(PAGE - 1);
        while at < end {
            let m = mine
                .iter()
                .find(|m| m.addr <= at && at < m.addr + m.len)
                .unwrap_or_else(|| {
                    panic!("{which:?}: {at:#x} of segment {:#x} not mapped", ph.p_vaddr)
                });
            assert_eq!(m.prot, prot(ph.p_flags), "{which:?}: prot at {at:#x}");
            if let Some(off) = m.file_offset {
                // File mappings show the file at the segment's congruent offset.
                assert_eq!(
                    off + (at - m.addr),
                    (ph.p_offset & !(PAGE - 1)) + (at - (start & !(PAGE - 1)))
                );
                assert!(
                    at < (start + ph.p_filesz).next_multiple_of(PAGE),
                    "file page beyond filesz"
                );
                assert_eq!(m.file_len, m.len.min(file_len - off));
            } else {
                assert!(
                    at >= (start + ph.p_filesz).next_multiple_of(PAGE),
                    "anonymous page holds file bytes"
                );
            }
            at = m.addr + m.len;
        }
        let file_end = start + ph.p_filesz;
        let zeroing = mine.iter().find_map(|m| {
            m.zero_from
                .filter(|&z| z > m.addr && z <= m.addr + m.len && z == file_end)
        });
        let needs_zeroing = ph.p_memsz > ph.p_filesz && ph.p_filesz > 0 && file_end % PAGE != 0;
        assert_eq!(
            zeroing.is_some(),
            needs_zeroing,
            "{which:?}: zero_from of segment {:#x}",
            ph.p_vaddr
        );
    }
    assert_eq!(mine.len(), mine.iter().filter(|m| m.len > 0).count());
}

fn check_global(plan: &LoadPlan) {
    for m in &plan.mappings {
        assert_eq!(m.addr % PAGE, 0, "{m:?}");
        assert_eq!(m.len % PAGE, 0, "{m:?}");
        assert!(m.len > 0);
        assert_eq!(m.file_offset.unwrap_or(0) % PAGE, 0, "{m:?}");
        assert!(m.addr + m.len <= 0x7fff_ffff_f000);
    }
    for pair in plan.mappings.windows(2) {
        assert!(
            pair[0].addr + pair[0].len <= pair[1].addr,
            "overlap: {pair:?}"
        );
    }
}

fn phdr_vaddr(elf: &ElfFile<'_>) -> u64 {
    let ph = elf.program_headers();
    if let Some(p) = ph.iter().find(|p| p.p_type == 6) {
        return p.p_vaddr;
    }
    let phoff = elf.header().e_phoff;
    let load = ph
        .iter()
        .find(|p| p.p_type == 1 && p.p_offset <= phoff && phoff < p.p_offset + p.p_filesz)
        .expect("phdrs loaded");
    load.p_vaddr + (phoff - load.p_offset)
}

fn brk_of(elf: &ElfFile<'_>, bias: u64) -> u64 {
    let end = elf
        .program_headers()
        .iter()
        .filter(|p| p.p_type == 1)
        .map(|p| p.p_vaddr + p.p_memsz)
        .max()
        .expect("loads");
    (end + bias).next_multiple_of(PAGE)
}

fn ld_so() -> MappedElf {
    let path = std::fs::canonicalize("/lib64/ld-linux-x86-64.so.2").expect("ld.so");
    MappedElf::open(&path).expect("open ld.so")
}

#[test]
fn pie_program_with_interpreter() {
    let ls = MappedElf::open(Path::new("/bin/ls")).expect("ls");
    let ld = ld_so();
    let (prog, interp) = (ls.elf(), ld.elf());
    let opts = PlanOptions {
        base: 0x5555_5555_4000,
        interp_base: 0x7fff_f7fc_0000,
        page_size: PAGE,
    };
    let plan = load_plan(&prog, Some(&interp), &opts).expect("plan");
    check_global(&plan);
    check_object(&plan, &prog, MappedObject::Program, opts.base);
    check_object(&plan, &interp, MappedObject::Interpreter, opts.interp_base);
    assert_eq!(
        plan.interpreter.as_deref(),
        Some("/lib64/ld-linux-x86-64.so.2")
    );
    assert_eq!(plan.entry, opts.interp_base + interp.header().e_entry);
    assert_eq!(plan.auxv.at_entry, opts.base + prog.header().e_entry);
    assert_eq!(plan.auxv.at_base, opts.interp_base);
    assert_eq!(plan.auxv.at_phdr, opts.base + phdr_vaddr(&prog));
    assert_eq!(plan.auxv.at_phnum, u64::from(prog.header().e_phnum));
    assert_eq!(plan.auxv.at_phent, 56);
    assert_eq!(plan.brk_start, brk_of(&prog, opts.base));

    // The interpreter is required, and must not collide with the program.
    let e = load_plan(&prog, None, &opts).expect_err("no interpreter");
    assert_eq!(e.kind, ElfErrorKind::InvalidSpec);
    let e = load_plan(
        &prog,
        Some(&interp),
        &PlanOptions {
            interp_base: opts.base + PAGE,
            ..opts
        },
    )
    .expect_err("overlap");
    assert_eq!(e.kind, ElfErrorKind::InvalidSpec);
}

#[test]
fn et_exec_program_ignores_the_base() {
    let python = MappedElf::open(Path::new("/usr/bin/python3.11")).expect("python3.11");
    let ld = ld_so();
    let (prog, interp) = (python.elf(), ld.elf());
    assert_eq!(prog.header().e_type, 2);
    let opts = PlanOptions::default();
    let plan = load_plan(&prog, Some(&interp), &opts).expect("plan");
    check_global(&plan);
    check_object(&plan, &prog, MappedObject::Program, 0);
    check_object(&plan, &interp, MappedObject::Interpreter, opts.interp_base);
    assert_eq!(plan.auxv.at_entry, prog.header().e_entry);
    assert_eq!(plan.auxv.at_phdr, phdr_vaddr(&prog));
    assert_eq!(plan.auxv.at_base, opts.interp_base);
    assert_eq!(plan.brk_start, brk_of(&prog, 0));
    let first = plan.mappings.first().expect("mappings");
    assert_eq!(
        first.addr,
        prog.program_headers()
            .iter()
            .find(|p| p.p_type == 1)
            .expect("load")
            .p_vaddr
            & !(PAGE - 1)
    );
}

#[test]
fn interpreter_alone_is_a_program() {
    // `ld.so ./prog` runs the interpreter as the program: no PT_INTERP, ET_DYN.
    let ld = ld_so();
    let elf = ld.elf();
    let opts = PlanOptions::default();
    let plan = load_plan(&elf, None, &opts).expect("plan");
    check_global(&plan);
    check_object(&plan, &elf, MappedObject::Program, opts.base);
    assert_eq!((plan.interpreter, plan.auxv.at_base), (None, 0));
    assert_eq!(plan.entry, opts.base + elf.header().e_entry);
}

#[test]
fn static_binary_has_no_interpreter() {
    let gcc = Path::new("/usr/bin/gcc");
    if !gcc.is_file() {
        skip(
            "static_binary_has_no_interpreter",
            "no /usr/bin/gcc to build a static binary",
        );
        return;
    }
    let dir = scratch_dir("static");
    let src = dir.join("hello.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n",
    )
    .expect("write source");
    for (flag, e_type) in [("-static", 2u16), ("-static-pie", 3)] {
        let exe = dir.join(format!("hello{flag}"));
        let out = Command::new(gcc)
            .arg(flag)
            .arg("-O1")
            .arg("-o")
            .arg(&exe)
            .arg(&src)
            .output()
            .expect("run gcc");
        if !out.status.success() {
            skip(
                "static_binary_has_no_interpreter",
                &format!(
                    "gcc {flag} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ),
            );
            continue;
        }
        let mapped = MappedElf::open(&exe).expect("open");
        let elf = mapped.elf();
        assert_eq!(elf.header().e_type, e_type, "{flag}");
        assert_eq!(elf.interpreter(), Ok(None), "{flag}");
        let opts = PlanOptions::default();
        let plan = load_plan(&elf, None, &opts).expect("plan");
        let bias = if e_type == 3 { opts.base } else { 0 };
        check_global(&plan);
        check_object(&plan, &elf, MappedObject::Program, bias);
        assert_eq!(plan.interpreter, None);
        assert_eq!(plan.entry, elf.header().e_entry + bias, "{flag}");
        assert_eq!(plan.auxv.at_base, 0);
        assert_eq!(plan.auxv.at_phdr, phdr_vaddr(&elf) + bias, "{flag}");
        let ld = ld_so();
        let e =
            load_plan(&elf, Some(&ld.elf()), &opts).expect_err("interpreter for a static binary");
        assert_eq!(e.kind, ElfErrorKind::InvalidSpec);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
