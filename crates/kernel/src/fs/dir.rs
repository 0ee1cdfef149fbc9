//! Directories the kernel serves itself (`/dev`, `/proc`, tmpfs): the dirent64 records
//! getdents64 writes, and a fixed listing taken when the directory is opened.

use alloc::string::String;
use alloc::vec::Vec;

use junction_abi::{structs::Stat, Errno};

use super::file::{FileOps, OpenFile};
use crate::sync::SpinLock;

pub const DT_CHR: u8 = 2;
pub const DT_SOCK: u8 = 12;
pub const DT_DIR: u8 = 4;
pub const DT_REG: u8 = 8;
pub const DT_LNK: u8 = 10;

pub const S_IFMT: u32 = 0o170000;
pub const S_IFDIR: u32 = 0o040000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFLNK: u32 = 0o120000;

/// The dirent64 type of a stat mode.
pub fn dtype_of(mode: u32) -> u8 {
    match mode & S_IFMT {
        S_IFDIR => DT_DIR,
        S_IFREG => DT_REG,
        S_IFLNK => DT_LNK,
        0o020000 => DT_CHR,
        0o140000 => DT_SOCK,
        _ => 0,
    }
}

#[derive(Debug, Clone)]
pub struct DirEntry {
    pub name: String,
    pub ino: u64,
    pub dtype: u8,
}

/// Appends one linux_dirent64 record to `buf` at `used`; false when it does not fit.
pub fn put_dirent(buf: &mut [u8], used: &mut usize, entry: &DirEntry, next_offset: u64) -> bool {
    let reclen = (19 + entry.name.len() + 1 + 7) & !7;
    if *used + reclen > buf.len() {
        return false;
    }
    let rec = &mut buf[*used..*used + reclen];
    rec.fill(0);
    rec[0..8].copy_from_slice(&entry.ino.to_le_bytes());
    rec[8..16].copy_from_slice(&next_offset.to_le_bytes());
    rec[16..18].copy_from_slice(&(reclen as u16).to_le_bytes());
    rec[18] = entry.dtype;
    rec[19..19 + entry.name.len()].copy_from_slice(entry.name.as_bytes());
    *used += reclen;
    true
}

/// A directory whose entries are listed when it is opened (`/dev`, `/proc` and its
/// subdirectories), or listed again each time it is read from the start when it has a
/// `refresh` function (`/proc/self/fd`, which should show the fd reading it). The file
/// offset is the index of the next entry.
#[derive(Debug)]
pub struct ListedDir {
    pub stat: Stat,
    entries: SpinLock<Vec<DirEntry>>,
    parent_ino: u64,
    refresh: Option<fn() -> Vec<DirEntry>>,
    /// statfs's f_type of the file system it belongs to.
    pub fs_magic: i64,
}

impl ListedDir {
    /// A listing with `.` and `..` first, as Linux returns them.
    pub fn new(stat: Stat, parent_ino: u64, entries: Vec<DirEntry>, fs_magic: i64) -> Self {
        ListedDir {
            stat,
            entries: SpinLock::new(with_dots(stat.st_ino, parent_ino, entries)),
            parent_ino,
            refresh: None,
            fs_magic,
        }
    }

    /// A listing made again by `refresh` whenever it is read from the start.
    pub fn refreshed(
        stat: Stat,
        parent_ino: u64,
        refresh: fn() -> Vec<DirEntry>,
        fs_magic: i64,
    ) -> Self {
        let mut dir = ListedDir::new(stat, parent_ino, Vec::new(), fs_magic);
        dir.refresh = Some(refresh);
        dir
    }
}

fn with_dots(ino: u64, parent_ino: u64, entries: Vec<DirEntry>) -> Vec<DirEntry> {
    let mut all = Vec::with_capacity(entries.len() + 2);
    for (name, ino) in [(".", ino), ("..", parent_ino)] {
        all.push(DirEntry {
            name: String::from(name),
            ino,
            dtype: DT_DIR,
        });
    }
    all.extend(entries);
    all
}

impl FileOps for ListedDir {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.stat)
    }

    fn is_dir(&self) -> bool {
        true
    }

    fn statfs(&self) -> Result<junction_abi::structs::Statfs, Errno> {
        Ok(super::file::pseudo_statfs(self.fs_magic))
    }

    fn getdents(&self, file: &OpenFile, buf: &mut [u8]) -> Result<usize, Errno> {
        let mut index = file.offset.lock();
        if let (Some(refresh), 0) = (self.refresh, *index) {
            *self.entries.lock() = with_dots(self.stat.st_ino, self.parent_ino, refresh());
        }
        let entries = self.entries.lock();
        let mut used = 0;
        for (i, entry) in entries.iter().enumerate().skip(*index as usize) {
            if !put_dirent(buf, &mut used, entry, i as u64 + 1) {
                if used == 0 {
                    return Err(Errno::EINVAL);
                }
                break;
            }
            *index = i as u64 + 1;
        }
        Ok(used)
    }

    fn dir_seek(&self, file: &OpenFile, offset: i64, whence: u32) -> Result<u64, Errno> {
        // Positions are entry indexes; only absolute seeks are meaningful.
        if whence != 0 || offset < 0 {
            return Err(Errno::EINVAL);
        }
        *file.offset.lock() = offset as u64;
        Ok(offset as u64)
    }
}

/// The stat of a kernel-served directory.
pub fn dir_stat(dev: u64, ino: u64, mode: u32, nlink: u64) -> Stat {
    let mut st = Stat::zeroed();
    st.st_mode = S_IFDIR | mode;
    st.st_nlink = nlink;
    st.st_ino = ino;
    st.st_dev = dev;
    st.st_blksize = 4096;
    st
}
