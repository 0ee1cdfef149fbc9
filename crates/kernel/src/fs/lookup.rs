//! Path operations that need the kernel's whole state, on top of the VFS: `/proc` (made
//! from the state) and fd aliases (`/dev/stdin`, `/proc/self/fd/N`). Links inside `/proc`
//! that lead back into the tree (`/proc/self/cwd/x`) and tmpfs symlinks are followed here,
//! up to Linux's 40 links per lookup.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use junction_abi::{
    structs::{Stat, Statfs, Statx},
    Errno,
};

use super::file::{
    statx_from_stat, OpenFile, O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY,
    O_TRUNC,
};
use super::proc::{self, Node, Resolved};
use super::vfs::{Place, MAX_LINKS};
use crate::state::Kernel;

/// What a path finally names.
#[derive(Debug)]
pub enum Target {
    /// A path of the VFS (root directory, /tmp, /dev).
    Path(String),
    /// The open file behind the app's fd.
    Fd(i32),
    Proc(Node),
}

/// Follows /proc links, fd aliases and tmpfs symlinks from `abs`. `follow`: whether a link
/// in last place is followed.
pub fn target(k: &Kernel, abs: &str, follow: bool) -> Result<Target, Errno> {
    let mut path = String::from(abs);
    // Links may lead to paths with links again; Linux's limit is 40.
    for _ in 0..=MAX_LINKS {
        match k.vfs.place(&path) {
            Place::DevFd(fd) => return Ok(Target::Fd(fd)),
            Place::Proc(rel) => match proc::resolve(k, rel, follow)? {
                Resolved::Node(Node::Fd(fd)) if follow => return Ok(Target::Fd(fd)),
                Resolved::Node(node) => return Ok(Target::Proc(node)),
                Resolved::Path(next) => path = next,
            },
            Place::Tmp(_) => match k.vfs.detour(&path, follow)? {
                Some(next) => path = next,
                None => return Ok(Target::Path(path)),
            },
            _ => return Ok(Target::Path(path)),
        }
    }
    Err(Errno::ELOOP)
}

/// `abs` with every link before its last name followed, the last name kept: the path
/// that a call making, removing or renaming that name acts on.
pub fn parent(k: &Kernel, abs: &str) -> Result<String, Errno> {
    let Some(slash) = abs.rfind('/') else {
        return Ok(String::from(abs));
    };
    let (dir, name) = (&abs[..slash.max(1)], &abs[slash + 1..]);
    if name.is_empty() {
        return Ok(String::from(abs));
    }
    Ok(match target(k, dir, true)? {
        Target::Path(dir) => super::vfs::absolute(&dir, name),
        Target::Fd(_) | Target::Proc(_) => String::from(abs),
    })
}

/// openat of an absolute instance path.
pub fn open(k: &Kernel, abs: &str, flags: u32, mode: u32) -> Result<Arc<OpenFile>, Errno> {
    // O_CREAT | O_EXCL never follows a link in last place: it fails with EEXIST there.
    let exclusive = flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL;
    match target(k, abs, flags & O_NOFOLLOW == 0 && !exclusive)? {
        // Reopening through an fd alias shares the open file, as Linux's /proc/self/fd does
        // for pipes and stdio.
        Target::Fd(fd) => k.fds.file(fd).map_err(|_| Errno::ENOENT),
        Target::Proc(node) => {
            if flags & O_ACCMODE != O_RDONLY || flags & (O_CREAT | O_TRUNC) != 0 {
                return Err(Errno::EACCES);
            }
            let ops = proc::open(k, &node)?;
            if flags & O_DIRECTORY != 0 && !ops.is_dir() {
                return Err(Errno::ENOTDIR);
            }
            Ok(Arc::new(OpenFile::new(ops, flags, String::from(abs))))
        }
        Target::Path(path) => k.vfs.open(&path, flags, mode).map(Arc::new),
    }
}

/// stat (follow) or lstat of an absolute instance path.
pub fn stat(k: &Kernel, abs: &str, follow: bool) -> Result<Stat, Errno> {
    match target(k, abs, follow)? {
        Target::Fd(fd) => k.fds.file(fd).map_err(|_| Errno::ENOENT)?.ops.stat(),
        Target::Proc(node) => Ok(proc::stat(&node)),
        Target::Path(path) => k.vfs.stat(&path, follow),
    }
}

/// statx (follow or not) of an absolute instance path; `sync` and `mask` as statx takes them.
pub fn statx(k: &Kernel, abs: &str, follow: bool, sync: u32, mask: u32) -> Result<Statx, Errno> {
    match target(k, abs, follow)? {
        Target::Fd(fd) => k
            .fds
            .file(fd)
            .map_err(|_| Errno::ENOENT)?
            .ops
            .statx(sync, mask),
        Target::Proc(node) => Ok(statx_from_stat(&proc::stat(&node))),
        Target::Path(path) => k.vfs.statx(&path, follow, sync, mask),
    }
}

/// readlink of an absolute instance path: the link's text.
pub fn readlink(k: &Kernel, abs: &str) -> Result<Vec<u8>, Errno> {
    match target(k, abs, false)? {
        Target::Fd(fd) => Ok(alloc::format!("/proc/self/fd/{fd}").into_bytes()),
        Target::Proc(node) => proc::link_text(k, &node).map(String::into_bytes),
        Target::Path(path) => {
            let mut buf = alloc::vec![0u8; 4096];
            let n = k.vfs.readlink(&path, &mut buf)?;
            buf.truncate(n);
            Ok(buf)
        }
    }
}

/// statfs of an absolute instance path.
pub fn statfs(k: &Kernel, abs: &str) -> Result<Statfs, Errno> {
    match target(k, abs, true)? {
        Target::Fd(fd) => k.fds.file(fd).map_err(|_| Errno::ENOENT)?.ops.statfs(),
        Target::Proc(_) => Ok(proc::statfs()),
        Target::Path(path) => k.vfs.statfs(&path),
    }
}

/// The path an open file shows in /proc/self/fd and /proc/self/maps: for files of the root
/// directory their real path (symlinks resolved), else the path they were opened by.
pub fn shown_path(k: &Kernel, file: &OpenFile) -> String {
    file.ops
        .root_host_fd()
        .and_then(|fd| k.vfs.instance_path(fd))
        .unwrap_or_else(|| file.path.clone())
}
