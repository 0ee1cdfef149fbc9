//! Resource use and scheduling priority: getrusage, times, getpriority/setpriority.
//!
//! The instance is one host process, so its CPU time and memory use are the host's
//! (getrusage is forwarded; the kernel's own work is counted, as Linux counts its own in
//! system time). It has never had a child, so the children's figures are zero. The nice
//! value is the kernel's: kept and reported, not applied to the host scheduler.

use junction_abi::{
    structs::{Rusage, Tms},
    Errno,
};

use super::Args;
use crate::state::{self, Kernel};
use crate::{host, user};

const RUSAGE_SELF: i32 = 0;
const RUSAGE_CHILDREN: i32 = -1;
const RUSAGE_THREAD: i32 = 1;

pub fn getrusage(a: &Args) -> Result<u64, Errno> {
    let usage = match a[0] as i32 {
        // Each app thread runs on its own host thread, so RUSAGE_THREAD is the host's too.
        who @ (RUSAGE_SELF | RUSAGE_THREAD) => host::getrusage(who)?,
        RUSAGE_CHILDREN => Rusage::zeroed(),
        _ => return Err(Errno::EINVAL),
    };
    user::write(&state::lock().vm.vmas, a[1], &usage)?;
    Ok(0)
}

/// CPU times in clock ticks; the return value is ticks since an arbitrary point in the past
/// (boot, as on Linux).
pub fn times(a: &Args) -> Result<u64, Errno> {
    let (utime, stime) = host::cpu_ticks();
    if a[0] != 0 {
        let tms = Tms {
            tms_utime: utime as i64,
            tms_stime: stime as i64,
            tms_cutime: 0,
            tms_cstime: 0,
        };
        user::write(&state::lock().vm.vmas, a[0], &tms)?;
    }
    Ok(crate::time::monotonic_ns() / 10_000_000)
}

const PRIO_PROCESS: u64 = 0;
const PRIO_PGRP: u64 = 1;
const PRIO_USER: u64 = 2;
const MIN_NICE: i32 = -20;
const MAX_NICE: i32 = 19;
const RLIMIT_NICE: usize = 13;

/// Whether (which, who) names the instance's process, the only one it has.
fn names_us(k: &Kernel, which: u64, who: i32) -> Result<bool, Errno> {
    Ok(match which {
        PRIO_PROCESS => who == 0 || who == k.pid,
        PRIO_PGRP => who == 0 || who == k.pgid,
        PRIO_USER => who == 0 || who as u32 as u64 == crate::start::host_aux().uid,
        _ => return Err(Errno::EINVAL),
    })
}

/// The raw syscall answers 20 - nice (1..=40), so that no answer looks like an errno; the
/// C library turns it back into the nice value.
pub fn getpriority(a: &Args) -> Result<u64, Errno> {
    let k = state::lock();
    if !names_us(&k, a[0], a[1] as i32)? {
        return Err(Errno::ESRCH);
    }
    Ok((20 - k.nice) as u64)
}

pub fn setpriority(a: &Args) -> Result<u64, Errno> {
    let mut k = state::lock();
    if !names_us(&k, a[0], a[1] as i32)? {
        return Err(Errno::ESRCH);
    }
    let nice = (a[2] as i32).clamp(MIN_NICE, MAX_NICE);
    // Raising the priority needs RLIMIT_NICE to allow it (20 - nice is the limit's scale),
    // or, as prlimit64 treats it, the host's root.
    let allowed =
        (20 - nice) as u64 <= k.rlimits[RLIMIT_NICE].rlim_cur || crate::start::host_aux().euid == 0;
    if nice < k.nice && !allowed {
        return Err(Errno::EACCES);
    }
    k.nice = nice;
    Ok(0)
}
