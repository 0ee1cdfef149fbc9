//! Sleeping until a kernel object changes: a 32-bit sequence word and the host futex.
//! Waiters read the word, re-check their condition, then sleep only if it is unchanged.
//! Wakers make a host call only when someone sleeps, so a pipe written and read by the same
//! thread never leaves user space.

use core::sync::atomic::{AtomicU32, Ordering};

use junction_abi::{structs::Timespec, Errno};

use crate::host;

const FUTEX_WAIT_PRIVATE: u64 = 128;
const FUTEX_WAKE_PRIVATE: u64 = 1 | 128;

#[derive(Debug, Default)]
pub struct WaitWord {
    seq: AtomicU32,
    sleepers: AtomicU32,
}

impl WaitWord {
    pub const fn new() -> Self {
        WaitWord {
            seq: AtomicU32::new(0),
            sleepers: AtomicU32::new(0),
        }
    }

    pub fn value(&self) -> u32 {
        self.seq.load(Ordering::SeqCst)
    }

    /// Sleeps while the word still holds `seen`. With one app thread nothing can change it,
    /// so this sleeps as long as the same wait would natively (forever, for a pipe nobody
    /// else can write).
    pub fn wait(&self, seen: u32) -> Result<(), Errno> {
        self.wait_timeout(seen, None)
    }

    /// As [`Self::wait`], for at most `timeout` (relative; None is for ever). Returns when
    /// woken, on a signal, or when the time is up: callers re-check their condition.
    pub fn wait_timeout(&self, seen: u32, timeout: Option<&Timespec>) -> Result<(), Errno> {
        let timeout_ptr = timeout.map_or(core::ptr::null(), |t| t as *const Timespec);
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the futex word is a live AtomicU32; the timeout is null or a valid timespec.
        let result = unsafe {
            host::call(
                junction_abi::SYS_FUTEX,
                host::args!(
                    self.seq.as_ptr(),
                    FUTEX_WAIT_PRIVATE,
                    seen,
                    timeout_ptr,
                    0,
                    0
                ),
            )
        };
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
        match result {
            Ok(_) | Err(Errno::EAGAIN) | Err(Errno::EINTR) | Err(Errno::ETIMEDOUT) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub fn wake_all(&self) {
        self.seq.fetch_add(1, Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            // SAFETY: as above.
            let _ = unsafe {
                host::call(
                    junction_abi::SYS_FUTEX,
                    host::args!(self.seq.as_ptr(), FUTEX_WAKE_PRIVATE, i32::MAX, 0, 0, 0),
                )
            };
        }
    }
}
