//! Metadata calls on files of the root directory, forwarded to the host ("forwarding"):
//! chmod, chown, utimensat, truncate, symlink and link. The file is opened O_PATH beneath
//! the root (RESOLVE_IN_ROOT), its real path (the host's name for the fd, symlinks
//! resolved) must lie in a --rw path, and the host changes it through that fd
//! (AT_EMPTY_PATH) or through its parent directory's fd: no host lookup starts outside the
//! root or follows a symlink out of it. The host applies its own permission rules.
//!
//! Each function decides under the kernel's lock (it needs the VFS) and returns the host
//! call as a [`HostOp`], which the caller makes once the lock is released.

use alloc::string::String;
use alloc::vec::Vec;

use junction_abi::Errno;

use super::attr::Change;
use super::dir::{S_IFDIR, S_IFMT, S_IFREG};
use super::file::{O_DIRECTORY, O_NOFOLLOW, O_PATH, O_WRONLY};
use super::vfs::{Intent, Vfs};
use crate::host;

/// A host fd the kernel opened for one call, closed when it goes.
#[derive(Debug)]
struct HostFd(i32);

impl Drop for HostFd {
    fn drop(&mut self) {
        let _ = host::close(self.0);
    }
}

/// A host call prepared under the kernel's lock (fds opened, the real path checked), made by
/// [`HostOp::run`] after it is released.
#[derive(Debug)]
pub struct HostOp(Op);

#[derive(Debug)]
enum Op {
    /// On an fd of the kernel's own (closed afterwards).
    Change(HostFd, Change),
    /// On an open file's fd, which the caller keeps open; `path_fd`: it is O_PATH.
    ChangeOpen(i32, bool, Change),
    Truncate(HostFd, u64),
    Symlink(Vec<u8>, HostFd, Vec<u8>),
    /// Old directory and name, new directory and name.
    Link(HostFd, Vec<u8>, HostFd, Vec<u8>),
    /// An open file's fd (kept open by the caller), new directory and name.
    LinkOpen(i32, HostFd, Vec<u8>),
}

impl HostOp {
    pub fn run(self) -> Result<(), Errno> {
        match self.0 {
            Op::Change(fd, change) => apply(fd.0, &change, true),
            Op::ChangeOpen(fd, path_fd, change) => apply(fd, &change, path_fd),
            Op::Truncate(fd, len) => host::ftruncate(fd.0, len),
            Op::Symlink(target, dir, name) => host::symlinkat(&target, dir.0, &name),
            Op::Link(old_dir, old, dir, name) => host::linkat(old_dir.0, &old, dir.0, &name),
            Op::LinkOpen(fd, dir, name) => host::link_fd(fd, dir.0, &name),
        }
    }
}

fn cstr(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 1);
    out.extend_from_slice(s.as_bytes());
    out.push(0);
    out
}

/// The path `open_host` takes for an instance path.
fn rel(abs: &str) -> &str {
    match abs.trim_start_matches('/') {
        "" => ".",
        rel => rel,
    }
}

/// An O_PATH fd of the file at `rel` that the instance may change: ENOENT when it is
/// missing (Linux reports that first), EROFS when its real path is outside --rw paths.
fn open_writable(vfs: &Vfs, rel: &str, follow: bool) -> Result<HostFd, Errno> {
    let fd = HostFd(vfs.open_host(rel, O_PATH | if follow { 0 } else { O_NOFOLLOW }, 0)?);
    if !vfs.writable_fd(fd.0) {
        return Err(Errno::EROFS);
    }
    Ok(fd)
}

/// Applies `change` to the file behind a host fd; `path_fd`: it is an O_PATH fd, which
/// fchmod refuses (fchmodat2 with AT_EMPTY_PATH takes it).
fn apply(fd: i32, change: &Change, path_fd: bool) -> Result<(), Errno> {
    match *change {
        Change::Mode(mode) if path_fd => host::fchmod_path_fd(fd, mode),
        Change::Mode(mode) => host::fchmod(fd, mode),
        Change::Owner(uid, gid) => {
            host::fchown(fd, uid.unwrap_or(u32::MAX), gid.unwrap_or(u32::MAX))
        }
        Change::Times(atime, mtime) => {
            host::futimens(fd, &[atime.to_timespec(), mtime.to_timespec()])
        }
    }
}

/// chmod, chown or utimensat of the root-directory file at `rel`.
pub fn change(vfs: &Vfs, rel: &str, follow: bool, change: &Change) -> Result<HostOp, Errno> {
    let fd = open_writable(vfs, rel, follow)?;
    Ok(HostOp(Op::Change(fd, *change)))
}

/// fchmod, fchown or futimens of an open root-directory file (its host fd, which the
/// caller keeps open until the call is made).
pub fn change_open(
    vfs: &Vfs,
    host_fd: i32,
    path_fd: bool,
    change: &Change,
) -> Result<HostOp, Errno> {
    if !vfs.writable_fd(host_fd) {
        return Err(Errno::EROFS);
    }
    Ok(HostOp(Op::ChangeOpen(host_fd, path_fd, *change)))
}

/// truncate(2) by name: Linux checks the file type before the mount, so EISDIR and EINVAL
/// come before EROFS. The file is reopened for writing by its real path, so the host checks
/// write permission (EACCES) as truncate does.
pub fn truncate(vfs: &Vfs, rel: &str, len: u64) -> Result<HostOp, Errno> {
    let fd = HostFd(vfs.open_host(rel, O_PATH, 0)?);
    match host::fstat(fd.0)?.st_mode & S_IFMT {
        S_IFREG => {}
        S_IFDIR => return Err(Errno::EISDIR),
        _ => return Err(Errno::EINVAL),
    }
    let real = vfs
        .instance_path(fd.0)
        .filter(|path| vfs.is_writable(path))
        .ok_or(Errno::EROFS)?;
    let file = HostFd(vfs.open_host(self::rel(&real), O_WRONLY | O_NOFOLLOW, 0)?);
    Ok(HostOp(Op::Truncate(file, len)))
}

/// symlink(2): a symlink at `abs` (in the root directory) saying `target` (NUL-terminated;
/// stored as it is, never looked up by the host).
pub fn symlink(vfs: &Vfs, target: Vec<u8>, abs: &str) -> Result<HostOp, Errno> {
    let (parent, name) = vfs.parent_for_write(abs, Intent::Create)?;
    Ok(HostOp(Op::Symlink(target, HostFd(parent), cstr(name))))
}

/// The new name of a link: its parent directory's fd and the name. A file outside --rw
/// paths cannot get a name inside one (it would become writable through it): EXDEV, as
/// Linux answers for a link from another (read-only) mount.
fn link_destination(vfs: &Vfs, old_real: &str, new: &str) -> Result<(HostFd, Vec<u8>), Errno> {
    let (parent, name) = vfs.parent_for_write(new, Intent::Create)?;
    let parent = HostFd(parent);
    if !vfs.is_writable(old_real) {
        return Err(Errno::EXDEV);
    }
    Ok((parent, cstr(name)))
}

/// link(2) of two root-directory paths: `old_rel` (followed when `follow`) gets the new
/// name `new` (an instance path). The host links by the old file's real parent and name.
pub fn link(vfs: &Vfs, old_rel: &str, follow: bool, new: &str) -> Result<HostOp, Errno> {
    let old = HostFd(vfs.open_host(old_rel, O_PATH | if follow { 0 } else { O_NOFOLLOW }, 0)?);
    let old_real = vfs.instance_path(old.0).ok_or(Errno::EXDEV)?;
    let (parent, name) = link_destination(vfs, &old_real, new)?;
    let split = old_real.rfind('/').unwrap_or(0);
    let (old_dir, old_name) = (&old_real[..split.max(1)], &old_real[split + 1..]);
    let old_dir = HostFd(vfs.open_host(rel(old_dir), O_PATH | O_DIRECTORY, 0)?);
    Ok(HostOp(Op::Link(old_dir, cstr(old_name), parent, name)))
}

/// linkat(fd, "", AT_EMPTY_PATH) of an open root-directory file (its host fd, which the
/// caller keeps open until the call is made).
pub fn link_open(vfs: &Vfs, host_fd: i32, new: &str) -> Result<HostOp, Errno> {
    let old_real: String = vfs.instance_path(host_fd).ok_or(Errno::EXDEV)?;
    let (parent, name) = link_destination(vfs, &old_real, new)?;
    Ok(HostOp(Op::LinkOpen(host_fd, parent, name)))
}
