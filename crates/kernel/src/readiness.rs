//! Waiting for open files to become ready: the one loop that poll, select and epoll share.
//!
//! A caller scans its own set of files (pollfds, fd_set bits, an epoll interest list) and
//! either finds something ready or notes, in [`HostWaits`], the host fds that could become
//! ready. Kernel objects (pipes, eventfds, epoll instances) report readiness directly;
//! host-backed files (the stdio the instance inherited) are waited on with one host ppoll.
//! When only kernel objects are involved, [`wait`] sleeps on [`CHANGED`], which every
//! kernel-object wake-up bumps ([`WakeCounter`]). With one app thread nothing bumps it
//! during the sleep, so the sleep lasts the whole timeout, as natively; once threads exist,
//! another thread's write ends it at once, and a host-fd wait is poked through a host
//! eventfd.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};

use junction_abi::{
    structs::{Pollfd, Timespec},
    Errno,
};

use crate::fs::epoll::Epoll;
use crate::fs::file::{OpenFile, POLL_ASKABLE};
use crate::wait::WaitWord;
use crate::{host, time};

const NS_PER_SEC: u64 = 1_000_000_000;

/// Bumped by every wake-up of every kernel object: the word a wait with no host fds sleeps on.
pub static CHANGED: WaitWord = WaitWord::new();

/// A wait on host fds sleeps in host ppoll, which a bump of [`CHANGED`] does not end. So
/// such a wait also polls this host eventfd (semaphore mode, made at start-up), and a
/// wake-up while any sleep there writes one token per sleeper: each sleeper it woke takes
/// one. A token left over only causes a rescan. -1 until made.
static POKE_FD: AtomicI32 = AtomicI32::new(-1);
/// How many waits sleep in host ppoll.
static HOST_SLEEPERS: AtomicU32 = AtomicU32::new(0);

const EFD_SEMAPHORE: u64 = 1;
const EFD_NONBLOCK: u64 = 0o4000;
const EFD_CLOEXEC: u64 = 0o2000000;

/// Makes the poke eventfd (start-up only: eventfd2 is not a host call the filter allows).
pub fn init() -> Result<(), Errno> {
    // SAFETY: no pointers.
    let fd = unsafe {
        host::call(
            junction_abi::SYS_EVENTFD2,
            host::args!(0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC),
        )
    }?;
    POKE_FD.store(fd as i32, Ordering::Relaxed);
    Ok(())
}

/// Something changed: wake the waits on kernel objects, and those in host ppoll.
fn changed() {
    CHANGED.wake_all();
    let sleepers = HOST_SLEEPERS.load(Ordering::SeqCst);
    let fd = POKE_FD.load(Ordering::Relaxed);
    if sleepers > 0 && fd >= 0 {
        let _ = host::write(fd, &u64::from(sleepers).to_ne_bytes());
    }
}

/// How many wake-ups an object has sent to its readers and to its writers. Linux's epoll
/// reports an EPOLLET item again after each wake-up whose key matches what it watches (every
/// pipe or eventfd write wakes readers, even when the file was already readable), so edges
/// are counted, not inferred from readiness bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wakeups {
    pub readers: u32,
    pub writers: u32,
    /// Wake-ups of everyone (hang-up, release), whatever they watch.
    pub everyone: u32,
}

/// The counters behind [`Wakeups`], kept by a kernel object.
#[derive(Debug, Default)]
pub struct WakeCounter {
    readers: AtomicU32,
    writers: AtomicU32,
    everyone: AtomicU32,
}

impl WakeCounter {
    pub const fn new() -> Self {
        WakeCounter {
            readers: AtomicU32::new(0),
            writers: AtomicU32::new(0),
            everyone: AtomicU32::new(0),
        }
    }

    /// The object may have become (more) readable.
    pub fn wake_readers(&self) {
        self.readers.fetch_add(1, Ordering::AcqRel);
        changed();
    }

    /// The object may have become (more) writable.
    pub fn wake_writers(&self) {
        self.writers.fetch_add(1, Ordering::AcqRel);
        changed();
    }

    /// Hang-up and release: everyone is woken, whatever they wait for.
    pub fn wake_everyone(&self) {
        self.everyone.fetch_add(1, Ordering::AcqRel);
        changed();
    }

    pub fn get(&self) -> Wakeups {
        Wakeups {
            readers: self.readers.load(Ordering::Acquire),
            writers: self.writers.load(Ordering::Acquire),
            everyone: self.everyone.load(Ordering::Acquire),
        }
    }
}

/// When a wait gives up, on the monotonic clock.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Option<u64>);

impl Deadline {
    /// `timeout` nanoseconds from now; None waits for ever.
    pub fn after(timeout: Option<u64>) -> Self {
        Deadline(timeout.map(|t| time::monotonic_ns().saturating_add(t)))
    }

    /// Time left (zero once passed); None for no deadline.
    pub fn remaining(&self) -> Option<u64> {
        self.0.map(|at| at.saturating_sub(time::monotonic_ns()))
    }
}

/// A timeout given as a timespec, checked as Linux checks it (poll_select_set_timeout).
pub fn timespec_ns(ts: &Timespec) -> Result<u64, Errno> {
    if ts.tv_sec < 0 || !(0..NS_PER_SEC as i64).contains(&ts.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    Ok((ts.tv_sec as u64)
        .saturating_mul(NS_PER_SEC)
        .saturating_add(ts.tv_nsec as u64))
}

/// Nanoseconds as a timespec (for host waits and for writing back the time left).
pub fn ns_timespec(ns: u64) -> Timespec {
    Timespec {
        tv_sec: (ns / NS_PER_SEC) as i64,
        tv_nsec: (ns % NS_PER_SEC) as i64,
    }
}

/// Host fds to wait on while nothing is ready.
#[derive(Debug, Default)]
pub struct HostWaits {
    fds: Vec<Pollfd>,
}

impl HostWaits {
    /// Waits on `file` too, for `events`, when the host is what makes it ready (epoll
    /// instances pass on the host fds of their own interest lists).
    pub fn add(&mut self, file: &OpenFile, events: u32) {
        if let Some(fd) = file.ops.host_fd() {
            // Even with no bits to ask for: the host reports a hang-up or an error anyway,
            // which a wait must not sleep through.
            self.fds.push(Pollfd {
                fd,
                events: (events & POLL_ASKABLE) as u16 as i16,
                revents: 0,
            });
        } else if let Some(epoll) = file.kind::<Epoll>() {
            epoll.add_host_waits(self);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fds.is_empty()
    }
}

/// Calls `scan` until it finds something, and between scans sleeps until something may have
/// changed or the deadline passes (then `Ok(None)`). A zero timeout scans once.
pub fn wait<T>(
    deadline: Deadline,
    mut scan: impl FnMut(&mut HostWaits) -> Result<Option<T>, Errno>,
) -> Result<Option<T>, Errno> {
    loop {
        // Read before scanning, so a change during the scan ends the sleep below.
        let seen = CHANGED.value();
        let mut host_waits = HostWaits::default();
        if let Some(found) = scan(&mut host_waits)? {
            return Ok(Some(found));
        }
        let remaining = deadline.remaining();
        if remaining == Some(0) {
            return Ok(None);
        }
        block(seen, &mut host_waits, remaining)?;
    }
}

/// The one place a scan that found nothing sleeps. Both ways return early on a signal or a
/// wake-up; the caller rescans either way.
fn block(seen: u32, host_waits: &mut HostWaits, remaining: Option<u64>) -> Result<(), Errno> {
    let timeout = remaining.map(ns_timespec);
    if host_waits.is_empty() {
        return CHANGED.wait_timeout(seen, timeout.as_ref());
    }
    // Another thread may change a kernel object while this one sleeps in the host: poll the
    // poke eventfd too, announced before the last check of CHANGED so no wake-up is lost.
    let poke = POKE_FD.load(Ordering::Relaxed);
    if poke >= 0 {
        host_waits.fds.push(Pollfd {
            fd: poke,
            events: POLLIN,
            revents: 0,
        });
    }
    HOST_SLEEPERS.fetch_add(1, Ordering::SeqCst);
    let result = if CHANGED.value() != seen {
        Ok(0)
    } else {
        host::ppoll(&mut host_waits.fds, timeout.as_ref())
    };
    HOST_SLEEPERS.fetch_sub(1, Ordering::SeqCst);
    if poke >= 0
        && host_waits
            .fds
            .last()
            .is_some_and(|p| p.revents & POLLIN != 0)
    {
        let mut token = [0u8; 8];
        let _ = host::read(poke, &mut token);
    }
    match result {
        Ok(_) | Err(Errno::EINTR) => Ok(()),
        Err(e) => Err(e),
    }
}

const POLLIN: i16 = 1;
