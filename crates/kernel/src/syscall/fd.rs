//! The fd table: close, close_range, dup/dup2/dup3, fcntl, fstat, pipe/pipe2. Served in the
//! kernel; no host call unless the last reference to a host file goes away.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use core::sync::atomic::Ordering;

use junction_abi::Errno;

use super::Args;
use crate::fs::fdtable::FdEntry;
use crate::fs::file::{OpenFile, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_WRONLY, SETFL_MASK};
use crate::fs::pipe::new_pipe;
use crate::{state, user};

/// Gives a new open file the lowest free fd.
pub fn install(file: Arc<OpenFile>, cloexec: bool) -> Result<u64, Errno> {
    state::lock()
        .fds
        .insert(FdEntry { file, cloexec })
        .map(|fd| fd as u64)
}

pub fn close(a: &Args) -> Result<u64, Errno> {
    let entry = state::lock().fds.remove(a[0] as i32)?;
    // The file (and a host fd behind it) is released here, outside the lock.
    drop(entry);
    Ok(0)
}

const CLOSE_RANGE_UNSHARE: u64 = 2;
const CLOSE_RANGE_CLOEXEC: u64 = 4;

pub fn close_range(a: &Args) -> Result<u64, Errno> {
    let (first, last, flags) = (a[0] as u32, a[1] as u32, a[2]);
    if flags & !(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) != 0 || first > last {
        return Err(Errno::EINVAL);
    }
    let mut k = state::lock();
    let Some(highest) = k.fds.highest() else {
        return Ok(0);
    };
    let last = last.min(highest as u32);
    let mut closed = alloc::vec::Vec::new();
    for fd in first..=last {
        if flags & CLOSE_RANGE_CLOEXEC != 0 {
            if let Ok(entry) = k.fds.get_mut(fd as i32) {
                entry.cloexec = true;
            }
        } else if let Ok(entry) = k.fds.remove(fd as i32) {
            closed.push(entry);
        }
    }
    drop(k);
    drop(closed);
    Ok(0)
}

pub fn dup(a: &Args) -> Result<u64, Errno> {
    let mut k = state::lock();
    let file = k.fds.file(a[0] as i32)?;
    k.fds
        .insert(FdEntry {
            file,
            cloexec: false,
        })
        .map(|fd| fd as u64)
}

fn dup_to(old: i32, new: i32, cloexec: bool) -> Result<u64, Errno> {
    let mut k = state::lock();
    let file = k.fds.file(old)?;
    let previous = k.fds.replace(new, FdEntry { file, cloexec })?;
    drop(k);
    drop(previous);
    Ok(new as u64)
}

pub fn dup2(a: &Args) -> Result<u64, Errno> {
    let (old, new) = (a[0] as i32, a[1] as i32);
    if old == new {
        state::lock().fds.get(old)?;
        return Ok(new as u64);
    }
    dup_to(old, new, false)
}

pub fn dup3(a: &Args) -> Result<u64, Errno> {
    let (old, new) = (a[0] as i32, a[1] as i32);
    if a[2] & !u64::from(O_CLOEXEC) != 0 || old == new {
        return Err(Errno::EINVAL);
    }
    dup_to(old, new, a[2] != 0)
}

const F_DUPFD: u64 = 0;
const F_GETFD: u64 = 1;
const F_SETFD: u64 = 2;
const F_GETFL: u64 = 3;
const F_SETFL: u64 = 4;
const F_GETLK: u64 = 5;
const F_SETLK: u64 = 6;
const F_SETLKW: u64 = 7;
const F_DUPFD_CLOEXEC: u64 = 1030;
const F_GETPIPE_SZ: u64 = 1032;
const FD_CLOEXEC: u64 = 1;

pub fn fcntl(a: &Args) -> Result<u64, Errno> {
    let fd = a[0] as i32;
    let mut k = state::lock();
    match a[1] {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let file = k.fds.file(fd)?;
            let min = usize::try_from(a[2] as i32).map_err(|_| Errno::EINVAL)?;
            if min >= k.fds.limit {
                return Err(Errno::EINVAL);
            }
            k.fds
                .insert_from(
                    min,
                    FdEntry {
                        file,
                        cloexec: a[1] == F_DUPFD_CLOEXEC,
                    },
                )
                .map(|fd| fd as u64)
        }
        F_GETFD => Ok(if k.fds.get(fd)?.cloexec {
            FD_CLOEXEC
        } else {
            0
        }),
        F_SETFD => {
            k.fds.get_mut(fd)?.cloexec = a[2] & FD_CLOEXEC != 0;
            Ok(0)
        }
        F_GETFL => Ok(u64::from(k.fds.get(fd)?.file.flags())),
        F_SETFL => {
            let file = k.fds.file(fd)?;
            let old = file.flags();
            let new = (old & !SETFL_MASK) | (a[2] as u32 & SETFL_MASK);
            file.flags.store(new, Ordering::Relaxed);
            Ok(0)
        }
        // Record locks: one process in the instance, so no other process can hold a
        // conflicting lock. F_GETLK reports "unlocked" by setting l_type to F_UNLCK.
        F_SETLK | F_SETLKW => {
            k.fds.get(fd)?;
            Ok(0)
        }
        F_GETLK => {
            k.fds.get(fd)?;
            user::write(&k.vm.vmas, a[2], &2u16)?;
            Ok(0)
        }
        F_GETPIPE_SZ => {
            k.fds.get(fd)?;
            Ok(crate::fs::pipe::CAPACITY as u64)
        }
        _ => Err(Errno::EINVAL),
    }
}

pub fn fstat(a: &Args) -> Result<u64, Errno> {
    let file = state::lock().fds.file(a[0] as i32)?;
    let st = file.ops.stat()?;
    user::write(&state::lock().vm.vmas, a[1], &st)?;
    Ok(0)
}

pub fn pipe(a: &Args) -> Result<u64, Errno> {
    pipe2(&[a[0], 0, 0, 0, 0, 0])
}

pub fn pipe2(a: &Args) -> Result<u64, Errno> {
    let flags = a[1] as u32;
    if flags & !(O_CLOEXEC | O_NONBLOCK | 0o40000) != 0 {
        return Err(Errno::EINVAL);
    }
    let (r, w) = new_pipe();
    let status = flags & O_NONBLOCK;
    let read_end = Arc::new(OpenFile::new(
        Box::new(r),
        O_RDONLY | status,
        String::from("pipe:"),
    ));
    let write_end = Arc::new(OpenFile::new(
        Box::new(w),
        O_WRONLY | status,
        String::from("pipe:"),
    ));
    let cloexec = flags & O_CLOEXEC != 0;
    let mut k = state::lock();
    let rfd = k.fds.insert(FdEntry {
        file: read_end,
        cloexec,
    })?;
    let wfd = match k.fds.insert(FdEntry {
        file: write_end,
        cloexec,
    }) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = k.fds.remove(rfd);
            return Err(e);
        }
    };
    let pair: u64 = u64::from(rfd as u32) | (u64::from(wfd as u32) << 32);
    if let Err(e) = user::write(&k.vm.vmas, a[0], &pair) {
        let _ = k.fds.remove(rfd);
        let _ = k.fds.remove(wfd);
        return Err(e);
    }
    Ok(0)
}
