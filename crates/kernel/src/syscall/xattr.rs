//! Extended attributes. Files of the root directory keep theirs on the host: the calls are
//! forwarded for them (the file is opened O_PATH beneath the root, then named to the host
//! through `/proc/self/fd/N`, so the lookup cannot leave the root). Files the kernel serves
//! (tmpfs, /proc, /dev, pipes) hold none: get is ENODATA, list is empty, set and remove are
//! EOPNOTSUPP. Writes outside --rw paths (by the file's real path) are EROFS.

use alloc::vec::Vec;

use junction_abi::Errno;

use super::path::resolve;
use super::Args;
use crate::fs::file::{O_NOFOLLOW, O_PATH};
use crate::fs::lookup;
use crate::fs::vfs::Place;
use crate::{host, state, user};

const AT_FDCWD: i32 = -100;
/// Linux's limits: names up to 255 bytes, values and lists up to 64 KiB.
const XATTR_NAME_MAX: usize = 255;
const XATTR_SIZE_MAX: usize = 65536;
const XATTR_CREATE: u64 = 1;
const XATTR_REPLACE: u64 = 2;

/// Where the attributes of a file live.
enum Holder {
    /// A host fd (closed afterwards when `owned`).
    Host { fd: i32, owned: bool },
    /// A file the kernel serves: it has no attributes.
    Kernel,
}

impl Holder {
    fn host_path(&self) -> Option<Vec<u8>> {
        match self {
            Holder::Host { fd, .. } => Some(alloc::format!("/proc/self/fd/{fd}\0").into_bytes()),
            Holder::Kernel => None,
        }
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if let Holder::Host { fd, owned: true } = self {
            let _ = host::close(*fd);
        }
    }
}

/// The holder of a path's attributes; `write`: the call changes them.
fn by_path(path_addr: u64, follow: bool, write: bool) -> Result<Holder, Errno> {
    let abs = resolve(AT_FDCWD, path_addr)?;
    let k = state::lock();
    if let Place::Root(rel) = k.vfs.place(&abs) {
        let fd = k
            .vfs
            .open_host(rel, O_PATH | if follow { 0 } else { O_NOFOLLOW }, 0)?;
        let holder = Holder::Host { fd, owned: true };
        if write && !k.vfs.writable_fd(fd) {
            return Err(Errno::EROFS);
        }
        return Ok(holder);
    }
    lookup::stat(&k, &abs, follow)?;
    Ok(Holder::Kernel)
}

/// The holder of an open file's attributes; `write`: the call changes them, which only a
/// root-directory file in a --rw path allows (not stdio the instance was given).
fn by_fd(fd: u64, write: bool) -> Result<Holder, Errno> {
    let k = state::lock();
    let file = k.fds.file(fd as i32)?;
    let Some(host_fd) = file.ops.xattr_fd() else {
        return Ok(Holder::Kernel);
    };
    if write
        && !file
            .ops
            .root_host_fd()
            .is_some_and(|fd| k.vfs.writable_fd(fd))
    {
        return Err(Errno::EROFS);
    }
    Ok(Holder::Host {
        fd: host_fd,
        owned: false,
    })
}

fn name(addr: u64) -> Result<Vec<u8>, Errno> {
    let k = state::lock();
    let mut name = user::cstring(&k.vm.vmas, addr, XATTR_NAME_MAX).map_err(|e| match e {
        Errno::ENAMETOOLONG => Errno::ERANGE,
        e => e,
    })?;
    if name.is_empty() {
        return Err(Errno::ERANGE);
    }
    name.push(0);
    Ok(name)
}

/// Runs a get or list on the host into a kernel buffer and copies the result out.
fn fetch(
    holder: Holder,
    buf_addr: u64,
    size: u64,
    call: impl FnOnce(&[u8], &mut [u8]) -> Result<usize, Errno>,
    none: Result<u64, Errno>,
) -> Result<u64, Errno> {
    let Some(path) = holder.host_path() else {
        return none;
    };
    let mut value = alloc::vec![0u8; (size as usize).min(XATTR_SIZE_MAX)];
    let n = call(&path, &mut value)?;
    if size != 0 {
        let k = state::lock();
        user::slice_mut(&k.vm.vmas, buf_addr, n)?.copy_from_slice(&value[..n]);
    }
    Ok(n as u64)
}

fn get(holder: Holder, name_addr: u64, buf: u64, size: u64) -> Result<u64, Errno> {
    let name = name(name_addr)?;
    fetch(
        holder,
        buf,
        size,
        |path, value| host::getxattr(path, &name, value),
        Err(Errno::ENODATA),
    )
}

fn list(holder: Holder, buf: u64, size: u64) -> Result<u64, Errno> {
    fetch(holder, buf, size, host::listxattr, Ok(0))
}

fn set(holder: Holder, a: &Args) -> Result<u64, Errno> {
    let (name_addr, value_addr, size, flags) = (a[1], a[2], a[3], a[4]);
    if flags & !(XATTR_CREATE | XATTR_REPLACE) != 0 {
        return Err(Errno::EINVAL);
    }
    if size as usize > XATTR_SIZE_MAX {
        return Err(Errno::E2BIG);
    }
    let name = name(name_addr)?;
    let value = user::slice(&state::lock().vm.vmas, value_addr, size as usize)?.to_vec();
    match holder.host_path() {
        Some(path) => host::setxattr(&path, &name, &value, flags as u32).map(|_| 0),
        None => Err(Errno::EOPNOTSUPP),
    }
}

fn remove(holder: Holder, name_addr: u64) -> Result<u64, Errno> {
    let name = name(name_addr)?;
    match holder.host_path() {
        Some(path) => host::removexattr(&path, &name).map(|_| 0),
        None => Err(Errno::EOPNOTSUPP),
    }
}

pub fn getxattr(a: &Args) -> Result<u64, Errno> {
    get(by_path(a[0], true, false)?, a[1], a[2], a[3])
}

pub fn lgetxattr(a: &Args) -> Result<u64, Errno> {
    get(by_path(a[0], false, false)?, a[1], a[2], a[3])
}

pub fn fgetxattr(a: &Args) -> Result<u64, Errno> {
    get(by_fd(a[0], false)?, a[1], a[2], a[3])
}

pub fn listxattr(a: &Args) -> Result<u64, Errno> {
    list(by_path(a[0], true, false)?, a[1], a[2])
}

pub fn llistxattr(a: &Args) -> Result<u64, Errno> {
    list(by_path(a[0], false, false)?, a[1], a[2])
}

pub fn flistxattr(a: &Args) -> Result<u64, Errno> {
    list(by_fd(a[0], false)?, a[1], a[2])
}

pub fn setxattr(a: &Args) -> Result<u64, Errno> {
    set(by_path(a[0], true, true)?, a)
}

pub fn lsetxattr(a: &Args) -> Result<u64, Errno> {
    set(by_path(a[0], false, true)?, a)
}

pub fn fsetxattr(a: &Args) -> Result<u64, Errno> {
    set(by_fd(a[0], true)?, a)
}

pub fn removexattr(a: &Args) -> Result<u64, Errno> {
    remove(by_path(a[0], true, true)?, a[1])
}

pub fn lremovexattr(a: &Args) -> Result<u64, Errno> {
    remove(by_path(a[0], false, true)?, a[1])
}

pub fn fremovexattr(a: &Args) -> Result<u64, Errno> {
    remove(by_fd(a[0], true)?, a[1])
}
