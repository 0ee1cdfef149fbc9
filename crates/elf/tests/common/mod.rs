//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Prints a skip notice that `cargo test` does not swallow: libtest captures the print
/// macros, not direct writes to the stderr handle.
pub fn skip(test: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

pub const READELF: &str = "/usr/bin/readelf";

pub fn have_readelf() -> bool {
    Path::new(READELF).is_file()
}

/// Runs readelf with `args` on `path`; returns stdout and stderr.
pub fn readelf(args: &[&str], path: &Path) -> (String, String) {
    let out = Command::new(READELF)
        .args(args)
        .arg(path)
        .output()
        .expect("run readelf");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A tiny deterministic PRNG (xorshift64*), so fuzz cases are reproducible by seed.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform-ish in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The real files every comparison uses.
pub fn core_files() -> Vec<PathBuf> {
    let mut files = vec![
        PathBuf::from("/bin/ls"),
        PathBuf::from("/usr/bin/python3.11"),
        PathBuf::from("/usr/lib/x86_64-linux-gnu/libc.so.6"),
    ];
    if let Ok(ld) = std::fs::canonicalize("/lib64/ld-linux-x86-64.so.2") {
        files.push(ld);
    }
    files.retain(|p| p.is_file());
    files
}

fn is_elf64(path: &Path) -> bool {
    let mut magic = [0u8; 5];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && magic == *b"\x7fELF\x02"
}

/// About `count` ELF64 files spread evenly over /usr/bin and /usr/lib/x86_64-linux-gnu
/// (deterministic: every k-th of the sorted list), at most `max_size` bytes each.
pub fn sample_files(count: usize, max_size: u64) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for dir in ["/usr/bin", "/usr/lib/x86_64-linux-gnu"] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_file() && meta.len() <= max_size && is_elf64(&path) {
                all.push(path);
            }
        }
    }
    all.sort();
    let step = (all.len() / count.max(1)).max(1);
    all.into_iter().step_by(step).take(count).collect()
}

/// A directory under the target dir, removed and recreated.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("junction-elf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}
