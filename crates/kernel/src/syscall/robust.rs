//! Robust futex lists: set_robust_list/get_robust_list, and the walk at thread exit. The
//! kernel walks the list itself: the host never sees the list (the owner tids in the words
//! are virtual), so a lock whose owner dies gets FUTEX_OWNER_DIED and a waiter is woken, as
//! Linux does in exit_robust_list.

use core::sync::atomic::Ordering;

use junction_abi::Errno;

use super::futex_pi::{FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS};
use super::Args;
use crate::{state, user};

/// sizeof(struct robust_list_head): next, futex_offset, list_op_pending.
const HEAD_SIZE: u64 = 24;
/// Linux's bound on the walk, so a corrupt or circular list cannot hang an exit.
const ROBUST_LIST_LIMIT: usize = 2048;

pub fn set_robust_list(a: &Args) -> Result<u64, Errno> {
    if a[1] != HEAD_SIZE {
        return Err(Errno::EINVAL);
    }
    state::lock().threads.current().robust_list = (a[0], a[1]);
    Ok(0)
}

/// get_robust_list(tid, head_ptr, len_ptr): 0 is the calling thread.
pub fn get_robust_list(a: &Args) -> Result<u64, Errno> {
    let mut k = state::lock();
    let (head, len) = match a[0] as i32 {
        0 => k.threads.current().robust_list,
        tid => k.threads.get(tid).ok_or(Errno::ESRCH)?.robust_list,
    };
    let len = if head == 0 { HEAD_SIZE } else { len };
    user::write(&k.vm.vmas, a[1], &head)?;
    user::write(&k.vm.vmas, a[2], &len)?;
    Ok(0)
}

/// Releases every robust lock `tid` still holds, from the list whose head is `head`.
pub fn release_all(tid: i32, head: u64) {
    if head == 0 {
        return;
    }
    let read = |addr: u64| user::read::<u64>(&state::lock().vm.vmas, addr).ok();
    let (Some(first), Some(offset), Some(pending)) = (read(head), read(head + 8), read(head + 16))
    else {
        return;
    };
    let offset = offset as i64;
    let mut entry = first;
    let mut steps = 0;
    // Entries are pointers with bit 0 marking a PI futex; the list ends back at the head.
    while entry & !1 != head && entry & !1 != 0 && steps < ROBUST_LIST_LIMIT {
        let Some(next) = read(entry & !1) else {
            return;
        };
        if entry != pending {
            owner_died((entry & !1).wrapping_add_signed(offset), tid, false);
        }
        entry = next;
        steps += 1;
    }
    if pending & !1 != 0 {
        owner_died((pending & !1).wrapping_add_signed(offset), tid, true);
    }
}

/// Linux's handle_futex_death: if `tid` owns the word, mark the owner dead (keeping the
/// waiters bit) and wake one waiter.
fn owner_died(addr: u64, tid: i32, pending: bool) {
    let Ok(word) = user::atomic_u32(&state::lock().vm.vmas, addr) else {
        return;
    };
    let mut v = word.load(Ordering::SeqCst);
    // A lock being taken when the thread died: nobody owns it, but a waiter may be asleep.
    if pending && v == 0 {
        super::futex::wake_word(addr, 1);
        return;
    }
    loop {
        if v & FUTEX_TID_MASK != tid as u32 {
            return;
        }
        let dead = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        match word.compare_exchange(v, dead, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => break,
            Err(now) => v = now,
        }
    }
    if v & FUTEX_WAITERS != 0 {
        super::futex::wake_word(addr, 1);
    }
}
