//! Identity and process-wide settings: pids (virtual), uids and groups, uname, rlimits,
//! arch_prctl, getrandom, sysinfo, exit_group. Per-thread calls are in clone.rs and sched.rs.

use junction_abi::{
    structs::{Rlimit, Sysinfo, Utsname},
    Errno,
};

use super::Args;
use crate::state::{self, RLIMIT_COUNT};
use crate::user;

pub fn getpid(_: &Args) -> Result<u64, Errno> {
    Ok(state::lock().pid as u64)
}

pub fn gettid(_: &Args) -> Result<u64, Errno> {
    Ok(crate::arch::context::current().tid as u64)
}

pub fn getppid(_: &Args) -> Result<u64, Errno> {
    Ok(state::lock().ppid as u64)
}

pub fn getuid(_: &Args) -> Result<u64, Errno> {
    Ok(crate::start::host_aux().uid)
}
pub fn geteuid(_: &Args) -> Result<u64, Errno> {
    Ok(crate::start::host_aux().euid)
}
pub fn getgid(_: &Args) -> Result<u64, Errno> {
    Ok(crate::start::host_aux().gid)
}
pub fn getegid(_: &Args) -> Result<u64, Errno> {
    Ok(crate::start::host_aux().egid)
}

/// Real, effective and saved ids: exec sets the saved id to the effective one, and the
/// instance cannot change them since.
fn write_ids(a: &Args, real: u64, effective: u64) -> Result<u64, Errno> {
    let vm = &state::lock().vm.vmas;
    for (addr, id) in [(a[0], real), (a[1], effective), (a[2], effective)] {
        user::write(vm, addr, &(id as u32))?;
    }
    Ok(0)
}

pub fn getresuid(a: &Args) -> Result<u64, Errno> {
    let aux = crate::start::host_aux();
    write_ids(a, aux.uid, aux.euid)
}

pub fn getresgid(a: &Args) -> Result<u64, Errno> {
    let aux = crate::start::host_aux();
    write_ids(a, aux.gid, aux.egid)
}

/// The supplementary groups: the host's, taken at start-up. setgroups is refused
/// (syscall::privileged): the host checks every file access with its own list, so a list
/// changed in the kernel alone would not be the one in force.
pub fn getgroups(a: &Args) -> Result<u64, Errno> {
    let size = a[0] as i32;
    let groups = crate::start::host_groups();
    if size < 0 {
        return Err(Errno::EINVAL);
    }
    if size == 0 {
        return Ok(groups.len() as u64);
    }
    if (size as usize) < groups.len() {
        return Err(Errno::EINVAL);
    }
    let k = state::lock();
    let out = user::slice_mut(&k.vm.vmas, a[1], groups.len() * 4)?;
    for (slot, gid) in out.chunks_exact_mut(4).zip(&groups) {
        slot.copy_from_slice(&gid.to_le_bytes());
    }
    Ok(groups.len() as u64)
}

pub fn getpgrp(_: &Args) -> Result<u64, Errno> {
    Ok(state::lock().pgid as u64)
}

pub fn getpgid(a: &Args) -> Result<u64, Errno> {
    let k = state::lock();
    match a[0] as i32 {
        0 => Ok(k.pgid as u64),
        p if p == k.pid => Ok(k.pgid as u64),
        _ => Err(Errno::ESRCH),
    }
}

pub fn getsid(a: &Args) -> Result<u64, Errno> {
    let k = state::lock();
    match a[0] as i32 {
        0 => Ok(k.sid as u64),
        p if p == k.pid => Ok(k.sid as u64),
        _ => Err(Errno::ESRCH),
    }
}

fn field<const N: usize>(text: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let n = text.len().min(N - 1);
    out[..n].copy_from_slice(&text[..n]);
    out
}

/// The instance's uname: the host's release and machine (programs check them for features),
/// the instance's own node name.
pub fn uname(a: &Args) -> Result<u64, Errno> {
    let host_uts = crate::start::host_uname();
    let uts = Utsname {
        sysname: field(b"Linux"),
        nodename: field(b"junction"),
        release: host_uts.release,
        version: host_uts.version,
        machine: field(b"x86_64"),
        domainname: field(b"(none)"),
    };
    user::write(&state::lock().vm.vmas, a[0], &uts)?;
    Ok(0)
}

const ARCH_SET_GS: u64 = 0x1001;
const ARCH_SET_FS: u64 = 0x1002;
const ARCH_GET_FS: u64 = 0x1003;
const ARCH_GET_GS: u64 = 0x1004;
const ARCH_GET_CPUID: u64 = 0x1011;
const ARCH_SET_CPUID: u64 = 0x1012;

/// FS belongs to the app (the kernel uses no TLS): set it directly. GS is the kernel's
/// per-thread context pointer, so the app cannot have it.
pub fn arch_prctl(a: &Args) -> Result<u64, Errno> {
    match a[0] {
        ARCH_SET_FS => {
            if a[1] >= 0x8000_0000_0000 {
                return Err(Errno::EPERM);
            }
            // SAFETY: FS is the app's TLS register; the kernel never uses FS.
            unsafe {
                core::arch::asm!("wrfsbase {}", in(reg) a[1], options(nostack, preserves_flags))
            };
            Ok(0)
        }
        ARCH_GET_FS => {
            // The FS base is the thread's own register, untouched by the kernel.
            let fs: u64;
            // SAFETY: reading FS base (FSGSBASE is checked at start-up).
            unsafe {
                core::arch::asm!("rdfsbase {}", out(reg) fs, options(nomem, nostack, preserves_flags))
            };
            user::write(&state::lock().vm.vmas, a[1], &fs)?;
            Ok(0)
        }
        ARCH_GET_GS => {
            user::write(&state::lock().vm.vmas, a[1], &0u64)?;
            Ok(0)
        }
        ARCH_SET_GS => Err(Errno::EPERM),
        ARCH_GET_CPUID => Ok(1),
        ARCH_SET_CPUID => Err(Errno::ENODEV),
        _ => Err(Errno::EINVAL),
    }
}

fn rlimit_index(resource: u64) -> Result<usize, Errno> {
    let i = resource as usize;
    if i < RLIMIT_COUNT {
        Ok(i)
    } else {
        Err(Errno::EINVAL)
    }
}

pub fn prlimit64(a: &Args) -> Result<u64, Errno> {
    let mut k = state::lock();
    let pid = a[0] as i32;
    if pid != 0 && pid != k.pid {
        return Err(Errno::ESRCH);
    }
    let index = rlimit_index(a[1])?;
    let old = k.rlimits[index];
    if a[2] != 0 {
        let new: Rlimit = user::read(&k.vm.vmas, a[2])?;
        if new.rlim_cur > new.rlim_max {
            return Err(Errno::EINVAL);
        }
        if new.rlim_max > old.rlim_max && crate::start::host_aux().euid != 0 {
            return Err(Errno::EPERM);
        }
        k.rlimits[index] = new;
        if index == 7 {
            k.fds.limit = new.rlim_cur.min(1 << 20) as usize;
        }
    }
    if a[3] != 0 {
        user::write(&k.vm.vmas, a[3], &old)?;
    }
    Ok(0)
}

pub fn getrlimit(a: &Args) -> Result<u64, Errno> {
    prlimit64(&[0, a[0], 0, a[1], 0, 0])
}

pub fn setrlimit(a: &Args) -> Result<u64, Errno> {
    prlimit64(&[0, a[0], a[1], 0, 0, 0])
}

const GRND_NONBLOCK: u64 = 1;
const GRND_RANDOM: u64 = 2;
const GRND_INSECURE: u64 = 4;

pub fn getrandom(a: &Args) -> Result<u64, Errno> {
    if a[2] & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || a[2] & (GRND_RANDOM | GRND_INSECURE) == (GRND_RANDOM | GRND_INSECURE)
    {
        return Err(Errno::EINVAL);
    }
    let k = state::lock();
    let buf = user::slice_mut(&k.vm.vmas, a[0], a[1].min(1 << 25) as usize)?;
    crate::random::fill(buf);
    Ok(buf.len() as u64)
}

pub fn sysinfo(a: &Args) -> Result<u64, Errno> {
    let mut info: Sysinfo = crate::start::host_sysinfo();
    let uptime = crate::time::monotonic_ns() / 1_000_000_000;
    info.uptime = uptime as i64;
    info.procs = 1;
    user::write(&state::lock().vm.vmas, a[0], &info)?;
    Ok(0)
}

pub fn exit_group(a: &Args) -> Result<u64, Errno> {
    crate::start::exit_instance(a[0] as i32 & 0xff)
}
