//! Path resolution and the instance's mounts.
//!
//! The instance sees one tree: the root directory (a host directory, read-only except for
//! `--rw` paths), with `/dev` served by the kernel. A path is made absolute against the cwd
//! or a directory fd and normalised lexically (`.` and `..` are folded before lookup; see
//! docs/compat.md); the mount is picked by prefix. Lookups in the root directory are done by
//! the host with `openat2(RESOLVE_IN_ROOT)` on the root's fd, so `..` and symlinks can never
//! leave it.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use junction_abi::{structs::Stat, Errno};

use super::dev::Device;
use super::file::{
    FileOps, OpenFile, O_ACCMODE, O_CREAT, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, O_TRUNC,
};
use super::host_file::HostFile;
use crate::host;

const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_IN_ROOT: u64 = 0x10;
const O_CLOEXEC_HOST: u64 = 0o2000000;
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
}

#[derive(Debug)]
pub struct Vfs {
    /// O_PATH fd of the root directory on the host.
    root_fd: i32,
    /// The root's host path (for messages and `junction info`).
    pub root_host_path: String,
    /// Instance paths below which writes are allowed.
    writable: Vec<String>,
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

/// Whether `path` is `prefix` or below it.
fn is_under(path: &str, prefix: &str) -> bool {
    prefix == "/"
        || path == prefix
        || (path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

impl Vfs {
    /// Opens the root directory. `writable` are instance paths (absolute).
    pub fn new(root_host_path: &str, writable: Vec<String>) -> Result<Vfs, Errno> {
        let mut cpath: Vec<u8> = root_host_path.as_bytes().to_vec();
        cpath.push(0);
        let fd = host::openat2(-100, &cpath, 0o10000000 | 0o200000 | O_CLOEXEC_HOST, 0, 0)?;
        Ok(Vfs {
            root_fd: fd,
            root_host_path: String::from(root_host_path),
            writable,
        })
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
        let rel = abs.trim_start_matches('/');
        Place::Root(if rel.is_empty() { "." } else { rel })
    }

    pub fn is_writable(&self, abs: &str) -> bool {
        self.writable.iter().any(|w| is_under(abs, w))
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
        host::openat2(
            self.root_fd,
            &cpath,
            host_flags,
            mode,
            RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        )
    }

    /// openat for the root mount and /dev; fd aliases (`/dev/stdin`) are the caller's.
    pub fn open(&self, abs: &str, flags: u32, mode: u32) -> Result<OpenFile, Errno> {
        let wants_write = flags & O_ACCMODE != O_RDONLY || flags & (O_CREAT | O_TRUNC) != 0;
        let ops: Box<dyn FileOps> = match self.place(abs) {
            Place::Root(rel) => {
                if wants_write && flags & O_PATH == 0 && !self.is_writable(abs) {
                    // Linux reports a missing file before a read-only file system.
                    if flags & O_CREAT == 0 {
                        let fd =
                            self.open_host(rel, O_PATH | (flags & (O_NOFOLLOW | O_DIRECTORY)), 0)?;
                        let _ = host::close(fd);
                    }
                    return Err(Errno::EROFS);
                }
                let fd = self.open_host(rel, flags, mode)?;
                Box::new(HostFile::open(fd)?)
            }
            Place::Dev(device) => Box::new(device),
            Place::DevDir => Box::new(KernelDir {
                names: &Device::NAMES,
                ino: 1,
            }),
            Place::DevFd(_) => return Err(Errno::ENOENT),
            Place::DevMissing => {
                return Err(if flags & O_CREAT != 0 {
                    Errno::EACCES
                } else {
                    Errno::ENOENT
                });
            }
        };
        if flags & O_DIRECTORY != 0 && !ops.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        Ok(OpenFile::new(ops, flags, String::from(abs)))
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
            Place::Dev(device) => device.stat(),
            Place::DevDir => KernelDir {
                names: &Device::NAMES,
                ino: 1,
            }
            .stat(),
            Place::DevFd(_) | Place::DevMissing => Err(Errno::ENOENT),
        }
    }

    /// readlink of an absolute path in the root mount.
    pub fn readlink(&self, abs: &str, buf: &mut [u8]) -> Result<usize, Errno> {
        match self.place(abs) {
            Place::Root(rel) => {
                let fd = self.open_host(rel, O_PATH | O_NOFOLLOW, 0)?;
                let n = host::readlinkat(fd, b"\0", buf);
                let _ = host::close(fd);
                n
            }
            Place::DevFd(_) | Place::DevMissing => Err(Errno::ENOENT),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The parent directory's host fd and the last component, for directory operations.
    /// Fails with EROFS outside writable paths.
    pub fn parent_for_write<'a>(&self, abs: &'a str) -> Result<(i32, &'a str), Errno> {
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
                if !self.is_writable(abs) {
                    let _ = host::close(fd);
                    return Err(Errno::EROFS);
                }
                Ok((fd, name))
            }
            _ => Err(Errno::EACCES),
        }
    }
}

/// A directory the kernel serves (`/dev`): a fixed list of names.
#[derive(Debug)]
pub struct KernelDir {
    pub names: &'static [&'static str],
    pub ino: u64,
}

impl FileOps for KernelDir {
    fn stat(&self) -> Result<Stat, Errno> {
        let mut st = Stat::zeroed();
        st.st_mode = 0o040755;
        st.st_nlink = 2;
        st.st_ino = self.ino;
        st.st_dev = super::dev::makedev(0, 5);
        st.st_blksize = 4096;
        Ok(st)
    }

    fn is_dir(&self) -> bool {
        true
    }

    fn getdents(&self, file: &OpenFile, buf: &mut [u8]) -> Result<usize, Errno> {
        let mut index = file.offset.lock();
        let mut used = 0;
        let entries = [".", ".."].into_iter().chain(self.names.iter().copied());
        for (i, name) in entries.enumerate().skip(*index as usize) {
            let reclen = (19 + name.len() + 1 + 7) & !7;
            if used + reclen > buf.len() {
                if used == 0 {
                    return Err(Errno::EINVAL);
                }
                break;
            }
            let rec = &mut buf[used..used + reclen];
            rec.fill(0);
            rec[0..8].copy_from_slice(&(self.ino + 1 + i as u64).to_le_bytes());
            rec[8..16].copy_from_slice(&(i as u64 + 1).to_le_bytes());
            rec[16..18].copy_from_slice(&(reclen as u16).to_le_bytes());
            rec[18] = if i < 2 { 4 } else { 2 }; // DT_DIR, DT_CHR
            rec[19..19 + name.len()].copy_from_slice(name.as_bytes());
            used += reclen;
            *index = i as u64 + 1;
        }
        Ok(used)
    }

    fn dir_seek(&self, offset: i64, whence: u32) -> Result<u64, Errno> {
        // Only rewinding is meaningful here; positions are entry indexes.
        if whence == 0 && offset >= 0 {
            Ok(offset as u64)
        } else {
            Err(Errno::EINVAL)
        }
    }
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
    fn prefixes_match_whole_components() {
        assert!(is_under("/tmp/x", "/tmp"));
        assert!(is_under("/tmp", "/tmp"));
        assert!(!is_under("/tmpx", "/tmp"));
        assert!(is_under("/anything", "/"));
    }
}
