//! The kernel's own messages: formatted into a stack buffer and written to the host's
//! stderr through the host module (no libc, no allocation).

use core::fmt::{self, Write};

use crate::host;

/// A `fmt::Write` that buffers on the stack and writes to a host fd when full or dropped.
#[derive(Debug)]
pub struct FdWriter {
    fd: i32,
    buf: [u8; 512],
    len: usize,
}

impl FdWriter {
    pub const fn new(fd: i32) -> Self {
        FdWriter {
            fd,
            buf: [0; 512],
            len: 0,
        }
    }

    pub fn flush(&mut self) {
        let _ = host::write_all(self.fd, &self.buf[..self.len]);
        self.len = 0;
    }
}

impl Write for FdWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.len == self.buf.len() {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

impl Drop for FdWriter {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Prints to the host's stderr.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let mut w = $crate::print::FdWriter::new(2);
        let _ = write!(w, $($arg)*);
    }};
}

/// Prints a line to the host's stderr.
#[macro_export]
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let mut w = $crate::print::FdWriter::new(2);
        let _ = writeln!(w, $($arg)*);
    }};
}

/// The panic handler's body: a kernel bug. Say so, then die by SIGABRT like a C program's
/// failed assertion, so the exit status tells a crash from a normal exit.
pub fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    crate::eprintln!("junction: kernel bug: {info}");
    let _ = host::tgkill(host::getpid(), host::gettid(), 6);
    host::exit_group(134)
}
