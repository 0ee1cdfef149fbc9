//! epoll instances, served in the kernel. An instance is an open file holding an interest
//! list keyed by (fd, open file), as Linux keys it: a dup of a watched fd is a separate
//! entry, and an entry lives as long as its open file does (it holds a `Weak`, so closing
//! the last fd of the file drops the entry).
//!
//! Readiness is looked up when a wait scans, not pushed by callbacks. Level-triggered
//! entries report whatever is ready. Edge-triggered entries report once per wake-up of the
//! file (pipes and eventfds count their wake-ups, see crate::readiness::Wakeups), or, for
//! files the kernel cannot watch change (host fds), once per readiness bit that turned on
//! between two looks. EPOLLONESHOT disarms an entry after one report until EPOLL_CTL_MOD.
//!
//! The list's order stands in for Linux's ready list, which decides who is reported first
//! when `maxevents` is small: entries on it (`listed`) come first, in the order they were
//! queued; a level-triggered entry that reported goes back to its end; the rest follow.

use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;

use junction_abi::{self as abi, structs::EpollEvent, structs::Stat, Errno};

use super::file::{FileOps, OpenFile, POLLIN, POLLRDNORM};
use crate::readiness::{HostWaits, Wakeups};
use crate::sync::SpinLock;

const EPOLLIN: u32 = abi::EPOLLIN as u32;
const EPOLLOUT: u32 = abi::EPOLLOUT as u32;
const EPOLLRDNORM: u32 = abi::EPOLLRDNORM as u32;
const EPOLLWRNORM: u32 = abi::EPOLLWRNORM as u32;
const EPOLLERR: u32 = abi::EPOLLERR as u32;
const EPOLLHUP: u32 = abi::EPOLLHUP as u32;
pub const EPOLLET: u32 = abi::EPOLLET as u32;
pub const EPOLLONESHOT: u32 = abi::EPOLLONESHOT as u32;
pub const EPOLLEXCLUSIVE: u32 = abi::EPOLLEXCLUSIVE as u32;
const EPOLLWAKEUP: u32 = abi::EPOLLWAKEUP as u32;
/// Flag bits an entry keeps when a one-shot disarms it (Linux's EP_PRIVATE_BITS).
const PRIVATE_BITS: u32 = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/// What EPOLLEXCLUSIVE may be combined with.
pub const EXCLUSIVE_OK_BITS: u32 =
    EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
/// How deep epoll instances may nest (Linux's EPOLL_MAX_NESTS).
const MAX_NESTS: usize = 4;

#[derive(Debug)]
struct Interest {
    fd: i32,
    file: Weak<OpenFile>,
    /// The events asked for plus ERR and HUP; only the flag bits once a one-shot fired.
    events: u32,
    data: u64,
    /// On the ready list: reported last time (level-triggered), or found ready by ADD or
    /// MOD. An edge-triggered entry on it reports without a new wake-up.
    listed: bool,
    /// Wake-up counts at the last look, for files that count them.
    seen: Wakeups,
    /// Readiness at the last look, for files that do not.
    last: u32,
}

/// What an entry would report now.
#[derive(Debug, Clone, Copy)]
struct Look {
    /// The file's readiness.
    raw: u32,
    /// Its wake-up counts, if it keeps them.
    wakeups: Option<Wakeups>,
    /// What a wait would report (zero: nothing).
    report: u32,
}

impl Interest {
    fn edge_triggered(&self) -> bool {
        self.events & EPOLLET != 0
    }

    fn look(&self, file: &OpenFile) -> Look {
        let raw = file.ops.poll();
        let wakeups = file.ops.wakeups();
        let now = raw & self.events & !PRIVATE_BITS;
        let report = if self.edge_triggered() && !self.listed && !self.woken(raw, wakeups) {
            0
        } else {
            now
        };
        Look {
            raw,
            wakeups,
            report,
        }
    }

    /// Whether the file was woken (or turned ready) in a way this entry listens to since the
    /// last look; as in Linux, a wake-up only counts when its key meets the entry's events.
    fn woken(&self, raw: u32, wakeups: Option<Wakeups>) -> bool {
        match wakeups {
            Some(w) => {
                w.everyone != self.seen.everyone
                    || (w.readers != self.seen.readers
                        && self.events & (EPOLLIN | EPOLLRDNORM) != 0)
                    || (w.writers != self.seen.writers
                        && self.events & (EPOLLOUT | EPOLLWRNORM) != 0)
            }
            None => raw & !self.last & self.events != 0,
        }
    }

    /// Marks what `look` saw as seen: an edge is reported (or dropped, when the file is no
    /// longer ready) once; only a level-triggered report stays on the ready list.
    fn consume(&mut self, look: &Look) {
        self.listed = look.report != 0 && self.events & (EPOLLET | EPOLLONESHOT) == 0;
        self.last = look.raw;
        if let Some(w) = look.wakeups {
            self.seen = w;
        }
        if look.report != 0 && self.events & EPOLLONESHOT != 0 {
            self.events &= PRIVATE_BITS;
        }
    }

    /// Snapshot of the file's state when the entry is (re)armed. Whether it is ready now:
    /// then it joins the ready list.
    fn arm(&mut self, file: &OpenFile) -> bool {
        self.seen = file.ops.wakeups().unwrap_or_default();
        self.last = file.ops.poll();
        self.last & self.events & !PRIVATE_BITS != 0
    }
}

#[derive(Debug)]
pub struct Epoll {
    interest: SpinLock<Vec<Interest>>,
}

impl Default for Epoll {
    fn default() -> Self {
        Epoll {
            interest: SpinLock::new(Vec::new()),
        }
    }
}

impl Epoll {
    pub fn new() -> Self {
        Epoll::default()
    }

    fn position(list: &[Interest], fd: i32, file: &Arc<OpenFile>) -> Option<usize> {
        list.iter()
            .position(|i| i.fd == fd && core::ptr::eq(i.file.as_ptr(), Arc::as_ptr(file)))
    }

    /// Puts `entry` at the end of the ready list when it is ready, at the very end if not.
    fn insert(list: &mut Vec<Interest>, mut entry: Interest, ready: bool) {
        if ready && !entry.listed {
            entry.listed = true;
            let end_of_listed = list.iter().position(|i| !i.listed).unwrap_or(list.len());
            list.insert(end_of_listed, entry);
        } else {
            list.push(entry);
        }
    }

    /// EPOLL_CTL_ADD: EEXIST when (fd, file) is already watched.
    pub fn add(&self, fd: i32, file: &Arc<OpenFile>, event: EpollEvent) -> Result<(), Errno> {
        let mut list = self.interest.lock();
        list.retain(|i| i.file.strong_count() > 0);
        if Self::position(&list, fd, file).is_some() {
            return Err(Errno::EEXIST);
        }
        let mut entry = Interest {
            fd,
            file: Arc::downgrade(file),
            events: event.events | EPOLLERR | EPOLLHUP,
            data: event.data,
            listed: false,
            seen: Wakeups::default(),
            last: 0,
        };
        let ready = entry.arm(file);
        Self::insert(&mut list, entry, ready);
        Ok(())
    }

    /// EPOLL_CTL_MOD: new events and data; re-arms a fired one-shot. EPOLLEXCLUSIVE entries
    /// cannot be modified (EINVAL).
    pub fn modify(&self, fd: i32, file: &Arc<OpenFile>, event: EpollEvent) -> Result<(), Errno> {
        let mut list = self.interest.lock();
        let index = Self::position(&list, fd, file).ok_or(Errno::ENOENT)?;
        if list[index].events & EPOLLEXCLUSIVE != 0 {
            return Err(Errno::EINVAL);
        }
        let mut entry = list.remove(index);
        entry.events = event.events | EPOLLERR | EPOLLHUP;
        entry.data = event.data;
        let ready = entry.arm(file);
        if entry.listed {
            // Already queued: it keeps its place.
            list.insert(index, entry);
        } else {
            Self::insert(&mut list, entry, ready);
        }
        Ok(())
    }

    /// EPOLL_CTL_DEL.
    pub fn delete(&self, fd: i32, file: &Arc<OpenFile>) -> Result<(), Errno> {
        let mut list = self.interest.lock();
        let index = Self::position(&list, fd, file).ok_or(Errno::ENOENT)?;
        list.remove(index);
        Ok(())
    }

    /// Up to `max` events for epoll_wait, consuming edges and one-shots, in ready-list
    /// order. Afterwards the list is: entries not looked at that were on the ready list,
    /// then the level-triggered entries that reported (requeued), then the rest.
    pub fn harvest(&self, max: usize) -> Vec<EpollEvent> {
        let mut list = self.interest.lock();
        list.retain(|i| i.file.strong_count() > 0);
        let mut out = Vec::new();
        let mut looked = 0;
        for entry in list.iter_mut() {
            if out.len() == max {
                break;
            }
            looked += 1;
            let Some(file) = entry.file.upgrade() else {
                continue;
            };
            let look = entry.look(&file);
            entry.consume(&look);
            if look.report != 0 {
                out.push(EpollEvent {
                    events: look.report,
                    data: entry.data,
                });
            }
        }
        let rest = list.split_off(looked);
        let (requeued, dropped): (Vec<_>, Vec<_>) = list.drain(..).partition(|i| i.listed);
        let (waiting, others): (Vec<_>, Vec<_>) = rest.into_iter().partition(|i| i.listed);
        list.extend(waiting);
        list.extend(requeued);
        list.extend(dropped);
        list.extend(others);
        out
    }

    /// Whether a wait would report anything now (nothing is consumed).
    fn any_ready(&self) -> bool {
        let list = self.interest.lock();
        list.iter().any(|entry| {
            entry
                .file
                .upgrade()
                .is_some_and(|file| entry.look(&file).report != 0)
        })
    }

    /// The host fds whose change could make an entry report: a level-triggered entry waits
    /// for what it asked; an edge-triggered one only for bits that are off now (a bit that
    /// stays on cannot make a new edge, and waiting on it would wake at once).
    pub fn add_host_waits(&self, waits: &mut HostWaits) {
        let list = self.interest.lock();
        for entry in list.iter() {
            let Some(file) = entry.file.upgrade() else {
                continue;
            };
            let wanted = entry.events & !PRIVATE_BITS;
            if wanted == 0 {
                continue;
            }
            // Host fds: a bit that is on would end the host wait at once without an edge.
            if entry.edge_triggered() && file.ops.host_fd().is_some() {
                let raw = file.ops.poll();
                if raw & (EPOLLERR | EPOLLHUP) == 0 {
                    waits.add(&file, wanted & !raw);
                }
            } else {
                waits.add(&file, wanted);
            }
        }
    }

    /// The epoll instances this one watches.
    fn nested(&self) -> Vec<Arc<OpenFile>> {
        self.interest
            .lock()
            .iter()
            .filter_map(|i| i.file.upgrade())
            .filter(|f| f.kind::<Epoll>().is_some())
            .collect()
    }

    /// How many levels of epoll instances lie below this one; more than MAX_NESTS when
    /// `inserting_into` is among them (a cycle).
    fn depth_below(&self, inserting_into: &Epoll, level: usize) -> usize {
        let mut depth = 0;
        for file in self.nested() {
            let Some(inner) = file.kind::<Epoll>() else {
                continue;
            };
            let below = if core::ptr::eq(inner, inserting_into) || level > MAX_NESTS {
                MAX_NESTS + 1
            } else {
                inner.depth_below(inserting_into, level + 1) + 1
            };
            depth = depth.max(below);
            if depth > MAX_NESTS {
                break;
            }
        }
        depth
    }

    /// Whether watching `target` (another epoll instance) from this one would close a cycle
    /// or nest too deep: ELOOP. Only the depth below `target` is counted; the instances that
    /// watch this one are not tracked.
    pub fn would_loop(&self, target: &Epoll) -> bool {
        target.depth_below(self, 0) + 1 > MAX_NESTS
    }
}

impl FileOps for Epoll {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(super::anon_inode::stat())
    }

    fn poll(&self) -> u32 {
        if self.any_ready() {
            POLLIN | POLLRDNORM
        } else {
            0
        }
    }

    fn can_poll(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use alloc::boxed::Box;
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::*;
    use crate::fs::eventfd::EventFd;
    use crate::fs::file::{O_NONBLOCK, O_RDWR};

    fn open(ops: Box<dyn FileOps>) -> Arc<OpenFile> {
        Arc::new(OpenFile::new(ops, O_RDWR | O_NONBLOCK, String::new()))
    }

    fn event(events: u32, data: u64) -> EpollEvent {
        EpollEvent { events, data }
    }

    fn reported(epoll: &Epoll, max: usize) -> Vec<(u64, u32)> {
        epoll
            .harvest(max)
            .iter()
            .map(|e| (e.data, e.events))
            .collect()
    }

    fn bump(file: &OpenFile) {
        assert_eq!(file.write(&1u64.to_ne_bytes()), Ok(8));
    }

    #[test]
    fn level_triggered_reports_while_ready_and_takes_turns() {
        let epoll = Epoll::new();
        let (a, b) = (
            open(Box::new(EventFd::new(1, false))),
            open(Box::new(EventFd::new(1, false))),
        );
        epoll.add(3, &a, event(EPOLLIN, 1)).ok();
        epoll.add(4, &b, event(EPOLLIN, 2)).ok();
        assert_eq!(epoll.add(3, &a, event(EPOLLIN, 1)), Err(Errno::EEXIST));
        assert_eq!(reported(&epoll, 8), [(1, EPOLLIN), (2, EPOLLIN)]);
        assert_eq!(reported(&epoll, 1), [(1, EPOLLIN)]);
        assert_eq!(reported(&epoll, 1), [(2, EPOLLIN)]);
        assert_eq!(reported(&epoll, 1), [(1, EPOLLIN)]);
    }

    #[test]
    fn edge_triggered_reports_each_wake_up_once() {
        let epoll = Epoll::new();
        let e = open(Box::new(EventFd::new(0, false)));
        epoll.add(3, &e, event(EPOLLIN | EPOLLET, 7)).ok();
        assert!(reported(&epoll, 8).is_empty());
        bump(&e);
        assert_eq!(reported(&epoll, 8), [(7, EPOLLIN)]);
        assert!(reported(&epoll, 8).is_empty());
        bump(&e);
        assert_eq!(reported(&epoll, 8), [(7, EPOLLIN)]);
    }

    #[test]
    fn one_shot_disarms_until_modified() {
        let epoll = Epoll::new();
        let e = open(Box::new(EventFd::new(1, false)));
        epoll.add(3, &e, event(EPOLLIN | EPOLLONESHOT, 1)).ok();
        assert_eq!(reported(&epoll, 8), [(1, EPOLLIN)]);
        bump(&e);
        assert!(reported(&epoll, 8).is_empty());
        epoll.modify(3, &e, event(EPOLLIN, 2)).ok();
        assert_eq!(reported(&epoll, 8), [(2, EPOLLIN)]);
    }

    #[test]
    fn closing_the_file_drops_the_entry() {
        let epoll = Epoll::new();
        let e = open(Box::new(EventFd::new(1, false)));
        epoll.add(3, &e, event(EPOLLIN, 1)).ok();
        drop(e);
        assert!(reported(&epoll, 8).is_empty());
        assert!(epoll.interest.lock().is_empty());
    }

    #[test]
    fn cycles_and_deep_nesting_are_refused() {
        let files: Vec<Arc<OpenFile>> = (0..6).map(|_| open(Box::new(Epoll::new()))).collect();
        let get = |i: usize| {
            files[i]
                .kind::<Epoll>()
                .unwrap_or_else(|| panic!("epoll {i}"))
        };
        // kind() sees through the trait object; 1 watches 0; 0 watching 1 would close a cycle.
        assert!(!get(1).would_loop(get(0)));
        get(1).add(3, &files[0], event(EPOLLIN, 0)).ok();
        assert!(get(0).would_loop(get(1)));
        // A chain 5 -> 4 -> ... -> 0 is one level too deep at its last link.
        for i in 2..5 {
            assert!(!get(i).would_loop(get(i - 1)), "level {i}");
            get(i).add(3, &files[i - 1], event(EPOLLIN, 0)).ok();
        }
        assert!(get(5).would_loop(get(4)));
    }
}
