//! `--trace`: every syscall printed like strace, decoded with `junction_abi::format`, with
//! how it was served. Also the once-only log of unsupported calls.

use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};

use junction_abi::format::{format_call_with, format_return, FormatOptions, MemoryReader};

use crate::arch::EntryPath;
use crate::print::FdWriter;

static ENABLED: AtomicBool = AtomicBool::new(false);
/// The host fd trace lines go to (stderr unless --trace-file).
static FD: AtomicI32 = AtomicI32::new(2);
/// Bit per syscall number already reported as unsupported (512 numbers).
static UNSUPPORTED_SEEN: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

pub fn enable(fd: i32) {
    FD.store(fd, Ordering::Relaxed);
    ENABLED.store(true, Ordering::Relaxed);
}

#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

struct AppMemory;

impl MemoryReader for AppMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> bool {
        let k = crate::state::lock();
        match crate::user::slice(&k.vm.vmas, addr, buf.len()) {
            Ok(bytes) => {
                buf.copy_from_slice(bytes);
                true
            }
            Err(_) => false,
        }
    }
}

/// Prints one finished call. Out-arguments are shown as they are after the call.
pub fn record(nr: u64, args: &[u64; 6], ret: u64, path: EntryPath) {
    let mut w = FdWriter::new(FD.load(Ordering::Relaxed));
    // Once threads exist, say which one made the call, as strace -f does.
    if crate::sync::multithreaded() {
        let _ = write!(w, "[pid {}] ", crate::arch::context::current().tid);
    }
    let options = FormatOptions::exit(ret);
    let _ = format_call_with(&mut w, nr as usize, args, Some(&AppMemory), &options);
    let _ = w.write_str(" = ");
    let _ = format_return(&mut w, nr as usize, ret);
    let how = match (
        junction_abi::syscall_by_nr(nr as usize).map(|i| i.status),
        path,
    ) {
        (Some(junction_abi::Status::Host(_)), _) => "host",
        (None, _) | (Some(junction_abi::Status::Unsupported), _) => "unsupported",
        (_, EntryPath::Sigsys { .. }) => "served, sigsys",
        (_, EntryPath::Rewritten) => "served, rewritten",
    };
    let _ = writeln!(w, " <{how}>");
}

/// The first time the app calls a syscall the kernel does not serve, say so (with --trace,
/// or when JUNCTION_LOG_UNSUPPORTED is set) — once per number.
pub fn log_unsupported_once(nr: u64) {
    let index = (nr as usize).min(511);
    let bit = 1u64 << (index % 64);
    if UNSUPPORTED_SEEN[index / 64].fetch_or(bit, Ordering::Relaxed) & bit != 0 {
        return;
    }
    if enabled() || crate::start::log_unsupported() {
        let name = junction_abi::syscall_by_nr(nr as usize).map_or("?", |i| i.name);
        crate::eprintln!("junction: syscall {name} ({nr}) is not supported; the app gets ENOSYS");
    }
}
