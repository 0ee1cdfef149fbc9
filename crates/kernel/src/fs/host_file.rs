//! A file of the host: a regular file or directory beneath the instance root, or one of the
//! stdio fds the instance was started with. The kernel owns the open-file state (offset,
//! flags); the bytes come from the host through the host module.

use junction_abi::{
    structs::{Stat, Statx},
    Errno,
};

use super::file::{FileOps, OpenFile, DEFAULT_POLLMASK, POLL_ASKABLE};
use crate::host;
use crate::mm::vma::VmaMap;

const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;
const S_IFBLK: u32 = 0o060000;
const S_IFCHR: u32 = 0o020000;

#[derive(Debug)]
pub struct HostFile {
    fd: i32,
    mode: u32,
    rdev: u64,
    /// Closed when the last app fd referring to it goes away (Drop).
    owned: bool,
    /// Inherited stdio: its offset is shared with the parent (`cmd >> log`), so the host
    /// keeps it and reads and writes go through it.
    inherited: bool,
}

impl HostFile {
    /// Wraps a host fd the kernel opened (closed on drop).
    pub fn open(fd: i32) -> Result<Self, Errno> {
        let st = host::fstat(fd)?;
        Ok(HostFile {
            fd,
            mode: st.st_mode,
            rdev: st.st_rdev,
            owned: true,
            inherited: false,
        })
    }

    /// Wraps one of the kernel's own stdio fds (never closed by the app).
    pub fn stdio(fd: i32) -> Result<Self, Errno> {
        let st = host::fstat(fd)?;
        Ok(HostFile {
            fd,
            mode: st.st_mode,
            rdev: st.st_rdev,
            owned: false,
            inherited: true,
        })
    }

    fn seekable(&self) -> bool {
        matches!(self.mode & S_IFMT, S_IFREG | S_IFBLK)
    }

    /// The memory devices (major 1) have no poll method, except /dev/random (8) and
    /// /dev/kmsg (11): stdin redirected from /dev/null is not pollable by epoll.
    fn pollless_device(&self) -> bool {
        let (major, minor) = (
            ((self.rdev >> 8) & 0xfff) | ((self.rdev >> 32) & !0xfff),
            (self.rdev & 0xff) | ((self.rdev >> 12) & !0xff),
        );
        self.mode & S_IFMT == S_IFCHR && major == 1 && minor != 8 && minor != 11
    }
}

impl Drop for HostFile {
    fn drop(&mut self) {
        if self.owned {
            let _ = host::close(self.fd);
        }
    }
}

impl FileOps for HostFile {
    fn read(&self, _file: &OpenFile, buf: &mut [u8]) -> Result<usize, Errno> {
        host::read(self.fd, buf)
    }

    fn write(&self, _file: &OpenFile, buf: &[u8]) -> Result<usize, Errno> {
        host::write(self.fd, buf)
    }

    fn pread(&self, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        host::pread(self.fd, buf, offset)
    }

    fn pwrite(&self, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        host::pwrite(self.fd, buf, offset)
    }

    fn seekable_size(&self) -> Option<Result<u64, Errno>> {
        if self.seekable() && !self.inherited {
            Some(host::fstat(self.fd).map(|st| st.st_size as u64))
        } else {
            None
        }
    }

    fn stat(&self) -> Result<Stat, Errno> {
        host::fstat(self.fd)
    }

    fn statx(&self, sync: u32, mask: u32) -> Result<Statx, Errno> {
        host::statx(self.fd, sync, mask)
    }

    fn statfs(&self) -> Result<junction_abi::structs::Statfs, Errno> {
        host::fstatfs(self.fd)
    }

    fn getdents(&self, _file: &OpenFile, buf: &mut [u8]) -> Result<usize, Errno> {
        host::getdents64(self.fd, buf)
    }

    fn poll(&self) -> u32 {
        if !self.can_poll() {
            return DEFAULT_POLLMASK;
        }
        let mut fds = [junction_abi::structs::Pollfd {
            fd: self.fd,
            events: POLL_ASKABLE as u16 as i16,
            revents: 0,
        }];
        let zero = junction_abi::structs::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        match host::ppoll(&mut fds, Some(&zero)) {
            Ok(_) => fds[0].revents as u16 as u32,
            Err(_) => 0,
        }
    }

    fn can_poll(&self) -> bool {
        !self.seekable() && !self.is_dir() && !self.pollless_device()
    }

    fn host_fd(&self) -> Option<i32> {
        Some(self.fd)
    }

    fn xattr_fd(&self) -> Option<i32> {
        Some(self.fd)
    }

    fn root_host_fd(&self) -> Option<i32> {
        (!self.inherited).then_some(self.fd)
    }

    fn ioctl(&self, request: u64, arg: u64, vm: &VmaMap) -> Result<usize, Errno> {
        terminal_ioctl(self.fd, request, arg, vm)
    }

    fn truncate(&self, len: u64) -> Result<(), Errno> {
        host::ftruncate(self.fd, len)
    }

    fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR
    }

    fn host_seek(&self, offset: i64, whence: u32) -> Option<Result<u64, Errno>> {
        (self.inherited && self.seekable()).then(|| host::lseek(self.fd, offset, whence))
    }

    fn dir_seek(&self, _file: &OpenFile, offset: i64, whence: u32) -> Result<u64, Errno> {
        host::lseek(self.fd, offset, whence)
    }
}

const TCGETS: u64 = 0x5401;
const TIOCGWINSZ: u64 = 0x5413;
const TIOCGPGRP: u64 = 0x540f;
const FIONREAD: u64 = 0x541b;

/// The terminal ioctls programs make on stdio, forwarded to the host fd with the argument
/// copied through kernel memory (the host never sees an app pointer).
fn terminal_ioctl(fd: i32, request: u64, arg: u64, vm: &VmaMap) -> Result<usize, Errno> {
    let size = match request {
        TCGETS => 60,
        TIOCGWINSZ => 8,
        TIOCGPGRP | FIONREAD => 4,
        _ => return Err(Errno::ENOTTY),
    };
    let mut buf = [0u8; 64];
    let n = host::ioctl(fd, request, buf.as_mut_ptr() as usize)?;
    if request == TIOCGPGRP {
        // The host's process group means nothing inside the instance: report ours.
        buf[..4].copy_from_slice(&crate::state::INSTANCE_PID.to_le_bytes());
    }
    crate::user::slice_mut(vm, arg, size)?.copy_from_slice(&buf[..size]);
    Ok(n)
}
