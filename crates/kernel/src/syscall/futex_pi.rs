//! PI futexes, served in the kernel: the word holds the owner's tid, which for the app is
//! virtual, so the host (which looks owners up by host tid) cannot serve them. The protocol
//! on the word is Linux's (owner tid, FUTEX_WAITERS, FUTEX_OWNER_DIED), so glibc's user-space
//! fast paths work unchanged; contended waiters sleep on the word with the host futex.
//!
//! What is missing: priority inheritance itself (the instance has no priorities to boost)
//! and hand-off to the longest waiter: an unlock frees the word and wakes one waiter, which
//! competes for it like any other thread.

use core::sync::atomic::{AtomicU32, Ordering};

use junction_abi::{self as abi, structs::Timespec, Errno};

use super::Args;
use crate::{arch::context, host, state, user};

pub const FUTEX_WAITERS: u32 = 0x8000_0000;
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
const FUTEX_BITSET_MATCH_ANY: u32 = u32::MAX;

fn word(addr: u64) -> Result<&'static AtomicU32, Errno> {
    user::atomic_u32(&state::lock().vm.vmas, addr)
}

/// Takes a free word for `tid`, keeping OWNER_DIED (glibc turns it into EOWNERDEAD) and
/// marking waiters when some may still sleep. Err(current value) if it is taken.
fn take(w: &AtomicU32, tid: u32, waiters: bool) -> Result<(), u32> {
    let mut v = w.load(Ordering::SeqCst);
    while v & FUTEX_TID_MASK == 0 {
        let new = (v & FUTEX_OWNER_DIED)
            | tid
            | if waiters {
                FUTEX_WAITERS
            } else {
                v & FUTEX_WAITERS
            };
        match w.compare_exchange(v, new, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return Ok(()),
            Err(now) => v = now,
        }
    }
    Err(v)
}

/// An owner that is not one of the instance's live threads: Linux answers ESRCH.
fn check_owner(owner: u32, own: u32) -> Result<(), Errno> {
    if owner == own {
        return Err(Errno::EDEADLK);
    }
    if state::lock().threads.get(owner as i32).is_none() {
        return Err(Errno::ESRCH);
    }
    Ok(())
}

/// FUTEX_LOCK_PI (absolute CLOCK_REALTIME timeout) and FUTEX_LOCK_PI2 (absolute, clock
/// chosen by FUTEX_CLOCK_REALTIME, CLOCK_MONOTONIC otherwise).
pub fn lock(a: &Args) -> Result<u64, Errno> {
    let (addr, op) = (a[0], a[1]);
    let w = word(addr)?;
    let timeout = if a[3] != 0 {
        let t: Timespec = user::read(&state::lock().vm.vmas, a[3])?;
        if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
            return Err(Errno::EINVAL);
        }
        Some(t)
    } else {
        None
    };
    let realtime = op & abi::FUTEX_CMD == abi::FUTEX_LOCK_PI || op & abi::FUTEX_CLOCK_REALTIME != 0;
    let tid = context::current().tid as u32;
    let mut waited = false;
    loop {
        let v = match take(w, tid, waited) {
            Ok(()) => return Ok(0),
            Err(v) => v,
        };
        check_owner(v & FUTEX_TID_MASK, tid)?;
        let seen = v | FUTEX_WAITERS;
        if v & FUTEX_WAITERS == 0
            && w.compare_exchange(v, seen, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
        {
            continue;
        }
        let mut wait_op = abi::FUTEX_WAIT_BITSET | (op & abi::FUTEX_PRIVATE_FLAG);
        if realtime {
            wait_op |= abi::FUTEX_CLOCK_REALTIME;
        }
        let ts = timeout
            .as_ref()
            .map_or(0, |t| t as *const Timespec as usize);
        // SAFETY: the word is checked app memory; the timeout is kernel memory.
        let slept = unsafe {
            host::call(
                abi::SYS_FUTEX,
                host::args!(addr, wait_op, seen, ts, 0, FUTEX_BITSET_MATCH_ANY),
            )
        };
        match slept {
            Err(Errno::ETIMEDOUT) => return Err(Errno::ETIMEDOUT),
            Ok(_) | Err(Errno::EAGAIN) | Err(Errno::EINTR) => waited = true,
            Err(e) => return Err(e),
        }
    }
}

pub fn trylock(a: &Args) -> Result<u64, Errno> {
    let w = word(a[0])?;
    let tid = context::current().tid as u32;
    match take(w, tid, false) {
        Ok(()) => Ok(0),
        Err(v) if v & FUTEX_TID_MASK == tid => Err(Errno::EDEADLK),
        Err(_) => Err(Errno::EAGAIN),
    }
}

/// FUTEX_UNLOCK_PI: only the owner may; the word becomes free and one waiter is woken.
pub fn unlock(a: &Args) -> Result<u64, Errno> {
    let (addr, op) = (a[0], a[1]);
    let w = word(addr)?;
    let tid = context::current().tid as u32;
    let v = w.load(Ordering::SeqCst);
    if v & FUTEX_TID_MASK != tid {
        return Err(Errno::EPERM);
    }
    w.store(0, Ordering::SeqCst);
    if v & FUTEX_WAITERS != 0 {
        let wake = abi::FUTEX_WAKE | (op & abi::FUTEX_PRIVATE_FLAG);
        // SAFETY: a wake reads nothing at the address.
        let _ = unsafe { host::call(abi::SYS_FUTEX, host::args!(addr, wake, 1)) };
    }
    Ok(0)
}
