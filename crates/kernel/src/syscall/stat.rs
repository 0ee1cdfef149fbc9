//! The stat family: stat, lstat, newfstatat and statx. Files beneath the root are the
//! host's, so statx passes the host's answer through (birth time, attributes, mount id);
//! the kernel's own files (tmpfs, /dev, /proc, pipes) have the stat fields only.

use alloc::string::String;
use alloc::sync::Arc;

use junction_abi::{structs::Stat, Errno};

use super::path::{is_dir, resolve_at};
use super::Args;
use crate::fs::file::OpenFile;
use crate::fs::lookup;
use crate::{state, user};

const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
const AT_NO_AUTOMOUNT: u64 = 0x800;
const AT_EMPTY_PATH: u64 = 0x1000;
/// AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC: at most one of them.
const AT_STATX_SYNC_TYPE: u64 = 0x6000;
const STATX_RESERVED: u64 = 0x8000_0000;

/// What a stat call names.
enum Subject {
    /// An open file: AT_EMPTY_PATH with an empty (or, since Linux 6.11, NULL) path.
    File(Arc<OpenFile>),
    /// A path; `dir` when its ending demands a directory (which also follows a last symlink).
    Path {
        abs: String,
        follow: bool,
        dir: bool,
    },
}

fn subject(dirfd: i32, path_addr: u64, flags: u64) -> Result<Subject, Errno> {
    if flags & AT_EMPTY_PATH != 0 {
        let empty = path_addr == 0 || {
            let k = state::lock();
            user::path(&k.vm.vmas, path_addr)?.is_empty()
        };
        if empty {
            let k = state::lock();
            return Ok(if dirfd == AT_FDCWD {
                Subject::Path {
                    abs: k.cwd.clone(),
                    follow: true,
                    dir: false,
                }
            } else {
                Subject::File(k.fds.file(dirfd)?)
            });
        }
    }
    let (abs, ending) = resolve_at(dirfd, path_addr)?;
    let dir = ending.wants_dir();
    Ok(Subject::Path {
        abs,
        follow: dir || flags & AT_SYMLINK_NOFOLLOW == 0,
        dir,
    })
}

fn stat_at(dirfd: i32, path_addr: u64, flags: u64) -> Result<Stat, Errno> {
    match subject(dirfd, path_addr, flags)? {
        Subject::File(file) => file.ops.stat(),
        Subject::Path { abs, follow, dir } => {
            let st = lookup::stat(&state::lock(), &abs, follow)?;
            if dir && !is_dir(&st) {
                return Err(Errno::ENOTDIR);
            }
            Ok(st)
        }
    }
}

fn write_stat(addr: u64, st: &Stat) -> Result<u64, Errno> {
    user::write(&state::lock().vm.vmas, addr, st)?;
    Ok(0)
}

pub fn stat(a: &Args) -> Result<u64, Errno> {
    write_stat(a[1], &stat_at(AT_FDCWD, a[0], 0)?)
}

pub fn lstat(a: &Args) -> Result<u64, Errno> {
    write_stat(a[1], &stat_at(AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW)?)
}

pub fn newfstatat(a: &Args) -> Result<u64, Errno> {
    if a[3] & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT) != 0 {
        return Err(Errno::EINVAL);
    }
    write_stat(a[2], &stat_at(a[0] as i32, a[1], a[3])?)
}

pub fn statx(a: &Args) -> Result<u64, Errno> {
    let (dirfd, path_addr, flags, mask) = (a[0] as i32, a[1], a[2] & 0xffff_ffff, a[3]);
    let known = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
    if flags & !known != 0
        || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE
        || mask & STATX_RESERVED != 0
    {
        return Err(Errno::EINVAL);
    }
    let (sync, mask) = ((flags & AT_STATX_SYNC_TYPE) as u32, mask as u32);
    let x = match subject(dirfd, path_addr, flags)? {
        Subject::File(file) => file.ops.statx(sync, mask)?,
        Subject::Path { abs, follow, dir } => {
            let x = lookup::statx(&state::lock(), &abs, follow, sync, mask)?;
            if dir && u32::from(x.stx_mode) & 0o170000 != 0o040000 {
                return Err(Errno::ENOTDIR);
            }
            x
        }
    };
    user::write(&state::lock().vm.vmas, a[4], &x)?;
    Ok(0)
}
