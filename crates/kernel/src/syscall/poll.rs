//! poll and ppoll over every kind of fd, on the shared readiness wait (crate::readiness).

use alloc::vec::Vec;

use junction_abi::{
    structs::{Pollfd, Timespec},
    Errno,
};

use super::{signal, Args};
use crate::fs::file::{POLLERR, POLLHUP, POLLNVAL};
use crate::readiness::{self, Deadline};
use crate::{state, user};

const POLLFD_SIZE: u64 = 8;
const REVENTS_OFFSET: u64 = 6;

fn do_poll(addr: u64, count: u64, deadline: Deadline) -> Result<u64, Errno> {
    let mut fds: Vec<Pollfd> = {
        let k = state::lock();
        if count > k.fds.limit as u64 {
            return Err(Errno::EINVAL);
        }
        (0..count)
            .map(|i| user::read::<Pollfd>(&k.vm.vmas, addr + i * POLLFD_SIZE))
            .collect::<Result<_, _>>()?
    };
    let found = readiness::wait(deadline, |host_waits| {
        let k = state::lock();
        let mut ready = 0u64;
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
            let wanted = u32::from(p.events as u16) | POLLERR | POLLHUP;
            let now = file.ops.poll() & wanted;
            if now != 0 {
                p.revents = now as u16 as i16;
                ready += 1;
            } else {
                host_waits.add(&file, wanted);
            }
        }
        Ok((ready > 0).then_some(ready))
    })?;
    let k = state::lock();
    for (i, p) in fds.iter().enumerate() {
        let at = addr + i as u64 * POLLFD_SIZE + REVENTS_OFFSET;
        user::write(&k.vm.vmas, at, &(p.revents as u16))?;
    }
    Ok(found.unwrap_or(0))
}

pub fn poll(a: &Args) -> Result<u64, Errno> {
    let timeout = a[2] as i32;
    let timeout_ns = u64::try_from(timeout).ok().map(|ms| ms * 1_000_000);
    do_poll(a[0], u64::from(a[1] as u32), Deadline::after(timeout_ns))
}

pub fn ppoll(a: &Args) -> Result<u64, Errno> {
    let timeout = if a[2] == 0 {
        None
    } else {
        let ts: Timespec = user::read(&state::lock().vm.vmas, a[2])?;
        Some(readiness::timespec_ns(&ts)?)
    };
    let deadline = Deadline::after(timeout);
    let mask = signal::read_sigmask(a[3], a[4])?;
    let result = signal::with_mask(mask, || do_poll(a[0], u64::from(a[1] as u32), deadline));
    write_back_timespec(a[2], timeout, deadline);
    result
}

/// Linux writes the time left back to a ppoll/pselect6 timeout (not a zero one); a fault
/// there is ignored, as the call itself already succeeded or failed.
pub(super) fn write_back_timespec(addr: u64, timeout: Option<u64>, deadline: Deadline) {
    if timeout.is_some_and(|t| t > 0) {
        let left = readiness::ns_timespec(deadline.remaining().unwrap_or(0));
        let _ = user::write(&state::lock().vm.vmas, addr, &left);
    }
}
