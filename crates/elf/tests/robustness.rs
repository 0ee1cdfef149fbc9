//! Malformed input gives `Ok` or an `ElfError`: never a panic, never a hang.
//!
//! Every prefix of a real binary and thousands of seeded corruptions of real binaries go
//! through `parse`, every accessor and `load_plan`. Each case runs under `catch_unwind`; a
//! watchdog fails the test, naming the case, if one takes too long.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::XorShift;
use junction_elf::{load_plan, ElfFile, MappedElf, PlanOptions, SymbolTableKind};

/// Runs everything on `bytes`; returns whether parsing succeeded and how many accessors
/// returned errors.
fn exercise(bytes: &[u8]) -> (bool, usize) {
    let Ok(elf) = ElfFile::parse(bytes) else {
        return (false, 0);
    };
    let _ = (elf.header(), elf.program_headers(), elf.data());
    let mut errors = 0;
    let mut count = |failed: bool| errors += usize::from(failed);
    count(elf.section_headers().is_err());
    count(elf.interpreter().is_err());
    for kind in [SymbolTableKind::Symtab, SymbolTableKind::Dynsym] {
        count(elf.symbols(kind).is_err());
        count(elf.symbol_count(kind).is_err());
    }
    count(elf.notes().is_err());
    count(elf.build_id().is_err());
    count(elf.dynamic().is_err());
    let opts = PlanOptions::default();
    count(load_plan(&elf, None, &opts).is_err());
    // The corrupted file as its own interpreter, too (placed elsewhere).
    count(load_plan(&elf, Some(&elf), &opts).is_err());
    if let Ok(owned) = MappedElf::from_vec(bytes.to_vec()) {
        count(owned.elf().notes().is_err());
    }
    (true, errors)
}

/// Runs `cases` (each described by a string) on a worker thread under `catch_unwind`, with a
/// watchdog; panics listing the cases that panicked or the one that hung.
fn run_cases(name: &str, cases: Vec<(String, Vec<u8>)>, limit: Duration) -> (usize, usize) {
    let current = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let descriptions: Vec<String> = cases.iter().map(|(d, _)| d.clone()).collect();
    let worker = {
        let (current, done) = (Arc::clone(&current), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut panicked = Vec::new();
            let (mut parsed, mut accessor_errors) = (0, 0);
            for (i, (description, bytes)) in cases.into_iter().enumerate() {
                current.store(i as u64, Ordering::Relaxed);
                match catch_unwind(AssertUnwindSafe(|| exercise(&bytes))) {
                    Ok((ok, errors)) => {
                        parsed += usize::from(ok);
                        accessor_errors += errors;
                    }
                    Err(_) => panicked.push(description),
                }
            }
            done.store(true, Ordering::Release);
            (panicked, parsed, accessor_errors)
        })
    };
    let start = Instant::now();
    while !done.load(Ordering::Acquire) {
        if start.elapsed() > limit {
            let i = current.load(Ordering::Relaxed) as usize;
            panic!(
                "{name}: case {i} ({}) did not finish within {limit:?}",
                descriptions.get(i).map_or("?", String::as_str)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (panicked, parsed, accessor_errors) = worker.join().expect("worker thread");
    assert!(
        panicked.is_empty(),
        "{name}: {} cases panicked:\n{}",
        panicked.len(),
        panicked.join("\n")
    );
    (parsed, accessor_errors)
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_prefix_of_a_real_binary() {
    let bytes = read("/usr/bin/true");
    let cases: Vec<_> = (0..=bytes.len())
        .map(|n| (format!("/usr/bin/true[..{n}]"), bytes[..n].to_vec()))
        .collect();
    let total = cases.len();
    let (parsed, errors) = run_cases("prefixes", cases, Duration::from_secs(120));
    // Prefixes that hold the headers parse, and most of them then fail somewhere later.
    assert!(
        parsed > total / 2,
        "only {parsed} of {total} prefixes parsed"
    );
    assert!(
        errors > total / 2,
        "only {errors} accessor errors over {total} prefixes"
    );
    let whole = ElfFile::parse(&bytes).expect("the whole file parses");
    assert!(whole.section_headers().is_ok() && whole.dynamic().is_ok() && whole.notes().is_ok());
}

/// File ranges worth corrupting: headers, tables, string tables, notes, dynamic.
fn hot_ranges(bytes: &[u8]) -> Vec<(String, usize, usize)> {
    let elf = ElfFile::parse(bytes).expect("pristine file parses");
    let h = elf.header();
    let mut ranges = vec![
        ("ehdr".to_string(), 0, 64),
        (
            "phdrs".to_string(),
            h.e_phoff as usize,
            h.e_phoff as usize + 56 * h.e_phnum as usize,
        ),
        (
            "shdrs".to_string(),
            h.e_shoff as usize,
            h.e_shoff as usize + 64 * h.e_shnum as usize,
        ),
    ];
    for s in elf.section_headers().expect("sections") {
        let wanted = matches!(s.sh_type, 2 | 3 | 6 | 7 | 11) || s.name == ".interp";
        if wanted && s.sh_type != 8 && s.sh_size > 0 {
            ranges.push((
                s.name.clone(),
                s.sh_offset as usize,
                (s.sh_offset + s.sh_size) as usize,
            ));
        }
    }
    ranges
}

/// One corruption: a few byte flips, or an "interesting" value written over a field-aligned
/// word, mostly inside the hot ranges; sometimes also a truncation.
fn corrupt(
    bytes: &[u8],
    ranges: &[(String, usize, usize)],
    rng: &mut XorShift,
) -> (String, Vec<u8>) {
    let mut out = bytes.to_vec();
    let mut what = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let (name, start, end) = if rng.below(8) == 0 {
            ("anywhere", 0, out.len())
        } else {
            let (n, s, e) = &ranges[rng.below(ranges.len() as u64) as usize];
            (n.as_str(), *s, (*e).min(out.len()))
        };
        if end <= start {
            continue;
        }
        let at = start + rng.below((end - start) as u64) as usize;
        match rng.below(3) {
            0 => {
                let bit = 1u8 << rng.below(8);
                out[at] ^= bit;
                what.push(format!("{name}: flip {bit:#x} at {at:#x}"));
            }
            1 => {
                let v = rng.next() as u8;
                out[at] = v;
                what.push(format!("{name}: byte {v:#x} at {at:#x}"));
            }
            _ => {
                const INTERESTING: [u64; 9] = [
                    0,
                    1,
                    0x7f,
                    0xff,
                    0xffff,
                    0x7fff_ffff,
                    0xffff_ffff,
                    0x8000_0000_0000_0000,
                    u64::MAX,
                ];
                let v = INTERESTING[rng.below(INTERESTING.len() as u64) as usize];
                let width = [2usize, 4, 8][rng.below(3) as usize];
                let at = at & !(width - 1);
                let end = (at + width).min(out.len());
                out[at..end].copy_from_slice(&v.to_le_bytes()[..end - at]);
                what.push(format!("{name}: {width}-byte {v:#x} at {at:#x}"));
            }
        }
    }
    if rng.below(10) == 0 {
        let n = rng.below(out.len() as u64 + 1) as usize;
        out.truncate(n);
        what.push(format!("truncate to {n:#x}"));
    }
    (what.join("; "), out)
}

#[test]
fn seeded_corruptions_of_real_binaries() {
    // JUNCTION_ELF_FUZZ_SCALE=N runs N times as many cases (longer local runs; CI uses 1).
    let scale: usize = std::env::var("JUNCTION_ELF_FUZZ_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut total_parsed = 0;
    let mut total = 0;
    for (path, count, seed) in [
        ("/usr/bin/true", 3000, 0x1234_5678_9abc_def1u64),
        ("/bin/ls", 1500, 0x0fed_cba9_8765_4321),
    ] {
        let bytes = read(path);
        let ranges = hot_ranges(&bytes);
        let mut rng = XorShift(seed);
        let count = count * scale;
        let cases: Vec<_> = (0..count)
            .map(|i| {
                let (what, data) = corrupt(&bytes, &ranges, &mut rng);
                (format!("{path} seed {seed:#x} case {i}: {what}"), data)
            })
            .collect();
        let (parsed, _) = run_cases(path, cases, Duration::from_secs(120) * scale as u32);
        total_parsed += parsed;
        total += count;
    }
    // Most corruptions leave the file header intact, so the later accessors were reached.
    assert!(
        total_parsed > total / 2,
        "only {total_parsed} of {total} corrupted files parsed"
    );
}
