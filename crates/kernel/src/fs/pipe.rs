//! Pipes, served entirely in the kernel: a 64 KiB ring buffer shared by the two ends.
//! A reader with nothing to read sleeps on a futex word that writers bump.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering};

use junction_abi::{structs::Stat, Errno};

use super::file::{FileOps, OpenFile, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::readiness::{WakeCounter, Wakeups};
use crate::sync::SpinLock;
use crate::wait::WaitWord;

pub const CAPACITY: usize = 65536;
/// Writes of at most this many bytes are atomic (POSIX PIPE_BUF).
const PIPE_BUF: usize = 4096;

#[derive(Debug)]
struct Shared {
    buffer: SpinLock<VecDeque<u8>>,
    readers: AtomicU32,
    writers: AtomicU32,
    /// Bumped on every change; sleepers wait on it.
    changed: WaitWord,
    /// Wake-ups as epoll sees them: every write wakes readers; a read wakes writers only
    /// when it made room in a pipe that had none (as Linux's pipe_read does).
    wakeups: WakeCounter,
    ino: u64,
}

#[derive(Debug)]
pub struct PipeEnd {
    shared: Arc<Shared>,
    write_end: bool,
}

static NEXT_INO: AtomicU32 = AtomicU32::new(1000);

/// A new pipe: (read end, write end).
pub fn new_pipe() -> (PipeEnd, PipeEnd) {
    let shared = Arc::new(Shared {
        buffer: SpinLock::new(VecDeque::new()),
        readers: AtomicU32::new(1),
        writers: AtomicU32::new(1),
        changed: WaitWord::new(),
        wakeups: WakeCounter::new(),
        ino: u64::from(NEXT_INO.fetch_add(1, Ordering::Relaxed)),
    });
    (
        PipeEnd {
            shared: shared.clone(),
            write_end: false,
        },
        PipeEnd {
            shared,
            write_end: true,
        },
    )
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let count = if self.write_end {
            &self.shared.writers
        } else {
            &self.shared.readers
        };
        count.fetch_sub(1, Ordering::AcqRel);
        self.shared.changed.wake_all();
        self.shared.wakeups.wake_everyone();
    }
}

/// What splice and tee need: the pipe's bytes without taking them, taking them later, and
/// its room (crate::syscall::splice).
impl PipeEnd {
    pub fn is_write_end(&self) -> bool {
        self.write_end
    }

    /// Whether `other` is an end of the same pipe.
    pub fn same_pipe(&self, other: &PipeEnd) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Copies the first bytes into `buf` without taking them, waiting for some unless
    /// `nonblocking`; 0 at end of file (no writers).
    pub fn peek(&self, buf: &mut [u8], nonblocking: bool) -> Result<usize, Errno> {
        loop {
            let seen = self.shared.changed.value();
            {
                let data = self.shared.buffer.lock();
                if !data.is_empty() {
                    let n = buf.len().min(data.len());
                    for (slot, byte) in buf.iter_mut().zip(data.iter()) {
                        *slot = *byte;
                    }
                    return Ok(n);
                }
            }
            if self.shared.writers.load(Ordering::Acquire) == 0 {
                return Ok(0);
            }
            if nonblocking {
                return Err(Errno::EAGAIN);
            }
            self.shared.changed.wait(seen)?;
        }
    }

    /// Takes the first `n` bytes (already peeked), waking writers as a read does.
    pub fn consume(&self, n: usize) {
        let mut data = self.shared.buffer.lock();
        let was_full = CAPACITY - data.len() < PIPE_BUF;
        let n = n.min(data.len());
        data.drain(..n);
        drop(data);
        self.shared.changed.wake_all();
        if was_full {
            self.shared.wakeups.wake_writers();
        }
    }

    /// The room left, waiting for some unless `nonblocking`; EPIPE (and SIGPIPE) when
    /// nobody can read.
    pub fn room(&self, nonblocking: bool) -> Result<usize, Errno> {
        loop {
            if self.shared.readers.load(Ordering::Acquire) == 0 {
                crate::syscall::signal::raise_sigpipe();
                return Err(Errno::EPIPE);
            }
            let seen = self.shared.changed.value();
            let room = CAPACITY - self.shared.buffer.lock().len();
            if room > 0 {
                return Ok(room);
            }
            if nonblocking {
                return Err(Errno::EAGAIN);
            }
            self.shared.changed.wait(seen)?;
        }
    }
}

impl FileOps for PipeEnd {
    fn statfs(&self) -> Result<junction_abi::structs::Statfs, Errno> {
        Ok(super::file::pseudo_statfs(super::file::PIPEFS_MAGIC))
    }

    fn read(&self, file: &OpenFile, buf: &mut [u8]) -> Result<usize, Errno> {
        if self.write_end {
            return Err(Errno::EBADF);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let seen = self.shared.changed.value();
            {
                let mut data = self.shared.buffer.lock();
                if !data.is_empty() {
                    let was_full = CAPACITY - data.len() < PIPE_BUF;
                    let n = buf.len().min(data.len());
                    for (slot, byte) in buf.iter_mut().zip(data.drain(..n)) {
                        *slot = byte;
                    }
                    drop(data);
                    self.shared.changed.wake_all();
                    if was_full {
                        self.shared.wakeups.wake_writers();
                    }
                    return Ok(n);
                }
            }
            if self.shared.writers.load(Ordering::Acquire) == 0 {
                return Ok(0);
            }
            if file.nonblocking() {
                return Err(Errno::EAGAIN);
            }
            self.shared.changed.wait(seen)?;
        }
    }

    fn write(&self, file: &OpenFile, buf: &[u8]) -> Result<usize, Errno> {
        if !self.write_end {
            return Err(Errno::EBADF);
        }
        let mut written = 0;
        loop {
            if self.shared.readers.load(Ordering::Acquire) == 0 {
                crate::syscall::signal::raise_sigpipe();
                return if written > 0 {
                    Ok(written)
                } else {
                    Err(Errno::EPIPE)
                };
            }
            let seen = self.shared.changed.value();
            {
                let mut data = self.shared.buffer.lock();
                let room = CAPACITY - data.len();
                let rest = &buf[written..];
                // Small writes go in whole or not at all.
                if room > 0 && (rest.len() > PIPE_BUF || room >= rest.len()) {
                    let n = room.min(rest.len());
                    data.extend(&rest[..n]);
                    written += n;
                    drop(data);
                    self.shared.changed.wake_all();
                    self.shared.wakeups.wake_readers();
                    if written == buf.len() {
                        return Ok(written);
                    }
                    continue;
                }
            }
            if file.nonblocking() {
                return if written > 0 {
                    Ok(written)
                } else {
                    Err(Errno::EAGAIN)
                };
            }
            self.shared.changed.wait(seen)?;
        }
    }

    fn stat(&self) -> Result<Stat, Errno> {
        let mut st = Stat::zeroed();
        st.st_mode = 0o010600;
        st.st_nlink = 1;
        st.st_ino = self.shared.ino;
        st.st_dev = super::dev::makedev(0, 14);
        st.st_blksize = 4096;
        Ok(st)
    }

    fn poll(&self) -> u32 {
        let len = self.shared.buffer.lock().len();
        if self.write_end {
            let mut ready = if CAPACITY - len >= PIPE_BUF {
                POLLOUT | POLLWRNORM
            } else {
                0
            };
            if self.shared.readers.load(Ordering::Acquire) == 0 {
                ready |= POLLERR;
            }
            ready
        } else {
            let mut ready = if len > 0 { POLLIN | POLLRDNORM } else { 0 };
            if self.shared.writers.load(Ordering::Acquire) == 0 {
                ready |= POLLHUP;
            }
            ready
        }
    }

    fn can_poll(&self) -> bool {
        true
    }

    fn wakeups(&self) -> Option<Wakeups> {
        Some(self.shared.wakeups.get())
    }

    fn ioctl(&self, request: u64, arg: u64, vm: &crate::mm::vma::VmaMap) -> Result<usize, Errno> {
        const FIONREAD: u64 = 0x541b;
        if request == FIONREAD {
            let len = self.shared.buffer.lock().len() as i32;
            crate::user::write(vm, arg, &len)?;
            return Ok(0);
        }
        Err(Errno::ENOTTY)
    }
}
