//! gzip and xz round trips, natively and under the kernel. The streams go through stdout and
//! stdin (no shell pipeline: fork/exec is not served yet); the kernel's compressed bytes
//! must equal the native ones and decompress to the original.

mod common;

use common::{ready, scrambled_numbers, tree_summary, Fixture, Matrix, Run, FRUIT};

const GZIP: &str = "/usr/bin/gzip";
const XZ: &str = "/usr/bin/xz";

fn fixture(name: &str) -> Fixture {
    let f = Fixture::new(name);
    f.file("numbers.txt", scrambled_numbers(100_000));
    f.file("fruit.txt", FRUIT);
    f.file("empty", "");
    // Incompressible bytes (an LCG), so the stored/uncompressed paths run too.
    let mut x: u32 = 1;
    let noise: Vec<u8> = (0..300_000)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect();
    f.file("noise.bin", noise);
    f
}

/// Compresses `input` with `pack` both ways, then decompresses the result with `unpack`
/// from stdin both ways; both results must match natively and give the input back.
fn round_trip(
    m: &mut Matrix,
    f: &Fixture,
    program: &str,
    pack: &[&str],
    unpack: &[&str],
    input: &str,
) {
    let original = std::fs::read(f.path(input)).expect("input");
    let Some(packed) = m.check(Run::new(program).args(pack).args([f.path(input)])) else {
        return;
    };
    let Some(unpacked) = m.check(Run::new(program).args(unpack).stdin(packed.stdout)) else {
        return;
    };
    if unpacked.stdout != original {
        m.fail(format!(
            "{program} {pack:?} then {unpack:?} did not give {input} back"
        ));
    }
}

#[test]
fn gzip_round_trips() {
    if !ready(&[GZIP]) {
        return;
    }
    let f = fixture("compress-gzip");
    let mut m = Matrix::new();
    // -n keeps the name and time stamp out of the header: a pipe's time stamp is the time
    // it was made, so stdin differs between the runs.
    for input in ["numbers.txt", "fruit.txt", "empty", "noise.bin"] {
        round_trip(&mut m, &f, GZIP, &["-n", "-c"], &["-d", "-c"], input);
    }
    // With the header's name and mtime: the same file both times, so the same bytes.
    round_trip(&mut m, &f, GZIP, &["-c"], &["-d", "-c"], "numbers.txt");
    round_trip(
        &mut m,
        &f,
        GZIP,
        &["-n", "-1", "-c"],
        &["-d", "-c"],
        "numbers.txt",
    );
    round_trip(
        &mut m,
        &f,
        GZIP,
        &["-n", "-9", "-c"],
        &["-d", "-c"],
        "numbers.txt",
    );
    // Compressing stdin (a seekable file, then a pipe).
    m.check(
        Run::new(GZIP)
            .args(["-n", "-c"])
            .stdin_file(f.path("numbers.txt")),
    );
    m.check(Run::new(GZIP).args(["-n", "-c"]).stdin(FRUIT));
    // Listing and testing a compressed file made natively.
    let gz = std::process::Command::new(GZIP)
        .args(["-n", "-c"])
        .arg(f.path("numbers.txt"))
        .output()
        .expect("native gzip");
    f.file("numbers.txt.gz", gz.stdout);
    m.check(Run::new(GZIP).args(["-l", "numbers.txt.gz"]).cwd(&f.root));
    m.check(
        Run::new(GZIP)
            .args(["-t", "-v", "numbers.txt.gz"])
            .cwd(&f.root),
    );
    m.check(
        Run::new(GZIP)
            .args(["-d", "-c", "fruit.txt"])
            .cwd(&f.root)
            .status(1),
    );
    m.check(
        Run::new(GZIP)
            .args(["-d", "-c", "missing.gz"])
            .cwd(&f.root)
            .status(1),
    );
    m.finish();
}

#[test]
fn xz_round_trips() {
    if !ready(&[XZ]) {
        return;
    }
    let f = fixture("compress-xz");
    let mut m = Matrix::new();
    for input in ["numbers.txt", "fruit.txt", "empty", "noise.bin"] {
        round_trip(&mut m, &f, XZ, &["-c"], &["-d", "-c"], input);
    }
    round_trip(&mut m, &f, XZ, &["-0", "-c"], &["-d", "-c"], "numbers.txt");
    round_trip(
        &mut m,
        &f,
        XZ,
        &["-9", "-e", "-c"],
        &["-d", "-c"],
        "fruit.txt",
    );
    round_trip(
        &mut m,
        &f,
        XZ,
        &["--format=lzma", "-c"],
        &["--format=lzma", "-d", "-c"],
        "numbers.txt",
    );
    round_trip(
        &mut m,
        &f,
        XZ,
        &["--check=sha256", "-c"],
        &["-d", "-c"],
        "numbers.txt",
    );
    m.check(Run::new(XZ).args(["-c"]).stdin_file(f.path("numbers.txt")));
    let xz = std::process::Command::new(XZ)
        .args(["-c"])
        .arg(f.path("numbers.txt"))
        .output()
        .expect("native xz");
    f.file("numbers.txt.xz", xz.stdout);
    m.check(Run::new(XZ).args(["-l", "numbers.txt.xz"]).cwd(&f.root));
    m.check(
        Run::new(XZ)
            .args(["-l", "-v", "-v", "numbers.txt.xz"])
            .cwd(&f.root),
    );
    m.check(Run::new(XZ).args(["-t", "numbers.txt.xz"]).cwd(&f.root));
    m.check(
        Run::new(XZ)
            .args(["-d", "-c", "fruit.txt"])
            .cwd(&f.root)
            .status(1),
    );
    m.finish();
}

// Compressing a file in place: gzip/xz copy the original's owner, mode and times onto the
// new file with fchown, fchmod and utimensat (forwarded to the host in the --rw directory).
#[test]
fn in_place_round_trips() {
    if !ready(&[GZIP, XZ]) {
        return;
    }
    let f = fixture("compress-in-place");
    let work = f.path("work");
    let mut m = Matrix::new();
    for (program, suffix) in [(GZIP, "gz"), (XZ, "xz")] {
        let (dir, again) = (work.clone(), work.clone());
        let pack = Run::new(program)
            .args(["-k", "numbers.txt"])
            .cwd(&work)
            .kernel_options(["--rw", &f.arg("work")])
            .reset(move || {
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).expect("work dir");
                let input = dir.join("numbers.txt");
                std::fs::write(&input, scrambled_numbers(100_000)).expect("input");
                // gzip puts the input's mtime in its header: the same for both runs.
                let fixed = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
                std::fs::File::options()
                    .write(true)
                    .open(&input)
                    .and_then(|f| f.set_modified(fixed))
                    .expect("input mtime");
            })
            .observe(move || tree_summary(&again));
        m.check(pack);
        let (dir, again) = (work.clone(), work.clone());
        let packed = format!("numbers.txt.{suffix}");
        let unpack = Run::new(program)
            .args(["-d", "-f", &packed])
            .cwd(&work)
            .kernel_options(["--rw", &f.arg("work")])
            .reset(move || {
                let status = std::process::Command::new(program)
                    .args(["-k", "-f", "numbers.txt"])
                    .current_dir(&dir)
                    .status()
                    .expect("native pack");
                assert!(status.success());
                let _ = std::fs::remove_file(dir.join("numbers.txt"));
            })
            .observe(move || tree_summary(&again));
        m.check(unpack);
    }
    m.finish();
}

// xz -T2 compresses blocks in worker threads (clone3 with CLONE_THREAD); without threads it
// prints "Cannot allocate memory".
#[test]
fn xz_with_threads() {
    if !ready(&[XZ]) {
        return;
    }
    let f = fixture("compress-xz-threads");
    let mut m = Matrix::new();
    round_trip(
        &mut m,
        &f,
        XZ,
        &["-T2", "--block-size=65536", "-c"],
        &["-T2", "-d", "-c"],
        "numbers.txt",
    );
    m.finish();
}
