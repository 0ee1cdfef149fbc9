//! poll and ppoll over every kind of kernel fd. Kernel objects report readiness directly;
//! when nothing is ready, host-backed fds (stdio) are waited on with a host ppoll and the
//! rest re-checked.

use alloc::vec::Vec;

use junction_abi::{
    structs::{Pollfd, Timespec},
    Errno,
};

use super::Args;
use crate::fs::file::{POLLERR, POLLHUP};
use crate::{host, state, user};

const POLLNVAL: u32 = 0x20;

fn do_poll(addr: u64, count: u64, timeout_ns: Option<u64>) -> Result<u64, Errno> {
    if count > 1 << 20 {
        return Err(Errno::EINVAL);
    }
    let mut fds: Vec<Pollfd> = {
        let k = state::lock();
        (0..count)
            .map(|i| user::read::<Pollfd>(&k.vm.vmas, addr + i * 8))
            .collect::<Result<_, _>>()?
    };
    let deadline = timeout_ns.map(|t| crate::time::monotonic_ns().saturating_add(t));
    loop {
        let mut ready = 0u64;
        let mut host_waits: Vec<Pollfd> = Vec::new();
        {
            let k = state::lock();
            for p in fds.iter_mut() {
                p.revents = 0;
                if p.fd < 0 {
                    continue;
                }
                let Ok(file) = k.fds.file(p.fd) else {
                    p.revents = POLLNVAL as i16;
                    ready += 1;
                    continue;
                };
                let wanted = (p.events as u16 as u32) | POLLERR | POLLHUP;
                let now = file.ops.poll() & wanted;
                if now != 0 {
                    p.revents = now as i16;
                    ready += 1;
                } else if let Some(fd) = file.ops.host_fd() {
                    host_waits.push(Pollfd {
                        fd,
                        events: p.events,
                        revents: 0,
                    });
                }
            }
        }
        let now = crate::time::monotonic_ns();
        if ready > 0 || deadline.is_some_and(|d| now >= d) {
            let k = state::lock();
            for (i, p) in fds.iter().enumerate() {
                user::write(&k.vm.vmas, addr + i as u64 * 8 + 6, &(p.revents as u16))?;
            }
            return Ok(ready);
        }
        let remaining = deadline.map(|d| d - now);
        let ts = remaining.map(|r| Timespec {
            tv_sec: (r / 1_000_000_000) as i64,
            tv_nsec: (r % 1_000_000_000) as i64,
        });
        if host_waits.is_empty() {
            // Only kernel objects, and one thread: nothing can make them ready. Sleep out
            // the timeout (or forever, as natively).
            let forever = Timespec {
                tv_sec: i64::MAX / 2,
                tv_nsec: 0,
            };
            let t = ts.unwrap_or(forever);
            // SAFETY: t is a valid timespec.
            let _ = unsafe {
                host::call(
                    junction_abi::SYS_CLOCK_NANOSLEEP,
                    host::args!(1, 0, &t as *const Timespec, 0),
                )
            };
        } else {
            host::ppoll(&mut host_waits, ts.as_ref())?;
        }
    }
}

pub fn poll(a: &Args) -> Result<u64, Errno> {
    let timeout = a[2] as i32;
    do_poll(
        a[0],
        a[1],
        if timeout < 0 {
            None
        } else {
            Some(timeout as u64 * 1_000_000)
        },
    )
}

pub fn ppoll(a: &Args) -> Result<u64, Errno> {
    let timeout = if a[2] == 0 {
        None
    } else {
        let ts: Timespec = user::read(&state::lock().vm.vmas, a[2])?;
        if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
            return Err(Errno::EINVAL);
        }
        Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
    };
    do_poll(a[0], a[1], timeout)
}
