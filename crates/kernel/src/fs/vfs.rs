//! Path resolution and the instance's mounts.
//!
//! The instance sees one tree: the root directory (a host directory, read-only except for
//! `--rw` paths), with `/dev`, `/proc` and the tmpfs at `/tmp` served by the kernel. A path is made absolute against the cwd
//! or a directory fd and normalised lexically (`.` and `..` are folded before lookup; see
//! docs/compat.md), keeping how its text ended ([`Ending`]: a trailing `/` demands a
//! directory); the mount is picked by prefix. Lookups in the root directory are done by
//! the host with `openat2(RESOLVE_IN_ROOT)` on the root's fd, so `..` and symlinks can never
//! leave it.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use junction_abi::{
    structs::{Stat, Statx},
    Errno,
};

use super::dev::Device;
use super::dir::{DirEntry, ListedDir, DT_CHR};
use super::file::{
    statx_from_stat, FileOps, OpenFile, O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW,
    O_PATH, O_RDONLY, O_TMPFILE, O_TRUNC,
};
use super::host_file::HostFile;
use super::tmpfs::Tmpfs;
use crate::host;

const S_IFMT: u32 = 0o170000;
const S_IFDIR: u32 = 0o040000;
const S_IFLNK: u32 = 0o120000;
const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
const RESOLVE_IN_ROOT: u64 = 0x10;
const O_CLOEXEC_HOST: u64 = 0o2000000;
/// Where the tmpfs is mounted.
const TMP_MOUNT: &str = "/tmp";
const O_NOCTTY_HOST: u64 = 0o400;

/// What an absolute instance path names.
#[derive(Debug, PartialEq, Eq)]
pub enum Place<'a> {
    /// Beneath the root directory; the path relative to it (`.` for the root itself).
    Root(&'a str),
    /// The `/dev` directory itself.
    DevDir,
    /// A device node.
    Dev(Device),
    /// `/dev/stdin`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`: the app's fd N.
    DevFd(i32),
    /// A name in `/dev` that the kernel does not serve.
    DevMissing,
    /// Beneath `/tmp` (the tmpfs): the path relative to it (`""` for `/tmp` itself).
    Tmp(&'a str),
    /// Beneath `/proc`: the path relative to it (resolved by `fs::proc` with the kernel's
    /// state).
    Proc(&'a str),
}

#[derive(Debug)]
pub struct Vfs {
    /// O_PATH fd of the root directory on the host.
    root_fd: i32,
    /// The root's host path (for messages and `junction info`).
    pub root_host_path: String,
    /// The same with symlinks resolved, as the host names files beneath the root.
    root_real_path: String,
    /// Instance paths below which writes are allowed (as given, and with symlinks resolved).
    writable: Vec<String>,
    /// The tmpfs at /tmp.
    pub tmp: Tmpfs,
    /// Whether the tmpfs is mounted (else /tmp is the root directory's).
    tmp_mounted: bool,
    /// Read-only host directories shown at instance paths (`--bind`), longest first.
    binds: Vec<Bind>,
}

/// A host directory bound read-only over a directory of the root (`--bind HOST:PATH`).
/// Lookups beneath it are the host's, confined to it (RESOLVE_IN_ROOT on its fd), so
/// neither `..` nor a symlink inside it can reach the rest of the host. A symlink elsewhere
/// in the root that points into it resolves in the root, not in the bind (the host follows
/// it); docs/compat.md says so.
#[derive(Debug)]
struct Bind {
    /// The instance path, relative to the root (`var/openfaas/secrets`).
    rel: String,
    /// O_PATH fd of the host directory.
    fd: i32,
    /// The host directory's real path, for naming files opened beneath it.
    host_path: String,
}

/// Joins `path` onto the absolute directory `base` and folds `.`, `..` and repeated slashes.
pub fn absolute(base: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let joined_base = if path.starts_with('/') { "" } else { base };
    for part in joined_base.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut out = String::with_capacity(path.len() + base.len() + 1);
    for part in &parts {
        out.push('/');
        out.push_str(part);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// How a path's text ends. Linux treats each ending differently (a trailing slash, `.` or
/// `..` must name a directory; `rmdir x/.` is refused), and [`absolute`] folds them away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// A name: `a/b`.
    Name,
    /// One or more slashes: `a/b/`, and `/` itself.
    Slash,
    /// `.` last: `.`, `a/.`.
    Dot,
    /// `..` last.
    DotDot,
}

impl Ending {
    pub fn of(path: &str) -> Ending {
        match path.rsplit('/').next() {
            Some("") => Ending::Slash,
            Some(".") => Ending::Dot,
            Some("..") => Ending::DotDot,
            _ => Ending::Name,
        }
    }

    /// Whether the path must name a directory (Linux looks it up as one, following a
    /// symlink in last place).
    pub fn wants_dir(self) -> bool {
        self != Ending::Name
    }
}

/// What `host_path` is beneath the host directory `dir`: `""` for itself, `/a/b` below it.
fn beneath<'a>(host_path: &'a str, dir: &str) -> Option<&'a str> {
    let inside = host_path.strip_prefix(dir.trim_end_matches('/'))?;
    match inside.as_bytes().first() {
        None | Some(b'/') => Some(inside),
        Some(_) => None,
    }
}

/// Why `--bind` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindError {
    /// The host directory cannot be opened.
    Host(Errno),
    /// The instance path is not a directory of the root.
    MountPoint(Errno),
}

/// Whether `path` is `prefix` or below it.
fn is_under(path: &str, prefix: &str) -> bool {
    prefix == "/"
        || path == prefix
        || (path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

impl Vfs {
    /// Opens the root directory. `writable` are instance paths (absolute); `tmpfs`: mount
    /// the in-memory tmpfs at /tmp.
    pub fn new(root_host_path: &str, writable: Vec<String>, tmpfs: bool) -> Result<Vfs, Errno> {
        let mut cpath: Vec<u8> = root_host_path.as_bytes().to_vec();
        cpath.push(0);
        let fd = host::openat2(-100, &cpath, 0o10000000 | 0o200000 | O_CLOEXEC_HOST, 0, 0)?;
        let mut vfs = Vfs {
            root_fd: fd,
            root_host_path: String::from(root_host_path),
            root_real_path: host_name(fd).unwrap_or_else(|| String::from(root_host_path)),
            writable,
            tmp: Tmpfs::new(super::dev::makedev(0, 0x30)),
            tmp_mounted: tmpfs,
            binds: Vec::new(),
        };
        // Writes through an fd are checked by the file's real path (`writable_fd`): a --rw
        // path given through a symlink must match that too.
        let resolved: Vec<String> = vfs
            .writable
            .iter()
            .filter_map(|w| {
                let fd = vfs.open_host(w.trim_start_matches('/'), O_PATH, 0).ok()?;
                let real = vfs.instance_path(fd);
                let _ = host::close(fd);
                real.filter(|r| r != w)
            })
            .collect();
        vfs.writable.extend(resolved);
        Ok(vfs)
    }

    pub fn place<'a>(&self, abs: &'a str) -> Place<'a> {
        if is_under(abs, "/dev") {
            let name = abs
                .strip_prefix("/dev")
                .unwrap_or("")
                .trim_start_matches('/');
            return match name {
                "" => Place::DevDir,
                "stdin" => Place::DevFd(0),
                "stdout" => Place::DevFd(1),
                "stderr" => Place::DevFd(2),
                _ => {
                    if let Some(n) = name.strip_prefix("fd/").and_then(|n| n.parse::<i32>().ok()) {
                        Place::DevFd(n)
                    } else {
                        Device::by_name(name).map_or(Place::DevMissing, Place::Dev)
                    }
                }
            };
        }
        if self.tmp_mounted && is_under(abs, TMP_MOUNT) {
            return Place::Tmp(abs[TMP_MOUNT.len()..].trim_start_matches('/'));
        }
        if is_under(abs, "/proc") {
            return Place::Proc(abs["/proc".len()..].trim_start_matches('/'));
        }
        let rel = abs.trim_start_matches('/');
        Place::Root(if rel.is_empty() { "." } else { rel })
    }

    pub fn is_writable(&self, abs: &str) -> bool {
        let rel = abs.trim_start_matches('/');
        self.writable.iter().any(|w| is_under(abs, w)) && self.bind_of(rel).is_none()
    }

    /// Binds the host directory `host_dir` read-only at `path` (absolute, in the root),
    /// which must be a directory of the root already, as a Linux mount point must.
    pub fn bind(&mut self, host_dir: &str, path: &str) -> Result<(), BindError> {
        let mut cpath: Vec<u8> = host_dir.as_bytes().to_vec();
        cpath.push(0);
        let fd = host::openat2(-100, &cpath, 0o10000000 | 0o200000 | O_CLOEXEC_HOST, 0, 0)
            .map_err(BindError::Host)?;
        let rel = String::from(absolute("/", path).trim_start_matches('/'));
        let point = match self.place(&absolute("/", path)) {
            Place::Root(_) if !rel.is_empty() => self.open_host(&rel, O_PATH | O_DIRECTORY, 0),
            _ => Err(Errno::EINVAL),
        };
        match point {
            Ok(point_fd) => {
                let _ = host::close(point_fd);
            }
            Err(e) => {
                let _ = host::close(fd);
                return Err(BindError::MountPoint(e));
            }
        }
        self.binds.push(Bind {
            rel,
            fd,
            host_path: host_name(fd).unwrap_or_else(|| String::from(host_dir)),
        });
        // Longest first, so a bind inside another wins.
        self.binds.sort_by_key(|b| core::cmp::Reverse(b.rel.len()));
        Ok(())
    }

    /// The bind holding `rel` (relative to the root) and the rest of the path beneath it.
    fn bind_of<'a>(&self, rel: &'a str) -> Option<(&Bind, &'a str)> {
        self.binds.iter().find_map(|b| {
            let rest = rel.strip_prefix(b.rel.as_str())?;
            match rest.as_bytes().first() {
                None => Some((b, ".")),
                Some(b'/') => Some((b, rest.trim_start_matches('/'))),
                Some(_) => None,
            }
        })
    }

    /// Whether the host file behind `host_fd` (opened beneath the root) lies in a --rw path,
    /// by its real path: a symlink in a writable directory cannot lend its writability to
    /// the file it names.
    pub fn writable_fd(&self, host_fd: i32) -> bool {
        self.instance_path(host_fd)
            .is_some_and(|path| self.is_writable(&path))
    }

    /// Opens a host file beneath the root: `rel` relative to it.
    pub fn open_host(&self, rel: &str, flags: u32, mode: u32) -> Result<i32, Errno> {
        let mut cpath: Vec<u8> = Vec::with_capacity(rel.len() + 1);
        cpath.extend_from_slice(rel.as_bytes());
        cpath.push(0);
        // openat2 refuses anything but O_CLOEXEC/O_DIRECTORY/O_NOFOLLOW next to O_PATH.
        let host_flags = if flags & O_PATH != 0 {
            u64::from(flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW)) | O_CLOEXEC_HOST
        } else {
            u64::from(flags) | O_CLOEXEC_HOST | O_NOCTTY_HOST
        };
        let mode = if flags & O_CREAT != 0 || flags & 0o20000000 != 0 {
            u64::from(mode)
        } else {
            0
        };
        let (dir_fd, path) = match self.bind_of(rel) {
            Some((bind, rest)) => {
                let mut rest_c: Vec<u8> = rest.as_bytes().to_vec();
                rest_c.push(0);
                (bind.fd, rest_c)
            }
            None => (self.root_fd, cpath),
        };
        host::openat2(
            dir_fd,
            &path,
            host_flags,
            mode,
            RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        )
    }

    /// openat for the root mount, /tmp and /dev; /proc and fd aliases (`/dev/stdin`) need
    /// the kernel's state and are `fs::lookup`'s.
    pub fn open(&self, abs: &str, flags: u32, mode: u32) -> Result<OpenFile, Errno> {
        let wants_write = flags & O_ACCMODE != O_RDONLY || flags & (O_CREAT | O_TRUNC) != 0;
        let ops: Box<dyn FileOps> = match self.place(abs) {
            Place::Root(rel) => {
                let mut flags = flags;
                if wants_write && flags & O_PATH == 0 && !self.opens_writable(abs, flags)? {
                    self.check_read_only_open(rel, flags)?;
                    // Only O_CREAT of a file that exists: an open for reading.
                    flags &= !O_CREAT;
                }
                let fd = self.open_host(rel, flags, mode)?;
                Box::new(HostFile::open(fd)?)
            }
            Place::Tmp(rel) => self.tmp.open(rel, flags, mode)?,
            Place::Dev(device) => Box::new(device),
            Place::DevDir => Box::new(dev_dir()),
            Place::DevFd(_) | Place::Proc(_) => return Err(Errno::ENOENT),
            Place::DevMissing => {
                return Err(if flags & O_CREAT != 0 {
                    Errno::EACCES
                } else {
                    Errno::ENOENT
                });
            }
        };
        // O_TMPFILE carries O_DIRECTORY's bit: it names the directory, not the new file.
        if flags & O_DIRECTORY != 0 && flags & O_TMPFILE != O_TMPFILE && !ops.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        Ok(OpenFile::new(ops, flags, String::from(abs)))
    }

    /// An open that may write, beneath a read-only part of the root: the error Linux gives,
    /// in its order (lookup, EEXIST, ELOOP, EISDIR, then EROFS), or Ok for O_CREAT alone of a
    /// file that exists, which opens it.
    fn check_read_only_open(&self, rel: &str, flags: u32) -> Result<(), Errno> {
        let exclusive = flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL;
        let nofollow = if flags & O_NOFOLLOW != 0 || exclusive {
            O_NOFOLLOW
        } else {
            0
        };
        let fd = match self.open_host(rel, O_PATH | nofollow | (flags & O_DIRECTORY), 0) {
            Ok(fd) => fd,
            Err(Errno::ENOENT) if flags & O_CREAT != 0 => return Err(Errno::EROFS),
            Err(e) => return Err(e),
        };
        let st = host::fstat(fd);
        let _ = host::close(fd);
        let kind = st?.st_mode & S_IFMT;
        if exclusive {
            return Err(Errno::EEXIST);
        }
        if kind == S_IFLNK {
            return Err(Errno::ELOOP);
        }
        let writes = flags & O_ACCMODE != O_RDONLY || flags & O_TRUNC != 0;
        if kind == S_IFDIR && (writes || flags & O_CREAT != 0) {
            return Err(Errno::EISDIR);
        }
        if writes {
            return Err(Errno::EROFS);
        }
        Ok(())
    }

    /// Whether opening `abs` (beneath the root) with `flags` writes inside --rw paths, by real
    /// paths: the file's own when it exists, else (O_CREAT) its directory's, after a
    /// dangling symlink in last place, which the host will follow to make the file. Linux
    /// reports a missing file (ENOENT) before a read-only file system.
    fn opens_writable(&self, abs: &str, flags: u32) -> Result<bool, Errno> {
        // O_CREAT | O_EXCL does not follow a last symlink: the host fails with EEXIST there.
        let exclusive = flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL;
        let probe =
            O_PATH | (flags & (O_NOFOLLOW | O_DIRECTORY)) | if exclusive { O_NOFOLLOW } else { 0 };
        let mut path = String::from(abs);
        for _ in 0..=MAX_LINKS {
            let rel = root_rel(&path);
            match self.open_host(rel, probe, 0) {
                Ok(fd) => {
                    let writable = self.writable_fd(fd);
                    let _ = host::close(fd);
                    return Ok(writable);
                }
                Err(Errno::ENOENT) if flags & O_CREAT != 0 => {}
                Err(e) => return Err(e),
            }
            let Ok(link) = self.open_host(rel, O_PATH | O_NOFOLLOW, 0) else {
                // The name is missing: the file is made in its directory.
                let (dir, name) = path.rsplit_once('/').unwrap_or(("", &path));
                let dir_fd = self.open_host(root_rel(dir), O_PATH | O_DIRECTORY, 0)?;
                let real = self.instance_path(dir_fd);
                let _ = host::close(dir_fd);
                return Ok(real.is_some_and(|dir| self.is_writable(&absolute(&dir, name))));
            };
            // A dangling symlink: go on from its target, relative to its real directory.
            let mut text = [0u8; 4096];
            let n = host::readlinkat(link, b"\0", &mut text);
            let real = self.instance_path(link);
            let _ = host::close(link);
            let target = core::str::from_utf8(&text[..n?]).map_err(|_| Errno::ENOENT)?;
            let real = real.ok_or(Errno::ENOENT)?;
            let dir = real.rsplit_once('/').map_or("/", |(dir, _)| dir);
            path = absolute(if dir.is_empty() { "/" } else { dir }, target);
        }
        Err(Errno::ELOOP)
    }

    /// Where the lookup of `abs` goes on after the first tmpfs symlink it must follow (every
    /// one before the last name; the last one when `follow`), or None. Symlinks of the root
    /// directory are the host's to follow (RESOLVE_IN_ROOT).
    pub fn detour(&self, abs: &str, follow: bool) -> Result<Option<String>, Errno> {
        let Place::Tmp(rel) = self.place(abs) else {
            return Ok(None);
        };
        Ok(self.tmp.follow(rel, follow)?.map(|d| {
            let dir = absolute(TMP_MOUNT, &d.dir);
            absolute(&absolute(&dir, &d.target), &d.rest)
        }))
    }

    /// stat/lstat of an absolute path.
    pub fn stat(&self, abs: &str, follow: bool) -> Result<Stat, Errno> {
        match self.place(abs) {
            Place::Root(rel) => {
                let flags = O_PATH | if follow { 0 } else { O_NOFOLLOW };
                let fd = self.open_host(rel, flags, 0)?;
                let st = host::fstat(fd);
                let _ = host::close(fd);
                st
            }
            Place::Tmp(rel) => self.tmp.stat(rel),
            Place::Dev(device) => device.stat(),
            Place::DevDir => dev_dir().stat(),
            Place::DevFd(_) | Place::DevMissing | Place::Proc(_) => Err(Errno::ENOENT),
        }
    }

    /// statx of an absolute path: the host's for files beneath the root.
    pub fn statx(&self, abs: &str, follow: bool, sync: u32, mask: u32) -> Result<Statx, Errno> {
        match self.place(abs) {
            Place::Root(rel) => {
                let flags = O_PATH | if follow { 0 } else { O_NOFOLLOW };
                let fd = self.open_host(rel, flags, 0)?;
                let x = host::statx(fd, sync, mask);
                let _ = host::close(fd);
                x
            }
            _ => self.stat(abs, follow).map(|st| statx_from_stat(&st)),
        }
    }

    /// readlink of an absolute path in the root mount.
    pub fn readlink(&self, abs: &str, buf: &mut [u8]) -> Result<usize, Errno> {
        match self.place(abs) {
            Place::Root(rel) => {
                let fd = self.open_host(rel, O_PATH | O_NOFOLLOW, 0)?;
                let n = host::readlinkat(fd, b"\0", buf);
                let _ = host::close(fd);
                // readlinkat(fd, "") names the fd's own file: ENOENT when it is not a link,
                // where readlink(path) answers EINVAL.
                n.map_err(|e| if e == Errno::ENOENT { Errno::EINVAL } else { e })
            }
            Place::DevFd(_) | Place::DevMissing | Place::Proc(_) => Err(Errno::ENOENT),
            Place::Tmp(rel) => {
                let target = self.tmp.readlink(rel)?;
                let n = target.len().min(buf.len());
                buf[..n].copy_from_slice(&target[..n]);
                Ok(n)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// The instance path of a host file opened beneath the root, symlinks resolved, as the
    /// host names it (None for files outside the root, which the instance cannot name).
    pub fn instance_path(&self, host_fd: i32) -> Option<String> {
        let host_path = host_name(host_fd)?;
        for bind in &self.binds {
            if let Some(inside) = beneath(&host_path, &bind.host_path) {
                return Some(alloc::format!(
                    "/{}{}",
                    bind.rel,
                    inside.trim_end_matches('/')
                ));
            }
        }
        beneath(&host_path, &self.root_real_path).map(|inside| {
            if inside.is_empty() {
                String::from("/")
            } else {
                String::from(inside)
            }
        })
    }

    /// statfs of a VFS path (not /proc: `fs::lookup` serves that).
    pub fn statfs(&self, abs: &str) -> Result<junction_abi::structs::Statfs, Errno> {
        match self.place(abs) {
            Place::Root(rel) => {
                let fd = self.open_host(rel, O_PATH, 0)?;
                let st = host::fstatfs(fd);
                let _ = host::close(fd);
                st
            }
            Place::Tmp(rel) => self.tmp.stat(rel).map(|_| super::tmpfs::statfs()),
            Place::Dev(_) | Place::DevDir => {
                Ok(super::file::pseudo_statfs(super::tmpfs::TMPFS_MAGIC))
            }
            Place::DevFd(_) | Place::DevMissing | Place::Proc(_) => Err(Errno::ENOENT),
        }
    }

    /// The parent directory's host fd and the last component, for directory operations.
    /// Outside writable paths (by the parent's real path) it fails with EROFS, or with what
    /// Linux reports first for `intent`.
    pub fn parent_for_write<'a>(
        &self,
        abs: &'a str,
        intent: Intent,
    ) -> Result<(i32, &'a str), Errno> {
        let (parent, name) = match abs.rfind('/') {
            Some(0) => ("/", &abs[1..]),
            Some(i) => (&abs[..i], &abs[i + 1..]),
            None => return Err(Errno::ENOENT),
        };
        if name.is_empty() {
            return Err(Errno::EBUSY);
        }
        match self.place(parent) {
            Place::Root(rel) => {
                let fd = self.open_host(rel, O_PATH | O_DIRECTORY, 0)?;
                let writable = self
                    .instance_path(fd)
                    .is_some_and(|dir| self.is_writable(&absolute(&dir, name)));
                if !writable {
                    let mut cname: Vec<u8> = name.as_bytes().to_vec();
                    cname.push(0);
                    let exists = host::fstatat(fd, &cname, AT_SYMLINK_NOFOLLOW).is_ok();
                    let _ = host::close(fd);
                    return Err(if intent == Intent::Create && exists {
                        Errno::EEXIST
                    } else {
                        Errno::EROFS
                    });
                }
                Ok((fd, name))
            }
            _ => Err(Errno::EACCES),
        }
    }
}

/// What a call does with a name, which decides what Linux reports for it in a read-only
/// directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// The name is made (mkdir, symlink, link): EEXIST when it exists, else EROFS.
    Create,
    /// The name is removed or replaced (unlink, rmdir, rename): Linux takes the mount for
    /// writing before it looks the name up, so EROFS even when it is missing.
    Remove,
}

/// Links one lookup may follow (Linux's MAXSYMLINKS).
pub const MAX_LINKS: usize = 40;

/// `open_host`'s path for an absolute instance path.
fn root_rel(abs: &str) -> &str {
    match abs.trim_start_matches('/') {
        "" => ".",
        rel => rel,
    }
}

/// The host's name for one of its fds (its real path, symlinks resolved).
fn host_name(host_fd: i32) -> Option<String> {
    let link = alloc::format!("/proc/self/fd/{host_fd}\0");
    let mut buf = [0u8; 4096];
    let n = host::readlinkat(-100, link.as_bytes(), &mut buf).ok()?;
    core::str::from_utf8(&buf[..n]).ok().map(String::from)
}

/// The `/dev` directory: the devices the kernel serves.
fn dev_dir() -> ListedDir {
    let stat = super::dir::dir_stat(super::dev::makedev(0, 5), 1, 0o755, 2);
    let entries = Device::NAMES
        .iter()
        .filter_map(|name| {
            let ino = Device::by_name(name)?.stat().ok()?.st_ino;
            Some(DirEntry {
                name: String::from(*name),
                ino,
                dtype: DT_CHR,
            })
        })
        .collect();
    ListedDir::new(stat, 1, entries, super::tmpfs::TMPFS_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_folds_dots() {
        for (base, path, want) in [
            ("/", "a/b", "/a/b"),
            ("/usr/bin", "../lib", "/usr/lib"),
            ("/usr", "/etc//passwd", "/etc/passwd"),
            ("/", "../../..", "/"),
            ("/a", ".", "/a"),
            ("/a/b", "./c/./d/..", "/a/b/c"),
        ] {
            assert_eq!(absolute(base, path), want, "{base} + {path}");
        }
    }

    #[test]
    fn endings() {
        for (path, want) in [
            ("a", Ending::Name),
            ("/a/b", Ending::Name),
            ("a/", Ending::Slash),
            ("a//", Ending::Slash),
            ("/", Ending::Slash),
            (".", Ending::Dot),
            ("a/.", Ending::Dot),
            ("..", Ending::DotDot),
            ("a/..", Ending::DotDot),
            ("a/.b", Ending::Name),
            ("a/...", Ending::Name),
        ] {
            assert_eq!(Ending::of(path), want, "{path}");
        }
    }

    #[test]
    fn beneath_matches_whole_components() {
        assert_eq!(beneath("/srv/a/b", "/srv/a"), Some("/b"));
        assert_eq!(beneath("/srv/a", "/srv/a/"), Some(""));
        assert_eq!(beneath("/srv/ab", "/srv/a"), None);
        assert_eq!(beneath("/x", "/"), Some("/x"));
    }

    #[test]
    fn prefixes_match_whole_components() {
        assert!(is_under("/tmp/x", "/tmp"));
        assert!(is_under("/tmp", "/tmp"));
        assert!(!is_under("/tmpx", "/tmp"));
        assert!(is_under("/anything", "/"));
    }
}
