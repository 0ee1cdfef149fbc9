//! `/dev/null`, `/dev/zero`, `/dev/full`, `/dev/random` and `/dev/urandom`, served by the
//! kernel (random bytes come from the host's getrandom).

use junction_abi::{structs::Stat, Errno};

use super::file::{FileOps, OpenFile, DEFAULT_POLLMASK, POLLIN, POLLRDNORM};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Null,
    Zero,
    Full,
    Random,
    Urandom,
}

impl Device {
    pub fn by_name(name: &str) -> Option<Device> {
        Some(match name {
            "null" => Device::Null,
            "zero" => Device::Zero,
            "full" => Device::Full,
            "random" => Device::Random,
            "urandom" => Device::Urandom,
            _ => return None,
        })
    }

    pub const NAMES: [&'static str; 5] = ["full", "null", "random", "urandom", "zero"];

    /// Linux's (major, minor) for the device.
    fn rdev(self) -> (u64, u64) {
        match self {
            Device::Null => (1, 3),
            Device::Zero => (1, 5),
            Device::Full => (1, 7),
            Device::Random => (1, 8),
            Device::Urandom => (1, 9),
        }
    }
}

/// Encodes a device number as glibc's makedev does.
pub fn makedev(major: u64, minor: u64) -> u64 {
    ((major & 0xfffff000) << 32)
        | ((major & 0xfff) << 8)
        | ((minor & 0xffffff00) << 12)
        | (minor & 0xff)
}

/// The major and minor numbers of a device number (glibc's major/minor).
pub fn major(dev: u64) -> u64 {
    ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff)
}

pub fn minor(dev: u64) -> u64 {
    ((dev >> 12) & 0xffff_ff00) | (dev & 0xff)
}

impl Device {
    fn fill(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        match self {
            Device::Null => Ok(0),
            Device::Zero | Device::Full => {
                buf.fill(0);
                Ok(buf.len())
            }
            Device::Random | Device::Urandom => {
                crate::host::random_bytes(buf);
                Ok(buf.len())
            }
        }
    }

    fn take(&self, buf: &[u8]) -> Result<usize, Errno> {
        match self {
            Device::Full => Err(Errno::ENOSPC),
            _ => Ok(buf.len()),
        }
    }
}

// Linux lets these devices pread, pwrite and lseek; the offset changes nothing and lseek
// always answers 0 (null_lseek, zero_lseek, full_lseek; noop_llseek for random).
impl FileOps for Device {
    fn statfs(&self) -> Result<junction_abi::structs::Statfs, Errno> {
        // /dev is a devtmpfs on Linux, which reports itself as tmpfs.
        Ok(super::file::pseudo_statfs(super::tmpfs::TMPFS_MAGIC))
    }

    fn read(&self, _file: &OpenFile, buf: &mut [u8]) -> Result<usize, Errno> {
        self.fill(buf)
    }

    fn write(&self, _file: &OpenFile, buf: &[u8]) -> Result<usize, Errno> {
        self.take(buf)
    }

    fn pread(&self, buf: &mut [u8], _offset: u64) -> Result<usize, Errno> {
        self.fill(buf)
    }

    fn pwrite(&self, buf: &[u8], _offset: u64) -> Result<usize, Errno> {
        self.take(buf)
    }

    fn fixed_position(&self) -> Option<u64> {
        Some(0)
    }

    /// Of these, only /dev/random has a poll method in Linux (readable once the host's
    /// entropy pool is, which it is by the time anything runs).
    fn can_poll(&self) -> bool {
        *self == Device::Random
    }

    fn poll(&self) -> u32 {
        if self.can_poll() {
            POLLIN | POLLRDNORM
        } else {
            DEFAULT_POLLMASK
        }
    }

    fn stat(&self) -> Result<Stat, Errno> {
        let (major, minor) = self.rdev();
        let mut st = Stat::zeroed();
        st.st_mode = 0o020666;
        st.st_nlink = 1;
        st.st_rdev = makedev(major, minor);
        st.st_dev = makedev(0, 5);
        st.st_ino = 4 + minor;
        st.st_blksize = 4096;
        Ok(st)
    }
}
