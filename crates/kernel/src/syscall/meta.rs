//! File metadata: chmod, chown, utimensat (and utime, utimes, futimesat), truncate by name,
//! symlink and link. By place: the root directory's files are forwarded to the host
//! (`fs::forward`: changes only in --rw paths, EROFS elsewhere); the tmpfs serves the calls
//! itself; `/dev`, `/proc` and kernel objects keep their metadata fixed (`fs::attr::fixed`)
//! and take no new names. A link between two places is EXDEV, as between two mounts.
//! Host calls are made after the kernel's lock is released (`forward::HostOp`). The design:
//! docs/design/file-metadata.md.

use alloc::string::String;
use alloc::sync::Arc;

use junction_abi::{
    structs::{Timespec, Timeval},
    Errno,
};

use super::path::{resolve, resolve_name};
use super::Args;
use crate::fs::attr::{self, Change, Time, UTIME_OMIT};
use crate::fs::dir::{S_IFDIR, S_IFMT};
use crate::fs::file::{OpenFile, O_PATH};
use crate::fs::forward::{self, HostOp};
use crate::fs::lookup::{self, Target};
use crate::fs::vfs::Place;
use crate::fs::{proc, tmpfs};
use crate::state::{self, Kernel};
use crate::user;

const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
const AT_SYMLINK_FOLLOW: u64 = 0x400;
const AT_EMPTY_PATH: u64 = 0x1000;

/// What a call acts on: an open file (AT_EMPTY_PATH with an empty path) or a path.
enum Subject {
    File(Arc<OpenFile>),
    Path(String),
}

/// What a call decided under the kernel's lock: done, or a host call to make once the lock
/// is released.
enum Next {
    Done,
    Host(HostOp),
}

fn done(result: Result<(), Errno>) -> Result<Next, Errno> {
    result.map(|()| Next::Done)
}

fn host(op: Result<HostOp, Errno>) -> Result<Next, Errno> {
    op.map(Next::Host)
}

/// Makes the host call a decision left, if any (the lock must be released by now).
fn finish(next: Result<Next, Errno>) -> Result<u64, Errno> {
    match next? {
        Next::Done => Ok(0),
        Next::Host(op) => op.run().map(|()| 0),
    }
}

fn subject(dirfd: i32, path_addr: u64, flags: u64) -> Result<Subject, Errno> {
    if flags & AT_EMPTY_PATH != 0 {
        let k = state::lock();
        if user::path(&k.vm.vmas, path_addr)?.is_empty() {
            return Ok(if dirfd == AT_FDCWD {
                Subject::Path(k.cwd.clone())
            } else {
                Subject::File(k.fds.file(dirfd)?)
            });
        }
    }
    Ok(Subject::Path(resolve(dirfd, path_addr)?))
}

/// chmod/chown/utimensat of an open file (kept open by the caller until `finish`):
/// forwarded for root-directory files, else the file kind's own (`FileOps::change`).
fn change_file(k: &Kernel, file: &OpenFile, change: &Change) -> Result<Next, Errno> {
    match file.ops.root_host_fd() {
        Some(fd) => {
            let path_fd = file.flags() & O_PATH != 0;
            host(forward::change_open(&k.vfs, fd, path_fd, change))
        }
        None => done(file.ops.change(change)),
    }
}

/// chmod/chown/utimensat of what `subject` names, decided under the lock; an open file the
/// change goes to is put in `keep`, to stay open until the host call is made.
fn decide_change(
    subject: Subject,
    follow: bool,
    change: &Change,
    keep: &mut Option<Arc<OpenFile>>,
) -> Result<Next, Errno> {
    let k = state::lock();
    let abs = match subject {
        Subject::File(file) => return change_file(&k, keep.insert(file), change),
        Subject::Path(abs) => abs,
    };
    match lookup::target(&k, &abs, follow)? {
        Target::Fd(fd) => {
            let file = k.fds.file(fd).map_err(|_| Errno::ENOENT)?;
            change_file(&k, keep.insert(file), change)
        }
        Target::Proc(node) => done(attr::fixed(&proc::stat(&node), change)),
        Target::Path(path) => match k.vfs.place(&path) {
            Place::Root(rel) => host(forward::change(&k.vfs, rel, follow, change)),
            Place::Tmp(rel) => done(k.vfs.tmp.change(rel, change)),
            _ => done(attr::fixed(&k.vfs.stat(&path, follow)?, change)),
        },
    }
}

fn change(subject: Subject, follow: bool, change: &Change) -> Result<u64, Errno> {
    let mut keep = None;
    let next = decide_change(subject, follow, change, &mut keep);
    finish(next)
}

/// fchmod, fchown, futimens: O_PATH fds are refused, as Linux refuses them.
fn change_fd(fd: i32, change: &Change) -> Result<u64, Errno> {
    let file = state::lock().fds.file(fd)?;
    if file.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    let next = change_file(&state::lock(), &file, change);
    finish(next)
}

fn check_flags(flags: u64, allowed: u64) -> Result<(), Errno> {
    if flags & !allowed != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

// ---- chmod ----

fn chmod_at(dirfd: i32, path_addr: u64, mode: u64, flags: u64) -> Result<u64, Errno> {
    check_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)?;
    // umask does not apply: the bits are set as given.
    let mode = Change::Mode(mode as u32 & 0o7777);
    change(
        subject(dirfd, path_addr, flags)?,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        &mode,
    )
}

pub fn chmod(a: &Args) -> Result<u64, Errno> {
    chmod_at(AT_FDCWD, a[0], a[1], 0)
}

pub fn fchmod(a: &Args) -> Result<u64, Errno> {
    change_fd(a[0] as i32, &Change::Mode(a[1] as u32 & 0o7777))
}

/// fchmodat has no flags argument (r10 is whatever the app left there).
pub fn fchmodat(a: &Args) -> Result<u64, Errno> {
    chmod_at(a[0] as i32, a[1], a[2], 0)
}

pub fn fchmodat2(a: &Args) -> Result<u64, Errno> {
    chmod_at(a[0] as i32, a[1], a[2], a[3])
}

// ---- chown ----

/// A uid or gid argument: -1 keeps it.
fn id(raw: u64) -> Option<u32> {
    let id = raw as u32;
    (id != u32::MAX).then_some(id)
}

fn chown_at(dirfd: i32, path_addr: u64, uid: u64, gid: u64, flags: u64) -> Result<u64, Errno> {
    check_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)?;
    change(
        subject(dirfd, path_addr, flags)?,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        &Change::Owner(id(uid), id(gid)),
    )
}

pub fn chown(a: &Args) -> Result<u64, Errno> {
    chown_at(AT_FDCWD, a[0], a[1], a[2], 0)
}

pub fn lchown(a: &Args) -> Result<u64, Errno> {
    chown_at(AT_FDCWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW)
}

pub fn fchown(a: &Args) -> Result<u64, Errno> {
    change_fd(a[0] as i32, &Change::Owner(id(a[1]), id(a[2])))
}

pub fn fchownat(a: &Args) -> Result<u64, Errno> {
    chown_at(a[0] as i32, a[1], a[2], a[3], a[4])
}

// ---- utimensat, utime, utimes, futimesat ----

/// Sets (atime, mtime) of what (dirfd, path) names; a null path with a real dirfd is the
/// fd itself (futimens), which takes no flags.
fn set_times(dirfd: i32, path_addr: u64, times: (Time, Time), flags: u64) -> Result<u64, Errno> {
    let times = Change::Times(times.0, times.1);
    if path_addr == 0 && dirfd != AT_FDCWD {
        check_flags(flags, 0)?;
        return change_fd(dirfd, &times);
    }
    check_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)?;
    change(
        subject(dirfd, path_addr, flags)?,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        &times,
    )
}

/// The two entries of a user array of `T` (EFAULT if unreadable).
fn read_pair<T: user::Pod>(addr: u64) -> Result<[T; 2], Errno> {
    let k = state::lock();
    let size = core::mem::size_of::<T>() as u64;
    Ok([
        user::read(&k.vm.vmas, addr)?,
        user::read(&k.vm.vmas, addr.checked_add(size).ok_or(Errno::EFAULT)?)?,
    ])
}

pub fn utimensat(a: &Args) -> Result<u64, Errno> {
    let times = if a[2] == 0 {
        (Time::Now, Time::Now)
    } else {
        let [atime, mtime] = read_pair::<Timespec>(a[2])?;
        // Nothing to change: Linux does not even look the path up.
        if atime.tv_nsec == UTIME_OMIT && mtime.tv_nsec == UTIME_OMIT {
            return Ok(0);
        }
        (Time::from_timespec(atime)?, Time::from_timespec(mtime)?)
    };
    set_times(a[0] as i32, a[1], times, a[3])
}

/// utimes/futimesat's timevals: microseconds must be below a second.
fn timeval_times(addr: u64) -> Result<(Time, Time), Errno> {
    if addr == 0 {
        return Ok((Time::Now, Time::Now));
    }
    let at = |tv: Timeval| -> Result<Time, Errno> {
        if !(0..1_000_000).contains(&tv.tv_usec) {
            return Err(Errno::EINVAL);
        }
        Ok(Time::At(Timespec {
            tv_sec: tv.tv_sec,
            tv_nsec: tv.tv_usec * 1000,
        }))
    };
    let [atime, mtime] = read_pair::<Timeval>(addr)?;
    Ok((at(atime)?, at(mtime)?))
}

pub fn utimes(a: &Args) -> Result<u64, Errno> {
    set_times(AT_FDCWD, a[0], timeval_times(a[1])?, 0)
}

pub fn futimesat(a: &Args) -> Result<u64, Errno> {
    set_times(a[0] as i32, a[1], timeval_times(a[2])?, 0)
}

/// utime(2): whole seconds (struct utimbuf), or now.
pub fn utime(a: &Args) -> Result<u64, Errno> {
    let times = if a[1] == 0 {
        (Time::Now, Time::Now)
    } else {
        let [atime, mtime] = read_pair::<i64>(a[1])?;
        let at = |tv_sec| Time::At(Timespec { tv_sec, tv_nsec: 0 });
        (at(atime), at(mtime))
    };
    set_times(AT_FDCWD, a[0], times, 0)
}

// ---- truncate ----

/// truncate of a file reached through an fd alias (/proc/self/fd/N, /dev/stdout).
fn truncate_file(k: &Kernel, file: &OpenFile, len: u64) -> Result<Next, Errno> {
    if let Some(inode) = tmpfs::inode_of(file) {
        return done(inode.truncate_by_name(len));
    }
    if let Some(path) = file
        .ops
        .root_host_fd()
        .and_then(|fd| k.vfs.instance_path(fd))
    {
        let rel = path.trim_start_matches('/');
        return host(forward::truncate(
            &k.vfs,
            if rel.is_empty() { "." } else { rel },
            len,
        ));
    }
    // Kernel objects and stdio the instance was given: not the instance's to resize.
    not_resizable(file.ops.stat()?.st_mode)
}

/// What truncate says of a file it cannot resize.
fn not_resizable(mode: u32) -> Result<Next, Errno> {
    Err(match mode & S_IFMT {
        S_IFDIR => Errno::EISDIR,
        0o100000 => Errno::EACCES,
        _ => Errno::EINVAL,
    })
}

pub fn truncate(a: &Args) -> Result<u64, Errno> {
    let len = a[1] as i64;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let abs = resolve(AT_FDCWD, a[0])?;
    let next = decide_truncate(&abs, len as u64);
    finish(next)
}

fn decide_truncate(abs: &str, len: u64) -> Result<Next, Errno> {
    let k = state::lock();
    match lookup::target(&k, abs, true)? {
        Target::Fd(fd) => {
            let file = k.fds.file(fd).map_err(|_| Errno::ENOENT)?;
            truncate_file(&k, &file, len)
        }
        Target::Proc(node) => not_resizable(proc::stat(&node).st_mode),
        Target::Path(path) => match k.vfs.place(&path) {
            Place::Root(rel) => host(forward::truncate(&k.vfs, rel, len)),
            Place::Tmp(rel) => done(k.vfs.tmp.truncate(rel, len)),
            _ => not_resizable(k.vfs.stat(&path, true)?.st_mode),
        },
    }
}

// ---- symlink, link ----

/// A new name where neither the root directory nor the tmpfs is: EEXIST when it is taken;
/// else `/proc` makes no names (ENOENT) and `/dev` belongs to root (EACCES).
fn no_new_name(k: &Kernel, abs: &str) -> Errno {
    if lookup::stat(k, abs, false).is_ok() {
        return Errno::EEXIST;
    }
    match k.vfs.place(abs) {
        Place::Proc(_) => Errno::ENOENT,
        _ => Errno::EACCES,
    }
}

fn symlink_at(target_addr: u64, newdirfd: i32, new_addr: u64) -> Result<u64, Errno> {
    let mut target = user::path(&state::lock().vm.vmas, target_addr)?;
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    let abs = resolve_name(newdirfd, new_addr)?;
    let next = {
        let k = state::lock();
        match k.vfs.place(&abs) {
            Place::Root(_) => {
                target.push(0);
                host(forward::symlink(&k.vfs, target, &abs))
            }
            Place::Tmp(rel) => done(k.vfs.tmp.symlink(&target, rel)),
            _ => Err(no_new_name(&k, &abs)),
        }
    };
    finish(next)
}

pub fn symlink(a: &Args) -> Result<u64, Errno> {
    symlink_at(a[0], AT_FDCWD, a[1])
}

pub fn symlinkat(a: &Args) -> Result<u64, Errno> {
    symlink_at(a[0], a[1] as i32, a[2])
}

/// The answer for a link whose two names are in different places, in Linux's order: the
/// new name's directory must exist (ENOENT) and the name be free (EEXIST), then the two
/// mounts differ (EXDEV).
fn across(k: &Kernel, new: &str) -> Errno {
    let dir = &new[..new.rfind('/').unwrap_or(0).max(1)];
    if let Err(e) = lookup::stat(k, dir, true) {
        return e;
    }
    match k.vfs.place(new) {
        Place::Root(_) | Place::Tmp(_) if lookup::stat(k, new, false).is_ok() => Errno::EEXIST,
        Place::Root(_) | Place::Tmp(_) => Errno::EXDEV,
        _ => no_new_name(k, new),
    }
}

/// A new name for an open file (linkat AT_EMPTY_PATH, or /proc/self/fd/N followed), kept
/// open by the caller until `finish`.
fn link_file(k: &Kernel, file: &OpenFile, new: &str) -> Result<Next, Errno> {
    match k.vfs.place(new) {
        Place::Tmp(rel) => {
            if let Some(inode) = tmpfs::inode_of(file) {
                return done(k.vfs.tmp.link_open(inode, rel));
            }
        }
        Place::Root(_) => {
            if let Some(fd) = file.ops.root_host_fd() {
                return host(forward::link_open(&k.vfs, fd, new));
            }
        }
        _ => {}
    }
    Err(across(k, new))
}

fn link_at(
    olddir: i32,
    old_addr: u64,
    newdir: i32,
    new_addr: u64,
    flags: u64,
) -> Result<u64, Errno> {
    check_flags(flags, AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)?;
    let follow = flags & AT_SYMLINK_FOLLOW != 0;
    let old = subject(olddir, old_addr, flags)?;
    let new = resolve_name(newdir, new_addr)?;
    let mut keep = None;
    let next = decide_link(old, follow, &new, &mut keep);
    finish(next)
}

/// link of `old` to the new name `new`, decided under the lock; an open file being linked
/// is put in `keep`, to stay open until the host call is made.
fn decide_link(
    old: Subject,
    follow: bool,
    new: &str,
    keep: &mut Option<Arc<OpenFile>>,
) -> Result<Next, Errno> {
    let k = state::lock();
    let old = match old {
        Subject::File(file) => return link_file(&k, keep.insert(file), new),
        Subject::Path(old) => match lookup::target(&k, &old, follow)? {
            Target::Path(path) => path,
            Target::Fd(fd) => {
                let file = k.fds.file(fd).map_err(|_| Errno::ENOENT)?;
                return link_file(&k, keep.insert(file), new);
            }
            Target::Proc(_) => return Err(across(&k, new)),
        },
    };
    match (k.vfs.place(&old), k.vfs.place(new)) {
        (Place::Root(from), Place::Root(_)) => host(forward::link(&k.vfs, from, follow, new)),
        (Place::Tmp(from), Place::Tmp(to)) => done(k.vfs.tmp.link(from, to)),
        _ => {
            lookup::stat(&k, &old, false)?;
            Err(across(&k, new))
        }
    }
}

pub fn link(a: &Args) -> Result<u64, Errno> {
    link_at(AT_FDCWD, a[0], AT_FDCWD, a[1], 0)
}

pub fn linkat(a: &Args) -> Result<u64, Errno> {
    link_at(a[0] as i32, a[1], a[2] as i32, a[3], a[4])
}
