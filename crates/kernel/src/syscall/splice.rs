//! splice and tee, served in the kernel over its own pipes: one end of a splice is a kernel
//! pipe, the other any file the kernel can read or write. Bytes are copied through a kernel
//! buffer. From a pipe they are peeked first and taken only once the destination took
//! them, so a short write loses nothing; into a pipe no more is read than it has room for.

use alloc::vec;

use junction_abi::Errno;

use super::Args;
use crate::fs::file::OpenFile;
use crate::fs::pipe::PipeEnd;
use crate::{state, user};

const SPLICE_F_NONBLOCK: u64 = 2;
const SPLICE_F_ALL: u64 = 0xf;
const CHUNK: usize = 64 * 1024;

/// An offset argument: None for a null pointer, else the value (EINVAL when negative).
fn read_offset(addr: u64) -> Result<Option<u64>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let at: i64 = user::read(&state::lock().vm.vmas, addr)?;
    u64::try_from(at).map(Some).map_err(|_| Errno::EINVAL)
}

fn write_offset(addr: u64, at: Option<u64>) -> Result<(), Errno> {
    match at {
        Some(at) => user::write(&state::lock().vm.vmas, addr, &(at as i64)),
        None => Ok(()),
    }
}

/// Reads from a file that is not a pipe, at `at` when given.
fn take_from(file: &OpenFile, buf: &mut [u8], at: &mut Option<u64>) -> Result<usize, Errno> {
    match at {
        Some(offset) => {
            file.ops.seekable_size().ok_or(Errno::ESPIPE)??;
            let n = file.ops.pread(buf, *offset)?;
            *offset += n as u64;
            Ok(n)
        }
        None => file.read(buf),
    }
}

/// Writes to a file that is not a pipe, at `at` when given.
fn put_into(file: &OpenFile, buf: &[u8], at: &mut Option<u64>) -> Result<usize, Errno> {
    match at {
        Some(offset) => {
            file.ops.seekable_size().ok_or(Errno::ESPIPE)??;
            let n = file.ops.pwrite(buf, *offset)?;
            *offset += n as u64;
            Ok(n)
        }
        None => file.write(buf),
    }
}

pub fn splice(a: &Args) -> Result<u64, Errno> {
    let (len, flags) = (a[4] as usize, a[5]);
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let (input, output) = {
        let k = state::lock();
        (k.fds.file(a[0] as i32)?, k.fds.file(a[2] as i32)?)
    };
    if !input.readable() || !output.writable() {
        return Err(Errno::EBADF);
    }
    let (pipe_in, pipe_out) = (input.kind::<PipeEnd>(), output.kind::<PipeEnd>());
    if pipe_in.is_none() && pipe_out.is_none() {
        return Err(Errno::EINVAL);
    }
    if let (Some(i), Some(o)) = (pipe_in, pipe_out) {
        if i.same_pipe(o) {
            return Err(Errno::EINVAL);
        }
    }
    let mut off_in = read_offset(a[1])?;
    let mut off_out = read_offset(a[3])?;
    if (pipe_in.is_some() && off_in.is_some()) || (pipe_out.is_some() && off_out.is_some()) {
        return Err(Errno::ESPIPE);
    }
    if len == 0 {
        return Ok(0);
    }
    let nonblocking = flags & SPLICE_F_NONBLOCK != 0;
    let mut want = len.min(CHUNK);
    if let Some(out) = pipe_out {
        want = want.min(out.room(nonblocking || output.nonblocking())?);
    }
    let mut buf = vec![0u8; want];
    let moved = match pipe_in {
        Some(pipe) => {
            let got = pipe.peek(&mut buf, nonblocking || input.nonblocking())?;
            if got == 0 {
                return Ok(0);
            }
            let put = match pipe_out {
                Some(_) => output.write(&buf[..got])?,
                None => put_into(&output, &buf[..got], &mut off_out)?,
            };
            pipe.consume(put);
            put
        }
        None => {
            let got = take_from(&input, &mut buf, &mut off_in)?;
            // The pipe had room for all of it (checked above, one thread).
            if got == 0 {
                0
            } else {
                output.write(&buf[..got])?
            }
        }
    };
    write_offset(a[1], off_in)?;
    write_offset(a[3], off_out)?;
    Ok(moved as u64)
}

/// tee: copies from one pipe into another without taking the bytes.
pub fn tee(a: &Args) -> Result<u64, Errno> {
    let (len, flags) = (a[2] as usize, a[3]);
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let (input, output) = {
        let k = state::lock();
        (k.fds.file(a[0] as i32)?, k.fds.file(a[1] as i32)?)
    };
    if !input.readable() || !output.writable() {
        return Err(Errno::EBADF);
    }
    let (Some(pipe_in), Some(pipe_out)) = (input.kind::<PipeEnd>(), output.kind::<PipeEnd>())
    else {
        return Err(Errno::EINVAL);
    };
    if pipe_in.is_write_end() || !pipe_out.is_write_end() || pipe_in.same_pipe(pipe_out) {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let nonblocking = flags & SPLICE_F_NONBLOCK != 0;
    let room = pipe_out.room(nonblocking || output.nonblocking())?;
    let mut buf = vec![0u8; len.min(CHUNK).min(room)];
    let got = pipe_in.peek(&mut buf, nonblocking || input.nonblocking())?;
    if got == 0 {
        return Ok(0);
    }
    output.write(&buf[..got]).map(|n| n as u64)
}
