//! Reading and writing open files: read/write and their positioned and vectored forms,
//! lseek, getdents64, ioctl, fsync, ftruncate. The lock on the kernel state is released
//! before any I/O, so a blocking read never holds it.

use alloc::sync::Arc;
use alloc::vec::Vec;

use junction_abi::{structs::Iovec, Errno};

use super::Args;
use crate::fs::file::{OpenFile, Whence};
use crate::{state, user};

const MAX_RW: usize = 0x7fff_f000;

fn file(fd: u64) -> Result<Arc<OpenFile>, Errno> {
    state::lock().fds.file(fd as i32)
}

pub fn read(a: &Args) -> Result<u64, Errno> {
    let f = file(a[0])?;
    let buf = user::slice_mut(&state::lock().vm.vmas, a[1], (a[2] as usize).min(MAX_RW))?;
    f.read(buf).map(|n| n as u64)
}

pub fn write(a: &Args) -> Result<u64, Errno> {
    let f = file(a[0])?;
    let buf = user::slice(&state::lock().vm.vmas, a[1], (a[2] as usize).min(MAX_RW))?;
    f.write(buf).map(|n| n as u64)
}

pub fn pread64(a: &Args) -> Result<u64, Errno> {
    let f = file(a[0])?;
    if (a[3] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    if !f.readable() {
        return Err(Errno::EBADF);
    }
    if f.ops.is_dir() {
        return Err(Errno::EISDIR);
    }
    let buf = user::slice_mut(&state::lock().vm.vmas, a[1], (a[2] as usize).min(MAX_RW))?;
    f.ops.pread(buf, a[3]).map(|n| n as u64)
}

pub fn pwrite64(a: &Args) -> Result<u64, Errno> {
    let f = file(a[0])?;
    if (a[3] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    let buf = user::slice(&state::lock().vm.vmas, a[1], (a[2] as usize).min(MAX_RW))?;
    f.ops.pwrite(buf, a[3]).map(|n| n as u64)
}

fn iovecs(addr: u64, count: u64) -> Result<Vec<Iovec>, Errno> {
    if count > 1024 {
        return Err(Errno::EINVAL);
    }
    let k = state::lock();
    (0..count)
        .map(|i| user::read::<Iovec>(&k.vm.vmas, addr + i * 16))
        .collect()
}

/// readv/writev: one transfer per iovec until one comes up short; an error after some bytes
/// moved ends the call with the count so far, as Linux does.
fn vectored(
    a: &Args,
    mut transfer: impl FnMut(&OpenFile, u64, usize) -> Result<(usize, usize), Errno>,
) -> Result<u64, Errno> {
    let f = file(a[0])?;
    let mut total = 0u64;
    for iov in iovecs(a[1], a[2])? {
        if iov.iov_len == 0 {
            continue;
        }
        let (n, wanted) = match transfer(&f, iov.iov_base, iov.iov_len as usize) {
            Ok(done) => done,
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        };
        total += n as u64;
        if n < wanted {
            break;
        }
    }
    Ok(total)
}

pub fn readv(a: &Args) -> Result<u64, Errno> {
    if let Some(done) = super::msg::socket_vectored(a, true) {
        return done;
    }
    vectored(a, |f, base, len| {
        let buf = user::slice_mut(&state::lock().vm.vmas, base, len)?;
        Ok((f.read(buf)?, len))
    })
}

pub fn writev(a: &Args) -> Result<u64, Errno> {
    if let Some(done) = super::msg::socket_vectored(a, false) {
        return done;
    }
    vectored(a, |f, base, len| {
        let buf = user::slice(&state::lock().vm.vmas, base, len)?;
        Ok((f.write(buf)?, len))
    })
}

pub fn lseek(a: &Args) -> Result<u64, Errno> {
    let f = file(a[0])?;
    let whence = Whence::from_raw(a[2]).ok_or(Errno::EINVAL)?;
    f.seek(a[1] as i64, whence)
}

pub fn getdents64(a: &Args) -> Result<u64, Errno> {
    let f = file(a[0])?;
    let buf = user::slice_mut(&state::lock().vm.vmas, a[1], (a[2] as usize).min(MAX_RW))?;
    f.ops.getdents(&f, buf).map(|n| n as u64)
}

const FIOCLEX: u64 = 0x5451;
const FIONCLEX: u64 = 0x5450;
const FIONBIO: u64 = 0x5421;

pub fn ioctl(a: &Args) -> Result<u64, Errno> {
    let fd = a[0] as i32;
    match a[1] {
        FIOCLEX | FIONCLEX => {
            state::lock().fds.get_mut(fd)?.cloexec = a[1] == FIOCLEX;
            Ok(0)
        }
        FIONBIO => {
            let f = file(a[0])?;
            let on: i32 = user::read(&state::lock().vm.vmas, a[2])?;
            let flag = crate::fs::file::O_NONBLOCK;
            if on != 0 {
                f.flags
                    .fetch_or(flag, core::sync::atomic::Ordering::Relaxed);
            } else {
                f.flags
                    .fetch_and(!flag, core::sync::atomic::Ordering::Relaxed);
            }
            Ok(0)
        }
        request => {
            let f = file(a[0])?;
            let k = state::lock();
            f.ops.ioctl(request, a[2], &k.vm.vmas).map(|n| n as u64)
        }
    }
}

pub fn fsync(a: &Args) -> Result<u64, Errno> {
    file(a[0])?.ops.sync().map(|()| 0)
}

pub fn ftruncate(a: &Args) -> Result<u64, Errno> {
    let f = file(a[0])?;
    if (a[1] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    if !f.writable() {
        return Err(Errno::EINVAL);
    }
    f.ops.truncate(a[1]).map(|()| 0)
}
