//! select and pselect6: fd_set bitmaps in app memory, on the shared readiness wait.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use junction_abi::{
    structs::{Timespec, Timeval},
    Errno,
};

use super::{poll::write_back_timespec, signal, Args};
use crate::fs::file::{
    OpenFile, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND,
    POLLWRNORM,
};
use crate::readiness::{self, Deadline};
use crate::{state, user};

/// What counts as ready in each set (fs/select.c's POLLIN_SET, POLLOUT_SET, POLLEX_SET),
/// and what to wait for on a host fd in it.
const SETS: [(u32, u32); 3] = [
    (
        POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR,
        POLLIN | POLLRDNORM | POLLRDBAND,
    ),
    (
        POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR,
        POLLOUT | POLLWRNORM | POLLWRBAND,
    ),
    (POLLPRI, POLLPRI),
];
const BITS: usize = 64;

/// Linux reads and writes at most `max_fds` bits: its fd table's size, which is 64 or the
/// power of two above the highest fd in use. Bits past it are ignored, not EBADF.
fn table_size(highest: Option<i32>) -> usize {
    let needed = highest.map_or(0, |fd| fd as usize + 1);
    needed.next_power_of_two().max(BITS)
}

/// One fd named in any of the sets.
#[derive(Debug)]
struct Watched {
    fd: usize,
    file: Arc<OpenFile>,
    /// Which of the three sets name it (bit i for set i).
    sets: u8,
}

fn do_select(n: i32, addrs: [u64; 3], deadline: Deadline) -> Result<u64, Errno> {
    if n < 0 {
        return Err(Errno::EINVAL);
    }
    let k = state::lock();
    let n = (n as usize).min(table_size(k.fds.highest()));
    let words = n.div_ceil(BITS);
    let mut asked: [Option<Vec<u64>>; 3] = [None, None, None];
    for (set, &addr) in asked.iter_mut().zip(&addrs) {
        if addr != 0 {
            let words = (0..words)
                .map(|w| user::read::<u64>(&k.vm.vmas, addr + (w * 8) as u64))
                .collect::<Result<Vec<u64>, Errno>>()?;
            *set = Some(words);
        }
    }
    let mut watched = Vec::new();
    for fd in 0..n {
        let bit = 1u64 << (fd % BITS);
        let sets = (0..3)
            .filter(|&i| asked[i].as_ref().is_some_and(|s| s[fd / BITS] & bit != 0))
            .fold(0u8, |acc, i| acc | 1 << i);
        if sets != 0 {
            let file = k.fds.file(fd as i32)?;
            watched.push(Watched { fd, file, sets });
        }
    }
    drop(k);
    let found = readiness::wait(deadline, |host_waits| {
        let mut result = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
        let mut count = 0u64;
        for w in &watched {
            let ready = w.file.ops.poll();
            let mut waiting_for = 0;
            for (i, &(counts, waits_for)) in SETS.iter().enumerate() {
                if w.sets & (1 << i) == 0 {
                    continue;
                }
                if ready & counts != 0 {
                    result[i][w.fd / BITS] |= 1 << (w.fd % BITS);
                    count += 1;
                } else {
                    waiting_for |= waits_for;
                }
            }
            if waiting_for != 0 {
                host_waits.add(&w.file, waiting_for);
            }
        }
        Ok((count > 0).then_some((count, result)))
    })?;
    let (count, result) =
        found.unwrap_or_else(|| (0, [vec![0; words], vec![0; words], vec![0; words]]));
    let k = state::lock();
    for (set, &addr) in result.iter().zip(&addrs) {
        if addr == 0 {
            continue;
        }
        for (w, word) in set.iter().enumerate() {
            user::write(&k.vm.vmas, addr + (w * 8) as u64, word)?;
        }
    }
    Ok(count)
}

pub fn select(a: &Args) -> Result<u64, Errno> {
    let timeout = if a[4] == 0 {
        None
    } else {
        let tv: Timeval = user::read(&state::lock().vm.vmas, a[4])?;
        // Whole seconds of tv_usec carry over; what is left must be a valid timespec.
        let ts = Timespec {
            tv_sec: tv.tv_sec.saturating_add(tv.tv_usec / 1_000_000),
            tv_nsec: (tv.tv_usec % 1_000_000) * 1000,
        };
        Some(readiness::timespec_ns(&ts)?)
    };
    let deadline = Deadline::after(timeout);
    let result = do_select(a[0] as i32, [a[1], a[2], a[3]], deadline);
    // As Linux: the time left goes back into the timeval, whatever the result.
    if timeout.is_some_and(|t| t > 0) {
        let left = readiness::ns_timespec(deadline.remaining().unwrap_or(0));
        let tv = Timeval {
            tv_sec: left.tv_sec,
            tv_usec: left.tv_nsec / 1000,
        };
        let _ = user::write(&state::lock().vm.vmas, a[4], &tv);
    }
    result
}

pub fn pselect6(a: &Args) -> Result<u64, Errno> {
    // The sixth argument points at { const sigset_t *set; size_t size; }.
    let (mask_addr, mask_size) = if a[5] == 0 {
        (0, 0)
    } else {
        let k = state::lock();
        (
            user::read::<u64>(&k.vm.vmas, a[5])?,
            user::read::<u64>(&k.vm.vmas, a[5] + 8)?,
        )
    };
    let timeout = if a[4] == 0 {
        None
    } else {
        let ts: Timespec = user::read(&state::lock().vm.vmas, a[4])?;
        Some(readiness::timespec_ns(&ts)?)
    };
    let deadline = Deadline::after(timeout);
    let mask = signal::read_sigmask(mask_addr, mask_size)?;
    let result = signal::with_mask(mask, || {
        do_select(a[0] as i32, [a[1], a[2], a[3]], deadline)
    });
    write_back_timespec(a[4], timeout, deadline);
    result
}
