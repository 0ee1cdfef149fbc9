//! futex. Waits and wakes on app words go to the host futex (the words are in this
//! process's memory) after the kernel checks the addresses and copies the timeout. PI
//! futexes and robust lists hold tids in the word, and the app's tids are virtual while the
//! host would compare host tids: the kernel serves those (futex_pi.rs, robust.rs).

use alloc::vec::Vec;

use junction_abi::{self as abi, structs::Timespec, Errno};

use super::Args;
use crate::{host, state, user};

const FUTEX_CMD_MASK: u64 = 0x7f;
/// The flags that may accompany a command.
const FUTEX_FLAGS: u64 = abi::FUTEX_PRIVATE_FLAG | abi::FUTEX_CLOCK_REALTIME;

pub fn futex(a: &Args) -> Result<u64, Errno> {
    let op = a[1];
    if op & !(FUTEX_CMD_MASK | FUTEX_FLAGS) != 0 {
        return Err(Errno::ENOSYS);
    }
    let cmd = op & FUTEX_CMD_MASK;
    // Linux accepts FUTEX_CLOCK_REALTIME only where a timeout is absolute or measured.
    if op & abi::FUTEX_CLOCK_REALTIME != 0
        && !matches!(
            cmd,
            abi::FUTEX_WAIT | abi::FUTEX_WAIT_BITSET | abi::FUTEX_LOCK_PI2
        )
    {
        return Err(Errno::ENOSYS);
    }
    match cmd {
        abi::FUTEX_WAIT | abi::FUTEX_WAIT_BITSET => wait(a),
        abi::FUTEX_WAKE | abi::FUTEX_WAKE_BITSET => forward(a, Second::None, None),
        abi::FUTEX_REQUEUE | abi::FUTEX_CMP_REQUEUE => forward(a, Second::Named, None),
        abi::FUTEX_WAKE_OP => forward(a, Second::Written, None),
        abi::FUTEX_LOCK_PI | abi::FUTEX_LOCK_PI2 => super::futex_pi::lock(a),
        abi::FUTEX_TRYLOCK_PI => super::futex_pi::trylock(a),
        abi::FUTEX_UNLOCK_PI => super::futex_pi::unlock(a),
        // Requeue-PI pairs a condvar with a PI mutex; glibc stopped using it in 2.25.
        _ => Err(Errno::ENOSYS),
    }
}

/// FUTEX_WAIT(_BITSET): the timeout (relative for WAIT, absolute for WAIT_BITSET) is copied
/// into kernel memory so the host reads what the kernel checked.
fn wait(a: &Args) -> Result<u64, Errno> {
    let timeout = if a[3] != 0 {
        let t: Timespec = user::read(&state::lock().vm.vmas, a[3])?;
        if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
            return Err(Errno::EINVAL);
        }
        Some(t)
    } else {
        None
    };
    forward(a, Second::None, timeout.as_ref())
}

/// The second word (a[4]) of a command, and what the host does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Second {
    None,
    /// Requeue moves waiters there: it must be app memory, but is not accessed.
    Named,
    /// Wake-op changes it atomically.
    Written,
}

/// Checks the words the command touches and hands it to the host. With a second word
/// (requeue, wake-op), a[3] is a count, not a timeout.
fn forward(a: &Args, second: Second, timeout: Option<&Timespec>) -> Result<u64, Errno> {
    let (addr, op) = (a[0], a[1]);
    if addr % 4 != 0 {
        return Err(Errno::EINVAL);
    }
    {
        let k = state::lock();
        user::read::<u32>(&k.vm.vmas, addr)?;
        match second {
            Second::None => {}
            Second::Named if a[4] % 4 != 0 => return Err(Errno::EINVAL),
            Second::Named => {
                user::read::<u32>(&k.vm.vmas, a[4])?;
            }
            Second::Written => {
                user::atomic_u32(&k.vm.vmas, a[4])?;
            }
        }
    }
    let fourth = match timeout {
        Some(t) => t as *const Timespec as u64,
        None if second != Second::None => a[3],
        None => 0,
    };
    // SAFETY: the words are checked app memory; the timeout lives in kernel memory.
    unsafe {
        host::call(
            abi::SYS_FUTEX,
            host::args!(addr, op, a[2], fourth, a[4], a[5]),
        )
    }
    .map(|v| v as u64)
}

/// Wakes up to `count` waiters on an app word, as Linux does for the words it changes
/// itself (clear_child_tid, robust lists): a shared wake, as glibc waits on those.
pub fn wake_word(addr: u64, count: u32) {
    // SAFETY: a wake reads nothing at the address.
    let _ = unsafe { host::call(abi::SYS_FUTEX, host::args!(addr, abi::FUTEX_WAKE, count)) };
}

/// One `struct futex_waitv`.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
struct Waitv {
    val: u64,
    uaddr: u64,
    flags: u32,
    reserved: u32,
}

const FUTEX_WAITV_MAX: u64 = 128;
const FUTEX2_SIZE_U32: u32 = 2;
const FUTEX2_PRIVATE: u32 = 128;

/// futex_waitv(waiters, count, flags, timeout, clockid): the list is copied into kernel
/// memory and every word checked, then the host waits.
pub fn futex_waitv(a: &Args) -> Result<u64, Errno> {
    let count = a[1];
    if a[2] != 0 || count == 0 || count > FUTEX_WAITV_MAX {
        return Err(Errno::EINVAL);
    }
    let k = state::lock();
    let bytes = user::slice(&k.vm.vmas, a[0], count as usize * 24)?;
    let mut list: Vec<Waitv> = Vec::with_capacity(count as usize);
    for raw in bytes.chunks_exact(24) {
        let word = |i: usize| u64::from_le_bytes(raw[i..i + 8].try_into().unwrap_or([0; 8]));
        let flags = word(16) as u32;
        let w = Waitv {
            val: word(0),
            uaddr: word(8),
            flags,
            reserved: (word(16) >> 32) as u32,
        };
        // Only 32-bit words, private or shared, as Linux accepts today.
        if w.reserved != 0 || flags & !(3 | FUTEX2_PRIVATE) != 0 || flags & 3 != FUTEX2_SIZE_U32 {
            return Err(Errno::EINVAL);
        }
        if w.uaddr % 4 != 0 {
            return Err(Errno::EINVAL);
        }
        user::read::<u32>(&k.vm.vmas, w.uaddr)?;
        list.push(w);
    }
    let timeout = if a[3] != 0 {
        Some(user::read::<Timespec>(&k.vm.vmas, a[3])?)
    } else {
        None
    };
    drop(k);
    let ts = timeout
        .as_ref()
        .map_or(0, |t| t as *const Timespec as usize);
    // SAFETY: the list and the timeout are kernel memory; the words are checked app memory.
    unsafe {
        host::call(
            abi::SYS_FUTEX_WAITV,
            host::args!(list.as_ptr(), list.len(), 0, ts, a[4]),
        )
    }
    .map(|v| v as u64)
}
