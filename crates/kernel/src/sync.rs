//! A spin lock for the kernel's shared state.
//!
//! The kernel links no libc, so there is no pthread mutex; critical sections are short
//! (table look-ups and updates, never a blocking host call), so spinning is the right tool.
//! Blocking waits (pipes, poll) release the lock before they sleep.
//!
//! While the instance has one thread, nothing can race for a lock, so taking one is a plain
//! load and store: the `lock cmpxchg` costs more than a whole served getpid (glibc skips its
//! stdio locks the same way). Whoever creates the second thread calls
//! [`enter_multithreaded`] first, while it is still alone; from then on every lock is
//! atomic.

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{compiler_fence, AtomicBool, Ordering};

static MULTITHREADED: AtomicBool = AtomicBool::new(false);

/// Makes every lock atomic from now on. Call before starting a second thread (in the
/// kernel or the app), from the only thread there is.
pub fn enter_multithreaded() {
    MULTITHREADED.store(true, Ordering::SeqCst);
}

/// Whether a second thread has ever existed.
pub fn multithreaded() -> bool {
    MULTITHREADED.load(Ordering::Relaxed)
}

pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: access to `value` is serialised by `locked`.
unsafe impl<T: Send> Sync for SpinLock<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for SpinLock<T> {}

impl<T> core::fmt::Debug for SpinLock<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SpinLock")
    }
}

impl<T> SpinLock<T> {
    pub const fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    #[inline]
    pub fn lock(&self) -> SpinGuard<'_, T> {
        if !MULTITHREADED.load(Ordering::Relaxed) && !self.locked.load(Ordering::Relaxed) {
            self.locked.store(true, Ordering::Relaxed);
            // Only this thread (or a signal handler on it) can see the value: keep the
            // compiler from moving its accesses above the store.
            compiler_fence(Ordering::Acquire);
            return SpinGuard { lock: self };
        }
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            while self.locked.load(Ordering::Relaxed) {
                core::hint::spin_loop();
            }
        }
        SpinGuard { lock: self }
    }
}

#[derive(Debug)]
pub struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock exclusively.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}
