//! The instance's threads: one record per live app thread, keyed by virtual tid, holding
//! what Linux keeps per thread (signal mask, sigaltstack, clear_child_tid, robust list).
//! Process-wide state stays in `Kernel`. See docs/design/threads.md.

use alloc::collections::BTreeMap;

use junction_abi::structs::StackT;

/// What the kernel keeps for one app thread.
#[derive(Debug, Clone, Copy)]
pub struct Thread {
    /// The host thread it runs on (for affinity and, later, signal delivery).
    pub host_tid: i32,
    /// The blocked signal set.
    pub mask: u64,
    /// The app's sigaltstack (recorded; used for delivery).
    pub altstack: StackT,
    /// set_tid_address / CLONE_CHILD_CLEARTID: zeroed and woken when the thread exits.
    pub clear_child_tid: u64,
    /// set_robust_list's head and length; walked when the thread exits.
    pub robust_list: (u64, u64),
}

/// A sigaltstack that is off, as a new thread has (Linux clears it for CLONE_VM children).
pub const NO_ALTSTACK: StackT = StackT {
    ss_sp: 0,
    ss_flags: 2,
    _pad12: [0; 4],
    ss_size: 0,
};

impl Thread {
    pub fn new(host_tid: i32, mask: u64) -> Thread {
        Thread {
            host_tid,
            mask,
            altstack: NO_ALTSTACK,
            clear_child_tid: 0,
            robust_list: (0, 0),
        }
    }
}

#[derive(Debug)]
pub struct Threads {
    live: BTreeMap<i32, Thread>,
    /// The next virtual tid to hand out. Tids are not reused while the instance lives
    /// (Linux reuses them only after wrapping pid_max).
    next_tid: i32,
}

impl Threads {
    /// The table with the main thread, whose tid is the instance's pid.
    pub fn new(main_tid: i32, host_tid: i32) -> Threads {
        let mut live = BTreeMap::new();
        live.insert(main_tid, Thread::new(host_tid, 0));
        Threads {
            live,
            next_tid: main_tid + 1,
        }
    }

    pub fn get(&self, tid: i32) -> Option<&Thread> {
        self.live.get(&tid)
    }

    pub fn get_mut(&mut self, tid: i32) -> Option<&mut Thread> {
        self.live.get_mut(&tid)
    }

    /// The calling thread's record. Every thread that runs app code has one, from before
    /// its first instruction until its exit.
    pub fn current(&mut self) -> &mut Thread {
        let tid = crate::arch::context::current().tid;
        match self.live.get_mut(&tid) {
            Some(t) => t,
            None => crate::host::exit_group(70),
        }
    }

    /// Adds a thread with a fresh tid.
    pub fn add(&mut self, thread: Thread) -> i32 {
        let tid = self.next_tid;
        self.next_tid += 1;
        self.live.insert(tid, thread);
        tid
    }

    /// Removes a thread; returns it and how many are left.
    pub fn remove(&mut self, tid: i32) -> (Option<Thread>, usize) {
        let gone = self.live.remove(&tid);
        (gone, self.live.len())
    }

    /// The signals every live thread blocks.
    pub fn common_mask(&self) -> u64 {
        self.live.values().fold(!0, |mask, t| mask & t.mask)
    }

    pub fn count(&self) -> usize {
        self.live.len()
    }

    pub fn tids(&self) -> impl Iterator<Item = i32> + '_ {
        self.live.keys().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_are_fresh_and_the_count_follows_exits() {
        let mut threads = Threads::new(2, 1000);
        let a = threads.add(Thread::new(1001, 0b10));
        let b = threads.add(Thread::new(1002, 0));
        assert_eq!((a, b), (3, 4));
        assert_eq!(
            threads.get(a).map(|t| (t.host_tid, t.mask)),
            Some((1001, 0b10))
        );
        // A new thread starts with no sigaltstack, no clear_child_tid, no robust list.
        let t = threads.get(b).copied();
        assert!(t.is_some_and(|t| t.altstack.ss_flags == 2 && t.clear_child_tid == 0));
        assert_eq!(threads.common_mask(), 0);
        assert_eq!(threads.remove(a).1, 2);
        assert!(threads.get(a).is_none());
        // Tids are not reused while the instance lives.
        assert_eq!(threads.add(Thread::new(1003, 0)), 5);
        assert_eq!(threads.tids().collect::<Vec<_>>(), [2, 4, 5]);
        assert_eq!(threads.remove(2).1, 2);
        let (gone, left) = threads.remove(99);
        assert!(gone.is_none() && left == 2);
    }
}
