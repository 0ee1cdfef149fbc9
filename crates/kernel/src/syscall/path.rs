//! Calls that take paths: open/openat/creat, statfs, access, readlink,
//! getcwd, chdir, and directory operations (in the tmpfs, and in the root directory only
//! inside --rw paths). Paths are resolved by `fs::lookup` and the VFS; host files are looked
//! up beneath the root with RESOLVE_IN_ROOT. The stat family is `stat.rs`.

use alloc::string::String;
use alloc::vec::Vec;

use junction_abi::{
    structs::{Stat, Statfs},
    Errno,
};

use super::Args;
use crate::fs::fdtable::FdEntry;
use crate::fs::file::{O_CLOEXEC, O_CREAT, O_DIRECTORY, O_NOFOLLOW, O_PATH};
use crate::fs::lookup;
use crate::fs::vfs::{absolute, Ending, Intent, Place};
use crate::{host, state, user};

const AT_FDCWD: i32 = -100;
const O_LARGEFILE: u32 = 0o100000;
const AT_REMOVEDIR: u64 = 0x200;

/// The absolute instance path for (dirfd, path), and how the path's text ended.
pub(super) fn resolve_at(dirfd: i32, path_addr: u64) -> Result<(String, Ending), Errno> {
    let k = state::lock();
    let raw = user::path(&k.vm.vmas, path_addr)?;
    let path = core::str::from_utf8(&raw).map_err(|_| Errno::ENOENT)?;
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let ending = Ending::of(path);
    if path.starts_with('/') {
        return Ok((absolute("/", path), ending));
    }
    let base = if dirfd == AT_FDCWD {
        k.cwd.clone()
    } else {
        let file = k.fds.file(dirfd)?;
        if !file.ops.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        file.path.clone()
    };
    Ok((absolute(&base, path), ending))
}

/// The absolute instance path for (dirfd, path), for calls that need nothing more of its
/// ending than Linux's rule: a path ending in `/`, `.` or `..` that names an existing file
/// other than a directory is ENOTDIR.
pub(super) fn resolve(dirfd: i32, path_addr: u64) -> Result<String, Errno> {
    let (abs, ending) = resolve_at(dirfd, path_addr)?;
    if ending.wants_dir() {
        require_dir(&abs)?;
    }
    Ok(abs)
}

pub(super) fn is_dir(st: &Stat) -> bool {
    st.st_mode & 0o170000 == 0o040000
}

/// ENOTDIR when `abs` (a symlink followed) exists and is not a directory. A missing path
/// passes: the call itself reports it, or creates a directory there.
fn require_dir(abs: &str) -> Result<(), Errno> {
    let k = state::lock();
    match lookup::stat(&k, abs, true) {
        Ok(st) if !is_dir(&st) => Err(Errno::ENOTDIR),
        _ => Ok(()),
    }
}

/// open, openat and creat: Linux forces O_LARGEFILE on 64-bit (F_GETFL shows it), and
/// O_PATH keeps only the flags that go with it.
fn do_open(dirfd: i32, path_addr: u64, flags: u32, mode: u32) -> Result<u64, Errno> {
    let flags = if flags & O_PATH != 0 {
        flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    } else {
        flags | O_LARGEFILE
    };
    let (abs, ending) = resolve_at(dirfd, path_addr)?;
    if ending.wants_dir() {
        // Creating a file needs a name; a directory ending is not one.
        if flags & O_CREAT != 0 {
            return Err(Errno::EISDIR);
        }
        require_dir(&abs)?;
    }
    let mode = mode & !state::lock().umask & 0o7777;
    let cloexec = flags & O_CLOEXEC != 0;
    let mut k = state::lock();
    let file = lookup::open(&k, &abs, flags, mode)?;
    k.fds.insert(FdEntry { file, cloexec }).map(|fd| fd as u64)
}

pub fn open(a: &Args) -> Result<u64, Errno> {
    do_open(AT_FDCWD, a[0], a[1] as u32, a[2] as u32)
}

pub fn openat(a: &Args) -> Result<u64, Errno> {
    do_open(a[0] as i32, a[1], a[2] as u32, a[3] as u32)
}

pub fn creat(a: &Args) -> Result<u64, Errno> {
    do_open(AT_FDCWD, a[0], O_CREAT | 0o1 | 0o1000, a[1] as u32)
}

const W_OK: u64 = 2;
const X_OK: u64 = 1;

fn access_at(dirfd: i32, path_addr: u64, mode: u64) -> Result<u64, Errno> {
    if mode & !7 != 0 {
        return Err(Errno::EINVAL);
    }
    let abs = resolve(dirfd, path_addr)?;
    let k = state::lock();
    let st = lookup::stat(&k, &abs, true)?;
    if mode & W_OK != 0 && matches!(k.vfs.place(&abs), Place::Root(_)) && !k.vfs.is_writable(&abs) {
        return Err(Errno::EROFS);
    }
    // The instance runs as the host user; root may execute anything with an x bit.
    if mode & X_OK != 0 && st.st_mode & 0o111 == 0 && st.st_mode & 0o170000 != 0o040000 {
        return Err(Errno::EACCES);
    }
    let uid = crate::start::host_aux().euid;
    if uid != 0 {
        let shift = if u64::from(st.st_uid) == uid { 6 } else { 0 };
        let bits = (st.st_mode >> shift) & 7;
        if u64::from(bits) & mode != mode {
            return Err(Errno::EACCES);
        }
    }
    Ok(0)
}

pub fn access(a: &Args) -> Result<u64, Errno> {
    access_at(AT_FDCWD, a[0], a[1])
}

pub fn faccessat(a: &Args) -> Result<u64, Errno> {
    access_at(a[0] as i32, a[1], a[2])
}

fn readlink_at(dirfd: i32, path_addr: u64, buf_addr: u64, size: u64) -> Result<u64, Errno> {
    if (size as i64) <= 0 {
        return Err(Errno::EINVAL);
    }
    let (abs, ending) = resolve_at(dirfd, path_addr)?;
    let k = state::lock();
    if ending.wants_dir() {
        // `link/` names the directory behind the link, which is not a link.
        let st = lookup::stat(&k, &abs, true)?;
        return Err(if is_dir(&st) {
            Errno::EINVAL
        } else {
            Errno::ENOTDIR
        });
    }
    let target = lookup::readlink(&k, &abs)?;
    let n = target.len().min(size as usize);
    user::slice_mut(&k.vm.vmas, buf_addr, n)?.copy_from_slice(&target[..n]);
    Ok(n as u64)
}

pub fn readlink(a: &Args) -> Result<u64, Errno> {
    readlink_at(AT_FDCWD, a[0], a[1], a[2])
}

pub fn readlinkat(a: &Args) -> Result<u64, Errno> {
    readlink_at(a[0] as i32, a[1], a[2], a[3])
}

pub fn getcwd(a: &Args) -> Result<u64, Errno> {
    let k = state::lock();
    let len = k.cwd.len() + 1;
    if (a[1] as usize) < len {
        return Err(Errno::ERANGE);
    }
    let out = user::slice_mut(&k.vm.vmas, a[0], len)?;
    out[..len - 1].copy_from_slice(k.cwd.as_bytes());
    out[len - 1] = 0;
    Ok(len as u64)
}

fn set_cwd(abs: String) -> Result<u64, Errno> {
    let mut k = state::lock();
    let st = lookup::stat(&k, &abs, true)?;
    if st.st_mode & 0o170000 != 0o040000 {
        return Err(Errno::ENOTDIR);
    }
    // Through a symlink or a /proc link, the cwd is where it leads (getcwd says so); the
    // host resolves the root directory's own symlinks.
    k.cwd = match lookup::target(&k, &abs, true)? {
        lookup::Target::Path(path) => match k.vfs.place(&path) {
            Place::Root(rel) => {
                let fd = k.vfs.open_host(rel, O_PATH | O_DIRECTORY, 0)?;
                let real = k.vfs.instance_path(fd);
                let _ = host::close(fd);
                real.unwrap_or(path)
            }
            _ => path,
        },
        _ => abs,
    };
    Ok(0)
}

pub fn chdir(a: &Args) -> Result<u64, Errno> {
    set_cwd(resolve(AT_FDCWD, a[0])?)
}

pub fn fchdir(a: &Args) -> Result<u64, Errno> {
    let file = state::lock().fds.file(a[0] as i32)?;
    if !file.ops.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    set_cwd(file.path.clone())
}

/// The absolute instance path for (dirfd, path) with the links before its last name
/// followed: the name a call makes, removes or renames.
pub(super) fn resolve_name(dirfd: i32, path_addr: u64) -> Result<String, Errno> {
    let abs = resolve(dirfd, path_addr)?;
    lookup::parent(&state::lock(), &abs)
}

/// [`resolve_name`] with how the path text ended, for calls with their own rules for it.
fn resolve_name_at(dirfd: i32, path_addr: u64) -> Result<(String, Ending), Errno> {
    let (abs, ending) = resolve_at(dirfd, path_addr)?;
    Ok((lookup::parent(&state::lock(), &abs)?, ending))
}

/// Runs a host directory operation on (parent fd, NUL-terminated name) inside a writable
/// path of the root directory.
fn in_parent(
    abs: &str,
    intent: Intent,
    op: impl FnOnce(i32, &[u8]) -> Result<(), Errno>,
) -> Result<u64, Errno> {
    let (parent_fd, name) = state::lock().vfs.parent_for_write(abs, intent)?;
    let mut cname: Vec<u8> = Vec::with_capacity(name.len() + 1);
    cname.extend_from_slice(name.as_bytes());
    cname.push(0);
    let result = op(parent_fd, &cname);
    let _ = host::close(parent_fd);
    result.map(|_| 0)
}

fn mkdir_at(dirfd: i32, path_addr: u64, mode: u64) -> Result<u64, Errno> {
    let mode = (mode & !u64::from(state::lock().umask) & 0o7777) as u32;
    let (abs, ending) = resolve_name_at(dirfd, path_addr)?;
    if matches!(ending, Ending::Dot | Ending::DotDot) {
        // `x/.` names x itself: it exists (EEXIST), or the lookup fails.
        let k = state::lock();
        return lookup::stat(&k, &abs, true).and(Err(Errno::EEXIST));
    }
    {
        let k = state::lock();
        if let Place::Tmp(rel) = k.vfs.place(&abs) {
            return k.vfs.tmp.mkdir(rel, mode).map(|_| 0);
        }
    }
    in_parent(&abs, Intent::Create, |fd, name| {
        host::mkdirat(fd, name, mode)
    })
}

pub fn mkdir(a: &Args) -> Result<u64, Errno> {
    mkdir_at(AT_FDCWD, a[0], a[1])
}

pub fn mkdirat(a: &Args) -> Result<u64, Errno> {
    mkdir_at(a[0] as i32, a[1], a[2])
}

fn unlink_at(dirfd: i32, path_addr: u64, flags: u64) -> Result<u64, Errno> {
    if flags & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    let (abs, ending) = resolve_name_at(dirfd, path_addr)?;
    let removedir = flags & AT_REMOVEDIR != 0;
    match ending {
        // The folded path would name the directory itself (`x/.` is x): Linux refuses.
        Ending::Dot if removedir => return Err(Errno::EINVAL),
        Ending::DotDot if removedir => return Err(Errno::ENOTEMPTY),
        Ending::Dot | Ending::DotDot => return Err(Errno::EISDIR),
        // unlink("x/"): never removes x, whatever it is.
        Ending::Slash if !removedir => {
            let k = state::lock();
            let st = lookup::stat(&k, &abs, false)?;
            return Err(if is_dir(&st) {
                Errno::EISDIR
            } else {
                Errno::ENOTDIR
            });
        }
        Ending::Slash | Ending::Name => {}
    }
    {
        let k = state::lock();
        if let Place::Tmp(rel) = k.vfs.place(&abs) {
            return k.vfs.tmp.remove(rel, removedir).map(|_| 0);
        }
    }
    in_parent(&abs, Intent::Remove, |fd, name| {
        host::unlinkat(fd, name, flags as u32)
    })
}

pub fn unlink(a: &Args) -> Result<u64, Errno> {
    unlink_at(AT_FDCWD, a[0], 0)
}

pub fn rmdir(a: &Args) -> Result<u64, Errno> {
    unlink_at(AT_FDCWD, a[0], AT_REMOVEDIR)
}

pub fn unlinkat(a: &Args) -> Result<u64, Errno> {
    unlink_at(a[0] as i32, a[1], a[2])
}

fn rename_at(olddir: i32, old: u64, newdir: i32, new: u64, flags: u64) -> Result<u64, Errno> {
    let (old_abs, old_ending) = resolve_name_at(olddir, old)?;
    let (new_abs, new_ending) = resolve_name_at(newdir, new)?;
    {
        let k = state::lock();
        // `x/.` names x itself, which cannot be moved or replaced through it: EBUSY, once
        // the lookups (of x) succeed.
        let dots = |e: Ending| matches!(e, Ending::Dot | Ending::DotDot);
        if dots(old_ending) || dots(new_ending) {
            for (abs, ending) in [(&old_abs, old_ending), (&new_abs, new_ending)] {
                if dots(ending) {
                    lookup::stat(&k, abs, true)?;
                }
            }
            return Err(Errno::EBUSY);
        }
        // A trailing slash on either name: the source must be a directory (not followed).
        if (old_ending.wants_dir() || new_ending.wants_dir())
            && !is_dir(&lookup::stat(&k, &old_abs, false)?)
        {
            return Err(Errno::ENOTDIR);
        }
        match (k.vfs.place(&old_abs), k.vfs.place(&new_abs)) {
            (Place::Tmp(from), Place::Tmp(to)) => {
                return k.vfs.tmp.rename(from, to, flags).map(|_| 0)
            }
            (Place::Root(_), Place::Root(_)) => {}
            (Place::Root(_) | Place::Tmp(_), Place::Root(_) | Place::Tmp(_)) => {
                // Each mount is its own file system: moving between them is a copy.
                return Err(Errno::EXDEV);
            }
            _ => return Err(Errno::EACCES),
        }
    }
    let (new_parent, new_name) = state::lock()
        .vfs
        .parent_for_write(&new_abs, Intent::Remove)?;
    let mut cnew: Vec<u8> = new_name.as_bytes().to_vec();
    cnew.push(0);
    let result = in_parent(&old_abs, Intent::Remove, |fd, name| {
        host::renameat2(fd, name, new_parent, &cnew, flags as u32)
    });
    let _ = host::close(new_parent);
    result
}

pub fn rename(a: &Args) -> Result<u64, Errno> {
    rename_at(AT_FDCWD, a[0], AT_FDCWD, a[1], 0)
}

/// renameat has no flags argument (r8 is whatever the app left there).
pub fn renameat(a: &Args) -> Result<u64, Errno> {
    rename_at(a[0] as i32, a[1], a[2] as i32, a[3], 0)
}

pub fn renameat2(a: &Args) -> Result<u64, Errno> {
    rename_at(a[0] as i32, a[1], a[2] as i32, a[3], a[4])
}

pub fn umask(a: &Args) -> Result<u64, Errno> {
    let mut k = state::lock();
    let old = k.umask;
    k.umask = a[0] as u32 & 0o777;
    Ok(u64::from(old))
}

fn write_statfs(addr: u64, st: &Statfs) -> Result<u64, Errno> {
    user::write(&state::lock().vm.vmas, addr, st)?;
    Ok(0)
}

pub fn statfs(a: &Args) -> Result<u64, Errno> {
    let abs = resolve(AT_FDCWD, a[0])?;
    let st = {
        let k = state::lock();
        lookup::statfs(&k, &abs)?
    };
    write_statfs(a[1], &st)
}

pub fn fstatfs(a: &Args) -> Result<u64, Errno> {
    let file = state::lock().fds.file(a[0] as i32)?;
    write_statfs(a[1], &file.ops.statfs()?)
}
