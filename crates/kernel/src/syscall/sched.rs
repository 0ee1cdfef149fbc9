//! Scheduling: sched_yield, CPU affinity (per thread), membarrier and getcpu, forwarded to
//! the host: app threads are host threads, so the host's scheduler is the one in force.

use junction_abi::{self as abi, Errno};

use super::Args;
use crate::{host, state, user};

/// The largest mask the kernel passes through (8192 CPUs).
const MAX_MASK: usize = 1024;

pub fn sched_yield(_: &Args) -> Result<u64, Errno> {
    // SAFETY: no arguments.
    unsafe { host::call(abi::SYS_SCHED_YIELD, [0; 6]) }.map(|_| 0)
}

/// The host tid for a virtual one: 0 and the caller's own tid are the calling thread (0 for
/// the host too), another thread of the instance is its host thread.
fn host_target(pid: i32) -> Result<i32, Errno> {
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    if pid == 0 || pid == crate::arch::context::current().tid {
        return Ok(0);
    }
    let k = state::lock();
    // The instance's pid names the main thread, as on Linux.
    let thread = k.threads.get(pid).ok_or(Errno::ESRCH)?;
    Ok(thread.host_tid)
}

pub fn sched_getaffinity(a: &Args) -> Result<u64, Errno> {
    let target = host_target(a[0] as i32)?;
    let len = (a[1] as usize).min(MAX_MASK);
    if len % 8 != 0 || len == 0 {
        return Err(Errno::EINVAL);
    }
    let mut mask = [0u8; MAX_MASK];
    // SAFETY: the mask is kernel memory of `len` bytes.
    let n = unsafe {
        host::call(
            abi::SYS_SCHED_GETAFFINITY,
            host::args!(target, len, mask.as_mut_ptr()),
        )
    }?;
    let k = state::lock();
    let out = user::slice_mut(&k.vm.vmas, a[2], n)?;
    out.copy_from_slice(&mask[..n]);
    Ok(n as u64)
}

/// Only the calling thread's affinity can be set: the seccomp filter lets
/// sched_setaffinity through for the host's "this thread" (0) alone, so no host thread
/// outside the instance can be named.
pub fn sched_setaffinity(a: &Args) -> Result<u64, Errno> {
    if host_target(a[0] as i32)? != 0 {
        return Err(Errno::EPERM);
    }
    let len = (a[1] as usize).min(MAX_MASK);
    let mut mask = [0u8; MAX_MASK];
    {
        let k = state::lock();
        mask[..len].copy_from_slice(user::slice(&k.vm.vmas, a[2], len)?);
    }
    // SAFETY: the mask is kernel memory of `len` bytes.
    unsafe {
        host::call(
            abi::SYS_SCHED_SETAFFINITY,
            host::args!(0, len, mask.as_ptr()),
        )
    }
    .map(|_| 0)
}

/// membarrier: the commands runtimes use (QUERY, GLOBAL, the PRIVATE_EXPEDITED family and
/// their REGISTER) act on this process's threads, which are host threads: forwarded.
pub fn membarrier(a: &Args) -> Result<u64, Errno> {
    // SAFETY: no pointers; the cpu argument is a number.
    unsafe { host::call(abi::SYS_MEMBARRIER, host::args!(a[0], a[1], a[2])) }.map(|v| v as u64)
}

/// getcpu(cpu, node, unused): the host answers into kernel memory, copied out.
pub fn getcpu(a: &Args) -> Result<u64, Errno> {
    let (mut cpu, mut node) = (0u32, 0u32);
    // SAFETY: both outputs are kernel memory.
    unsafe {
        host::call(
            abi::SYS_GETCPU,
            host::args!(&mut cpu as *mut u32, &mut node as *mut u32, 0),
        )
    }?;
    let k = state::lock();
    if a[0] != 0 {
        user::write(&k.vm.vmas, a[0], &cpu)?;
    }
    if a[1] != 0 {
        user::write(&k.vm.vmas, a[1], &node)?;
    }
    Ok(0)
}
