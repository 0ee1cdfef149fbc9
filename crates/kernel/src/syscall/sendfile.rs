//! sendfile: served in the kernel with a read/write loop through a kernel buffer, so any
//! source the kernel can read (tmpfs, host files, pipes, sockets) goes to any destination.
//! Bytes read from a seekable source but not taken by the destination are given back by
//! moving the offset back; from a pipe or socket they would be lost, so the loop stops at
//! the first short write.

use alloc::vec;

use junction_abi::Errno;

use super::Args;
use crate::fs::file::{OpenFile, Whence};
use crate::{state, user};

const CHUNK: usize = 64 * 1024;
const MAX_RW: u64 = 0x7fff_f000;

/// Writes `buf` to `out`; how much it took (a partial count on a short or failed write).
fn write_some(out: &OpenFile, buf: &[u8]) -> (usize, Option<Errno>) {
    let mut done = 0;
    while done < buf.len() {
        match out.write(&buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) => return (done, Some(e)),
        }
    }
    (done, None)
}

pub fn sendfile(a: &Args) -> Result<u64, Errno> {
    let (out, input) = {
        let k = state::lock();
        (k.fds.file(a[0] as i32)?, k.fds.file(a[1] as i32)?)
    };
    if !input.readable() || !out.writable() {
        return Err(Errno::EBADF);
    }
    if input.ops.is_dir() {
        return Err(Errno::EINVAL);
    }
    let mut offset = if a[2] == 0 {
        None
    } else {
        let at: i64 = user::read(&state::lock().vm.vmas, a[2])?;
        if at < 0 {
            return Err(Errno::EINVAL);
        }
        // An explicit offset needs a source that can be read at one.
        input.ops.seekable_size().ok_or(Errno::ESPIPE)??;
        Some(at as u64)
    };
    let count = a[3].min(MAX_RW) as usize;
    let mut buf = vec![0u8; CHUNK.min(count.max(1))];
    let mut total = 0usize;
    let mut failure = None;
    while total < count {
        let want = (count - total).min(buf.len());
        let read = match offset {
            Some(at) => input.ops.pread(&mut buf[..want], at),
            None => input.read(&mut buf[..want]),
        };
        let n = match read {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        let (written, error) = write_some(&out, &buf[..n]);
        total += written;
        match offset.as_mut() {
            Some(at) => *at += written as u64,
            None if written < n => {
                // Give back what the destination did not take (seekable sources only).
                let _ = input.seek(-((n - written) as i64), Whence::Current);
            }
            None => {}
        }
        if let Some(e) = error {
            failure = Some(e);
            break;
        }
        if written < n {
            break;
        }
    }
    if let Some(at) = offset {
        user::write(&state::lock().vm.vmas, a[2], &(at as i64))?;
    }
    match failure {
        Some(e) if total == 0 => Err(e),
        _ => Ok(total as u64),
    }
}
