//! `--info` (what this machine allows) and the `--stats` report.

use alloc::string::String;
use core::fmt::Write;

use crate::host;
use crate::print::FdWriter;

const PR_SET_SYSCALL_USER_DISPATCH: u64 = 59;
const PR_SYS_DISPATCH_OFF: u64 = 0;
const PR_SYS_DISPATCH_ON: u64 = 1;
const PR_GET_SECCOMP: u64 = 21;

struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
}

fn checks() -> [Check; 5] {
    let (start, end) = host::raw::code_range();
    static SELECTOR: u8 = 0;
    // SAFETY: turning dispatch on (selector ALLOW: nothing is dispatched) and off again.
    let sud = unsafe {
        host::prctl(
            PR_SET_SYSCALL_USER_DISPATCH,
            PR_SYS_DISPATCH_ON,
            start as u64,
            (end - start) as u64,
            &SELECTOR as *const u8 as u64,
        )
    };
    // SAFETY: as above.
    let _ = unsafe { host::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0) };
    let min_addr = super::read_host_file("/proc/sys/vm/mmap_min_addr")
        .map(|b| String::from_utf8_lossy(&b).trim().into())
        .unwrap_or_else(|_| String::from("?"));
    // SAFETY: probing whether page 0 can be mapped; unmapped again at once.
    let page0 = unsafe { host::mmap(0, 4096, 0, 0x02 | 0x20 | 0x100000, -1, 0) };
    if page0 == Ok(0) {
        // SAFETY: our probe mapping.
        let _ = unsafe { host::munmap(0, 4096) };
    }
    // SAFETY: PR_GET_SECCOMP takes no pointers.
    let seccomp = unsafe { host::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) };
    let fsgsbase = super::host_aux().hwcap2 & 2 != 0;
    let (limits_ok, limits) = super::limits::describe();
    [
        Check {
            name: "syscall user dispatch",
            ok: sud.is_ok(),
            detail: match sud {
                Ok(_) => String::from("available: every app syscall traps to the kernel"),
                Err(e) => alloc::format!("not available ({}): needs Linux 5.11 or newer", e.name()),
            },
        },
        Check {
            name: "fast rewriting path",
            ok: page0 == Ok(0),
            detail: match page0 {
                Ok(0) => alloc::format!("page 0 can be mapped (vm.mmap_min_addr = {min_addr}): hot syscall sites are rewritten to call the kernel"),
                Ok(_) | Err(_) => alloc::format!("page 0 cannot be mapped (vm.mmap_min_addr = {min_addr}, no CAP_SYS_RAWIO): syscalls stay on the SIGSYS path; set vm.mmap_min_addr=0 or run as root"),
            },
        },
        Check {
            name: "seccomp",
            ok: seccomp.is_ok(),
            detail: match seccomp {
                Ok(0) => String::from("available: the kernel locks its host calls down after start-up"),
                Ok(_) => String::from("already in seccomp mode: a filter will be stacked on the existing one"),
                Err(e) => alloc::format!("not available ({})", e.name()),
            },
        },
        Check {
            name: "fsgsbase",
            ok: fsgsbase,
            detail: if fsgsbase {
                String::from("available: the app keeps FS, the kernel uses GS")
            } else {
                String::from("not enabled by the host kernel: the kernel cannot run here")
            },
        },
        Check {
            name: "resource limits",
            ok: limits_ok,
            detail: limits,
        },
    ]
}

/// Prints the checks; exit status 0 when the kernel can run here.
pub fn print(json: bool) -> i32 {
    let checks = checks();
    let mut w = FdWriter::new(1);
    if json {
        let _ = write!(w, "{{");
        for (i, c) in checks.iter().enumerate() {
            let key = c.name.replace(' ', "_");
            let _ = write!(
                w,
                "{}\"{key}\":{{\"ok\":{},\"detail\":\"{}\"}}",
                if i > 0 { "," } else { "" },
                c.ok,
                c.detail.replace('"', "'")
            );
        }
        let _ = writeln!(w, "}}");
    } else {
        for c in &checks {
            let _ = writeln!(
                w,
                "{:<24} {:<4} {}",
                c.name,
                if c.ok { "yes" } else { "no" },
                c.detail
            );
        }
    }
    w.flush();
    if checks[0].ok && checks[3].ok {
        0
    } else {
        1
    }
}

fn name(nr: usize) -> &'static str {
    junction_abi::syscall_by_nr(nr).map_or("?", |i| i.name)
}

pub fn print_stats(cycles_per_us: u64) {
    let mut w = FdWriter::new(2);
    let rows: alloc::vec::Vec<_> = crate::stats::rows().collect();
    let calls: u64 = rows.iter().map(|r| r.calls).sum();
    let zero_host: u64 = rows
        .iter()
        .filter(|r| r.host_calls == 0)
        .map(|r| r.calls)
        .sum();
    let _ = writeln!(
        w,
        "junction: {calls} syscalls; served in user space with no host call: {zero_host}"
    );
    let _ = writeln!(
        w,
        "{:<20} {:>9} {:>11} {:>9} {:>12}",
        "syscall", "calls", "host calls", "sigsys", "time (us)"
    );
    for r in &rows {
        let _ = writeln!(
            w,
            "{:<20} {:>9} {:>11} {:>9} {:>12}",
            name(r.nr),
            r.calls,
            r.host_calls,
            r.sigsys,
            r.cycles / cycles_per_us
        );
    }
}

pub fn write_stats_json(path: &str, cycles_per_us: u64) {
    let mut cpath = path.as_bytes().to_vec();
    cpath.push(0);
    let Ok(fd) = host::openat2(-100, &cpath, 0o1 | 0o100 | 0o1000 | 0o2000000, 0o644, 0) else {
        crate::eprintln!("junction: cannot write --stats-json {path}");
        return;
    };
    let mut w = FdWriter::new(fd);
    let _ = write!(w, "{{\"syscalls\":[");
    for (i, r) in crate::stats::rows().enumerate() {
        let _ = write!(
            w,
            "{}{{\"nr\":{},\"name\":\"{}\",\"calls\":{},\"hostCalls\":{},\"sigsys\":{},\"timeUs\":{}}}",
            if i > 0 { "," } else { "" },
            r.nr,
            name(r.nr),
            r.calls,
            r.host_calls,
            r.sigsys,
            r.cycles / cycles_per_us
        );
    }
    let _ = writeln!(w, "]}}");
    w.flush();
    let _ = host::close(fd);
}
