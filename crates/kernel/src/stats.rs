//! `--stats`: per-syscall counts, host calls made while serving them, and time, split by
//! entry path. Counted only when enabled, so the hot path pays one load otherwise.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::arch::EntryPath;

const SLOTS: usize = 512;

static ENABLED: AtomicBool = AtomicBool::new(false);

struct Counters {
    calls: [AtomicU64; SLOTS],
    host_calls: [AtomicU64; SLOTS],
    cycles: [AtomicU64; SLOTS],
    sigsys: [AtomicU64; SLOTS],
}

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU64 = AtomicU64::new(0);
static COUNTERS: Counters = Counters {
    calls: [ZERO; SLOTS],
    host_calls: [ZERO; SLOTS],
    cycles: [ZERO; SLOTS],
    sigsys: [ZERO; SLOTS],
};

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

fn rdtsc() -> u64 {
    // SAFETY: rdtsc has no side effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// The calling thread's host-call count (dispatch always runs with its context in GS).
fn thread_host_calls() -> u64 {
    crate::arch::context::current()
        .host_calls
        .load(Ordering::Relaxed)
}

#[derive(Debug, Clone, Copy)]
pub struct Start {
    tsc: u64,
    host_calls: u64,
}

#[inline]
pub fn begin() -> Option<Start> {
    if !enabled() {
        return None;
    }
    Some(Start {
        tsc: rdtsc(),
        host_calls: thread_host_calls(),
    })
}

#[inline]
pub fn end(nr: u64, start: Option<Start>, path: EntryPath) {
    let Some(start) = start else { return };
    let slot = (nr as usize).min(SLOTS - 1);
    COUNTERS.calls[slot].fetch_add(1, Ordering::Relaxed);
    COUNTERS.host_calls[slot].fetch_add(
        thread_host_calls().wrapping_sub(start.host_calls),
        Ordering::Relaxed,
    );
    COUNTERS.cycles[slot].fetch_add(rdtsc().wrapping_sub(start.tsc), Ordering::Relaxed);
    if matches!(path, EntryPath::Sigsys { .. }) {
        COUNTERS.sigsys[slot].fetch_add(1, Ordering::Relaxed);
    }
}

/// One row of the report.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub nr: usize,
    pub calls: u64,
    pub host_calls: u64,
    pub cycles: u64,
    pub sigsys: u64,
}

pub fn rows() -> impl Iterator<Item = Row> {
    (0..SLOTS).filter_map(|nr| {
        let calls = COUNTERS.calls[nr].load(Ordering::Relaxed);
        (calls > 0).then(|| Row {
            nr,
            calls,
            host_calls: COUNTERS.host_calls[nr].load(Ordering::Relaxed),
            cycles: COUNTERS.cycles[nr].load(Ordering::Relaxed),
            sigsys: COUNTERS.sigsys[nr].load(Ordering::Relaxed),
        })
    })
}

/// Cycles to nanoseconds: the TSC rate measured between start-up and now.
pub fn tsc_per_us(start_tsc: u64, start_ns: u64) -> u64 {
    let ns = crate::time::monotonic_ns().saturating_sub(start_ns).max(1);
    let cycles = rdtsc().saturating_sub(start_tsc);
    (cycles.saturating_mul(1000) / ns).max(1)
}

pub fn now_tsc() -> u64 {
    rdtsc()
}
