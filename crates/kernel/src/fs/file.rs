//! An open file (what an fd points to; dup'd fds share it) and the operations every kind of
//! file implements.

use alloc::boxed::Box;
use alloc::string::String;
use core::any::Any;
use core::sync::atomic::{AtomicU32, Ordering};

use junction_abi::{
    structs::{Stat, Statfs, Statx},
    Errno,
};

use crate::sync::SpinLock;

pub const O_ACCMODE: u32 = 3;
pub const O_RDONLY: u32 = 0;
pub const O_WRONLY: u32 = 1;
pub const O_RDWR: u32 = 2;
pub const O_CREAT: u32 = 0o100;
pub const O_EXCL: u32 = 0o200;
pub const O_NOCTTY: u32 = 0o400;
pub const O_TRUNC: u32 = 0o1000;
pub const O_APPEND: u32 = 0o2000;
pub const O_NONBLOCK: u32 = 0o4000;
pub const O_DIRECTORY: u32 = 0o200000;
pub const O_NOFOLLOW: u32 = 0o400000;
pub const O_CLOEXEC: u32 = 0o2000000;
pub const O_PATH: u32 = 0o10000000;
pub const O_TMPFILE: u32 = 0o20000000 | O_DIRECTORY;
/// Flags F_SETFL may change.
pub const SETFL_MASK: u32 = O_APPEND | O_NONBLOCK | 0o40000 /* O_DIRECT */ | 0o1000000 /* O_NOATIME */ | 0o20000 /* O_ASYNC */;

/// Readiness bits, as poll(2) names them.
pub const POLLIN: u32 = 0x1;
pub const POLLOUT: u32 = 0x4;
pub const POLLERR: u32 = 0x8;
pub const POLLHUP: u32 = 0x10;
pub const POLLPRI: u32 = junction_abi::POLLPRI as u32;
pub const POLLNVAL: u32 = junction_abi::POLLNVAL as u32;
pub const POLLRDNORM: u32 = junction_abi::POLLRDNORM as u32;
pub const POLLRDBAND: u32 = junction_abi::POLLRDBAND as u32;
pub const POLLWRNORM: u32 = junction_abi::POLLWRNORM as u32;
pub const POLLWRBAND: u32 = junction_abi::POLLWRBAND as u32;
pub const POLLRDHUP: u32 = junction_abi::POLLRDHUP as u32;
/// The bits a poll can ask about; ERR, HUP and NVAL are reported unasked.
pub const POLL_ASKABLE: u32 =
    POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | POLLWRNORM | POLLWRBAND | POLLRDHUP;
/// What Linux reports for a file without a poll method (regular files, directories,
/// /dev/null): always ready both ways.
pub const DEFAULT_POLLMASK: u32 = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

pub const ANON_INODE_FS_MAGIC: i64 = 0x0904_1934;
pub const PIPEFS_MAGIC: i64 = 0x5049_5045;

/// statfs of a file system that holds no data blocks (/proc, pipes, anonymous inodes).
pub fn pseudo_statfs(magic: i64) -> Statfs {
    let mut st = Statfs::zeroed();
    st.f_type = magic;
    st.f_bsize = 4096;
    st.f_frsize = 4096;
    st.f_namelen = 255;
    st
}

/// STATX_BASIC_STATS: type, mode, nlink, uid, gid, times, ino, size, blocks.
const STATX_BASIC_STATS: u32 = 0x7ff;

/// A statx of the fields a stat has (no birth time: the kernel's files do not keep one).
pub fn statx_from_stat(st: &Stat) -> Statx {
    let mut x = Statx::zeroed();
    x.stx_mask = STATX_BASIC_STATS;
    x.stx_blksize = st.st_blksize as u32;
    x.stx_nlink = st.st_nlink as u32;
    x.stx_uid = st.st_uid;
    x.stx_gid = st.st_gid;
    x.stx_mode = st.st_mode as u16;
    x.stx_ino = st.st_ino;
    x.stx_size = st.st_size as u64;
    x.stx_blocks = st.st_blocks as u64;
    x.stx_atime_sec = st.st_atime;
    x.stx_atime_nsec = st.st_atime_nsec as u32;
    x.stx_mtime_sec = st.st_mtime;
    x.stx_mtime_nsec = st.st_mtime_nsec as u32;
    x.stx_ctime_sec = st.st_ctime;
    x.stx_ctime_nsec = st.st_ctime_nsec as u32;
    x.stx_rdev_major = super::dev::major(st.st_rdev) as u32;
    x.stx_rdev_minor = super::dev::minor(st.st_rdev) as u32;
    x.stx_dev_major = super::dev::major(st.st_dev) as u32;
    x.stx_dev_minor = super::dev::minor(st.st_dev) as u32;
    x
}

/// Where a seek is relative to.
#[derive(Debug, Clone, Copy)]
pub enum Whence {
    Set,
    Current,
    End,
    /// SEEK_DATA: the next byte at or after the offset that is data, not a hole.
    Data,
    /// SEEK_HOLE: the next hole at or after the offset (the end counts as one).
    Hole,
}

impl Whence {
    pub fn from_raw(raw: u64) -> Option<Whence> {
        Some(match raw {
            0 => Whence::Set,
            1 => Whence::Current,
            2 => Whence::End,
            3 => Whence::Data,
            4 => Whence::Hole,
            _ => return None,
        })
    }

    fn raw(self) -> u32 {
        match self {
            Whence::Set => 0,
            Whence::Current => 1,
            Whence::End => 2,
            Whence::Data => 3,
            Whence::Hole => 4,
        }
    }
}

/// Lets the epoll code find out that a file is an epoll instance (`as_any().downcast_ref`);
/// implemented for every file kind by the blanket impl below.
pub trait AsAny {
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The operations of one kind of file. Defaults are the errors Linux gives for a file that
/// does not support the operation.
pub trait FileOps: AsAny + Send + Sync + core::fmt::Debug {
    fn read(&self, _file: &OpenFile, _buf: &mut [u8]) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }
    fn write(&self, _file: &OpenFile, _buf: &[u8]) -> Result<usize, Errno> {
        Err(Errno::EINVAL)
    }
    fn pread(&self, _buf: &mut [u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::ESPIPE)
    }
    fn pwrite(&self, _buf: &[u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::ESPIPE)
    }
    /// Size for SEEK_END; None for files that cannot seek.
    fn seekable_size(&self) -> Option<Result<u64, Errno>> {
        None
    }
    fn stat(&self) -> Result<Stat, Errno>;
    /// statx: the host's for host files (birth time, attributes, mount id); for the
    /// kernel's own files the stat fields, which is all the kernel keeps. `sync` is the
    /// AT_STATX_* bits, `mask` what the app asked for.
    fn statx(&self, _sync: u32, _mask: u32) -> Result<Statx, Errno> {
        self.stat().map(|st| statx_from_stat(&st))
    }
    /// fstatfs: the file system the file is on. Kernel objects without one of their own
    /// report Linux's anonymous-inode file system.
    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(pseudo_statfs(ANON_INODE_FS_MAGIC))
    }
    fn getdents(&self, _file: &OpenFile, _buf: &mut [u8]) -> Result<usize, Errno> {
        Err(Errno::ENOTDIR)
    }
    /// Current readiness (POLLIN/POLLOUT/POLLHUP/POLLERR/...) without blocking.
    fn poll(&self) -> u32 {
        DEFAULT_POLLMASK
    }
    /// Whether Linux gives this kind of file a poll method: epoll_ctl refuses files without
    /// one (EPERM), while poll and select see them as always ready.
    fn can_poll(&self) -> bool {
        false
    }
    /// How many wake-ups the object has sent its readers and writers, for EPOLLET (see
    /// crate::readiness::Wakeups); None for files whose changes the kernel does not see.
    fn wakeups(&self) -> Option<crate::readiness::Wakeups> {
        None
    }
    /// The host fd behind the file, for mmap and for waiting in the host.
    fn host_fd(&self) -> Option<i32> {
        None
    }
    /// The host fd of a file the kernel opened beneath the root directory (its real path
    /// is asked of the host: `Vfs::instance_path`).
    fn root_host_fd(&self) -> Option<i32> {
        None
    }
    /// The host fd holding the file's extended attributes (host files only).
    fn xattr_fd(&self) -> Option<i32> {
        None
    }
    fn ioctl(
        &self,
        _request: u64,
        _arg: u64,
        _vm: &crate::mm::vma::VmaMap,
    ) -> Result<usize, Errno> {
        Err(Errno::ENOTTY)
    }
    fn truncate(&self, _len: u64) -> Result<(), Errno> {
        Err(Errno::EINVAL)
    }
    /// fchmod, fchown, futimens on a file whose metadata the kernel owns (tmpfs). Files of
    /// the root directory are forwarded through `root_host_fd` instead; the default is the
    /// answer for metadata the kernel keeps fixed (/dev, /proc, pipes, stdio).
    fn change(&self, change: &super::attr::Change) -> Result<(), Errno> {
        super::attr::fixed(&self.stat()?, change)
    }
    fn sync(&self) -> Result<(), Errno> {
        Ok(())
    }
    fn is_dir(&self) -> bool {
        false
    }
    /// lseek on a file whose offset the host keeps (stdio inherited from the parent, whose
    /// offset the parent shares); None when the kernel keeps the offset.
    fn host_seek(&self, _offset: i64, _whence: u32) -> Option<Result<u64, Errno>> {
        None
    }
    /// lseek on a directory (positions are the directory kind's own cookies); kinds whose
    /// position the kernel keeps store it in `file.offset`.
    fn dir_seek(&self, _file: &OpenFile, _offset: i64, _whence: u32) -> Result<u64, Errno> {
        Err(Errno::EINVAL)
    }
    /// Some(position) for a file that cannot seek but whose lseek succeeds anyway and always
    /// lands there, whatever the offset and whence (Linux's /dev/null, /dev/zero, ...).
    fn fixed_position(&self) -> Option<u64> {
        None
    }
}

/// An open file description.
#[derive(Debug)]
pub struct OpenFile {
    pub ops: Box<dyn FileOps>,
    /// Access mode and status flags (O_APPEND, O_NONBLOCK, ...), as F_GETFL reports them.
    pub flags: AtomicU32,
    pub offset: SpinLock<u64>,
    /// The path in the instance that opened it (for /proc/self/fd and error messages).
    pub path: String,
}

impl OpenFile {
    pub fn new(ops: Box<dyn FileOps>, flags: u32, path: String) -> Self {
        OpenFile {
            ops,
            flags: AtomicU32::new(flags & !(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY)),
            offset: SpinLock::new(0),
            path,
        }
    }

    pub fn flags(&self) -> u32 {
        self.flags.load(Ordering::Relaxed)
    }

    /// The file kind behind this open file, when it is a `T` (epoll needs to know).
    pub fn kind<T: FileOps + 'static>(&self) -> Option<&T> {
        // Deref to the trait object first: `self.ops.as_any()` would find the Box, which is
        // `Any` too.
        (*self.ops).as_any().downcast_ref::<T>()
    }

    pub fn readable(&self) -> bool {
        let f = self.flags();
        f & O_PATH == 0 && matches!(f & O_ACCMODE, O_RDONLY | O_RDWR)
    }

    pub fn writable(&self) -> bool {
        let f = self.flags();
        f & O_PATH == 0 && matches!(f & O_ACCMODE, O_WRONLY | O_RDWR)
    }

    pub fn nonblocking(&self) -> bool {
        self.flags() & O_NONBLOCK != 0
    }

    /// read(2): at the file offset for seekable files.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        if !self.readable() {
            return Err(Errno::EBADF);
        }
        if self.ops.is_dir() {
            return Err(Errno::EISDIR);
        }
        if self.ops.seekable_size().is_some() {
            let mut offset = self.offset.lock();
            let n = self.ops.pread(buf, *offset)?;
            *offset += n as u64;
            Ok(n)
        } else {
            self.ops.read(self, buf)
        }
    }

    /// write(2): at the file offset, or at the end with O_APPEND.
    pub fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        if !self.writable() {
            return Err(Errno::EBADF);
        }
        match self.ops.seekable_size() {
            Some(size) => {
                let mut offset = self.offset.lock();
                if self.flags() & O_APPEND != 0 {
                    *offset = size?;
                }
                let n = self.ops.pwrite(buf, *offset)?;
                *offset += n as u64;
                Ok(n)
            }
            None => self.ops.write(self, buf),
        }
    }

    pub fn seek(&self, offset: i64, whence: Whence) -> Result<u64, Errno> {
        if let Some(result) = self.ops.host_seek(offset, whence.raw()) {
            return result;
        }
        if self.ops.is_dir() {
            return self.ops.dir_seek(self, offset, whence.raw());
        }
        if let Some(position) = self.ops.fixed_position() {
            *self.offset.lock() = position;
            return Ok(position);
        }
        let size = self.ops.seekable_size().ok_or(Errno::ESPIPE)?;
        let mut current = self.offset.lock();
        let target = match whence {
            Whence::Set => offset,
            Whence::Current => (*current as i64)
                .checked_add(offset)
                .ok_or(Errno::EOVERFLOW)?,
            Whence::End => (size? as i64).checked_add(offset).ok_or(Errno::EOVERFLOW)?,
            // Holes are the host file system's to know: ask it on the host fd (whose own
            // offset the kernel does not use). Without one, the whole file is data, as in
            // Linux's generic_file_llseek_size.
            Whence::Data | Whence::Hole => match self.ops.host_fd() {
                Some(fd) => crate::host::lseek(fd, offset, whence.raw())? as i64,
                None => {
                    let size = size? as i64;
                    if offset < 0 || offset >= size {
                        return Err(Errno::ENXIO);
                    }
                    if matches!(whence, Whence::Data) {
                        offset
                    } else {
                        size
                    }
                }
            },
        };
        if target < 0 {
            return Err(Errno::EINVAL);
        }
        *current = target as u64;
        Ok(target as u64)
    }
}
