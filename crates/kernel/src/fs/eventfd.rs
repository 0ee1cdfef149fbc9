//! eventfd: a 64-bit counter served in the kernel. A write adds to it, a read takes all of
//! it (or one, with EFD_SEMAPHORE); it is readable while non-zero and writable while it is
//! below the largest count, 0xffff_ffff_ffff_fffe. Reads and writes move exactly 8 bytes.

use junction_abi::{structs::Stat, Errno};

use super::file::{FileOps, OpenFile, POLLERR, POLLIN, POLLOUT};
use crate::readiness::{WakeCounter, Wakeups};
use crate::sync::SpinLock;
use crate::wait::WaitWord;

const WORD: usize = 8;

#[derive(Debug)]
pub struct EventFd {
    count: SpinLock<u64>,
    semaphore: bool,
    /// Bumped on every change; a blocked read or write sleeps on it.
    changed: WaitWord,
    /// Writes wake readers, reads wake writers (the keys Linux's eventfd wakes with).
    wakeups: WakeCounter,
}

impl EventFd {
    pub fn new(initial: u32, semaphore: bool) -> Self {
        EventFd {
            count: SpinLock::new(u64::from(initial)),
            semaphore,
            changed: WaitWord::new(),
            wakeups: WakeCounter::new(),
        }
    }
}

impl FileOps for EventFd {
    fn read(&self, file: &OpenFile, buf: &mut [u8]) -> Result<usize, Errno> {
        let out = buf.get_mut(..WORD).ok_or(Errno::EINVAL)?;
        loop {
            let seen = self.changed.value();
            {
                let mut count = self.count.lock();
                if *count > 0 {
                    let taken = if self.semaphore { 1 } else { *count };
                    *count -= taken;
                    drop(count);
                    out.copy_from_slice(&taken.to_ne_bytes());
                    self.changed.wake_all();
                    self.wakeups.wake_writers();
                    return Ok(WORD);
                }
            }
            if file.nonblocking() {
                return Err(Errno::EAGAIN);
            }
            self.changed.wait(seen)?;
        }
    }

    fn write(&self, file: &OpenFile, buf: &[u8]) -> Result<usize, Errno> {
        // Linux 6.x takes exactly one 8-byte word; all ones is reserved.
        let word: [u8; WORD] = buf.try_into().map_err(|_| Errno::EINVAL)?;
        let value = u64::from_ne_bytes(word);
        if value == u64::MAX {
            return Err(Errno::EINVAL);
        }
        loop {
            let seen = self.changed.value();
            {
                let mut count = self.count.lock();
                if u64::MAX - *count > value {
                    *count += value;
                    drop(count);
                    self.changed.wake_all();
                    self.wakeups.wake_readers();
                    return Ok(WORD);
                }
            }
            if file.nonblocking() {
                return Err(Errno::EAGAIN);
            }
            self.changed.wait(seen)?;
        }
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(super::anon_inode::stat())
    }

    fn poll(&self) -> u32 {
        let count = *self.count.lock();
        let mut ready = 0;
        if count > 0 {
            ready |= POLLIN;
        }
        if count == u64::MAX {
            ready |= POLLERR;
        }
        if count < u64::MAX - 1 {
            ready |= POLLOUT;
        }
        ready
    }

    fn can_poll(&self) -> bool {
        true
    }

    fn wakeups(&self) -> Option<Wakeups> {
        Some(self.wakeups.get())
    }
}

#[cfg(test)]
mod tests {
    use alloc::boxed::Box;
    use alloc::string::String;

    use super::*;
    use crate::fs::file::{O_NONBLOCK, O_RDWR};

    fn open(initial: u32, semaphore: bool) -> OpenFile {
        OpenFile::new(
            Box::new(EventFd::new(initial, semaphore)),
            O_RDWR | O_NONBLOCK,
            String::from("anon_inode:[eventfd]"),
        )
    }

    fn read(f: &OpenFile) -> Result<u64, Errno> {
        let mut buf = [0u8; 8];
        f.read(&mut buf).map(|_| u64::from_ne_bytes(buf))
    }

    fn write(f: &OpenFile, value: u64) -> Result<usize, Errno> {
        f.write(&value.to_ne_bytes())
    }

    #[test]
    fn counter_mode_takes_everything() {
        let f = open(3, false);
        assert_eq!(write(&f, 4), Ok(8));
        assert_eq!(read(&f), Ok(7));
        assert_eq!(read(&f), Err(Errno::EAGAIN));
    }

    #[test]
    fn semaphore_mode_takes_one() {
        let f = open(2, true);
        assert_eq!(read(&f), Ok(1));
        assert_eq!(read(&f), Ok(1));
        assert_eq!(read(&f), Err(Errno::EAGAIN));
    }

    #[test]
    fn sizes_and_overflow() {
        let f = open(0, false);
        assert_eq!(f.read(&mut [0u8; 4]), Err(Errno::EINVAL));
        assert_eq!(f.write(&[0u8; 4]), Err(Errno::EINVAL));
        assert_eq!(f.write(&[0u8; 16]), Err(Errno::EINVAL));
        assert_eq!(write(&f, u64::MAX), Err(Errno::EINVAL));
        assert_eq!(write(&f, u64::MAX - 1), Ok(8));
        assert_eq!(f.ops.poll(), POLLIN);
        assert_eq!(write(&f, 1), Err(Errno::EAGAIN));
        assert_eq!(f.read(&mut [0u8; 16]), Ok(8));
        assert_eq!(f.ops.poll(), POLLOUT);
    }

    #[test]
    fn reads_wake_writers_and_writes_wake_readers() {
        let f = open(0, false);
        let before = f.ops.wakeups();
        write(&f, 1).ok();
        let after_write = f.ops.wakeups();
        read(&f).ok();
        let after_read = f.ops.wakeups();
        let (b, w, r) = (before.unwrap(), after_write.unwrap(), after_read.unwrap());
        assert!(w.readers != b.readers && w.writers == b.writers);
        assert!(r.writers != w.writers && r.readers == w.readers);
    }
}
