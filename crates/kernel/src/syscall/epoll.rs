//! epoll_create/epoll_create1, epoll_ctl and epoll_wait/epoll_pwait/epoll_pwait2 over the
//! kernel's epoll instances (crate::fs::epoll) and the shared readiness wait.

use alloc::boxed::Box;
use alloc::sync::Arc;

use junction_abi::{
    self as abi,
    structs::{EpollEvent, Timespec},
    Errno,
};

use super::{fd, signal, Args};
use crate::fs::anon_inode;
use crate::fs::epoll::{Epoll, EPOLLEXCLUSIVE, EXCLUSIVE_OK_BITS};
use crate::fs::file::{OpenFile, O_RDWR};
use crate::readiness::{self, Deadline};
use crate::{state, user};

const EPOLL_CLOEXEC: u64 = abi::EPOLL_CLOEXEC;
const EPOLL_CTL_ADD: u64 = abi::EPOLL_CTL_ADD;
const EPOLL_CTL_DEL: u64 = abi::EPOLL_CTL_DEL;
const EPOLL_CTL_MOD: u64 = abi::EPOLL_CTL_MOD;
/// Linux's EP_MAX_EVENTS: as many events as fit in INT_MAX bytes.
const MAX_EVENTS: i32 = i32::MAX / EpollEvent::SIZE as i32;

fn create(flags: u64) -> Result<u64, Errno> {
    let file = OpenFile::new(
        Box::new(Epoll::new()),
        O_RDWR,
        anon_inode::name("eventpoll"),
    );
    fd::install(Arc::new(file), flags & EPOLL_CLOEXEC != 0)
}

pub fn epoll_create(a: &Args) -> Result<u64, Errno> {
    if a[0] as i32 <= 0 {
        return Err(Errno::EINVAL);
    }
    create(0)
}

pub fn epoll_create1(a: &Args) -> Result<u64, Errno> {
    let flags = u64::from(a[0] as u32);
    if flags & !EPOLL_CLOEXEC != 0 {
        return Err(Errno::EINVAL);
    }
    create(flags)
}

/// The checks in the order Linux's do_epoll_ctl makes them.
pub fn epoll_ctl(a: &Args) -> Result<u64, Errno> {
    let (epfd, op, fd, event_addr) = (a[0] as i32, a[1], a[2] as i32, a[3]);
    let event = if op == EPOLL_CTL_DEL {
        None
    } else {
        Some(user::read::<EpollEvent>(
            &state::lock().vm.vmas,
            event_addr,
        )?)
    };
    let (ep_file, target) = {
        let k = state::lock();
        (k.fds.file(epfd)?, k.fds.file(fd)?)
    };
    if !target.ops.can_poll() {
        return Err(Errno::EPERM);
    }
    let epoll = ep_file.kind::<Epoll>().ok_or(Errno::EINVAL)?;
    if Arc::ptr_eq(&ep_file, &target) {
        return Err(Errno::EINVAL);
    }
    let nested = target.kind::<Epoll>();
    if let Some(ev) = event {
        let events = ev.events;
        // Exclusive wake-ups are set up at ADD only, and never for nested epoll.
        if events & EPOLLEXCLUSIVE != 0
            && (op == EPOLL_CTL_MOD
                || (op == EPOLL_CTL_ADD && (nested.is_some() || events & !EXCLUSIVE_OK_BITS != 0)))
        {
            return Err(Errno::EINVAL);
        }
    }
    match (op, event) {
        (EPOLL_CTL_ADD, Some(ev)) => {
            if nested.is_some_and(|inner| epoll.would_loop(inner)) {
                return Err(Errno::ELOOP);
            }
            epoll.add(fd, &target, ev)
        }
        (EPOLL_CTL_MOD, Some(ev)) => epoll.modify(fd, &target, ev),
        (EPOLL_CTL_DEL, _) => epoll.delete(fd, &target),
        _ => Err(Errno::EINVAL),
    }
    .map(|()| 0)
}

/// The wait every variant shares: ready events into `events_addr`, at most `max`.
fn do_wait(epfd: i32, events_addr: u64, max: i32, deadline: Deadline) -> Result<u64, Errno> {
    if max <= 0 || max > MAX_EVENTS {
        return Err(Errno::EINVAL);
    }
    let file = state::lock().fds.file(epfd)?;
    let epoll = file.kind::<Epoll>().ok_or(Errno::EINVAL)?;
    let found = readiness::wait(deadline, |host_waits| {
        let events = epoll.harvest(max as usize);
        if events.is_empty() {
            epoll.add_host_waits(host_waits);
            return Ok(None);
        }
        Ok(Some(events))
    })?;
    let events = found.unwrap_or_default();
    let k = state::lock();
    for (i, event) in events.iter().enumerate() {
        let at = events_addr + (i * EpollEvent::SIZE) as u64;
        if let Err(e) = user::write(&k.vm.vmas, at, event) {
            // As Linux: the events already copied count; none copied is the fault.
            return if i == 0 { Err(e) } else { Ok(i as u64) };
        }
    }
    Ok(events.len() as u64)
}

fn ms_deadline(timeout_ms: i32) -> Deadline {
    Deadline::after(u64::try_from(timeout_ms).ok().map(|ms| ms * 1_000_000))
}

pub fn epoll_wait(a: &Args) -> Result<u64, Errno> {
    do_wait(a[0] as i32, a[1], a[2] as i32, ms_deadline(a[3] as i32))
}

pub fn epoll_pwait(a: &Args) -> Result<u64, Errno> {
    let mask = signal::read_sigmask(a[4], a[5])?;
    let deadline = ms_deadline(a[3] as i32);
    signal::with_mask(mask, || do_wait(a[0] as i32, a[1], a[2] as i32, deadline))
}

pub fn epoll_pwait2(a: &Args) -> Result<u64, Errno> {
    let timeout = if a[3] == 0 {
        None
    } else {
        let ts: Timespec = user::read(&state::lock().vm.vmas, a[3])?;
        Some(readiness::timespec_ns(&ts)?)
    };
    let deadline = Deadline::after(timeout);
    let mask = signal::read_sigmask(a[4], a[5])?;
    signal::with_mask(mask, || do_wait(a[0] as i32, a[1], a[2] as i32, deadline))
}
