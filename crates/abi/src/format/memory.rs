//! Reading application memory through the caller's reader, without allocating: small values
//! into stack buffers, long ones in chunks. A reader may refuse a range that runs into unmapped
//! memory, so strings are read page by page, and a failed read makes the printer fall back to
//! showing the address.

use core::fmt;

/// Reads the traced application's memory for the printers.
pub trait MemoryReader {
    /// Fill `buf` with the bytes at `addr..addr + buf.len()`; false when any of them cannot be
    /// read (unmapped), in which case `buf` may hold anything.
    fn read(&self, addr: u64, buf: &mut [u8]) -> bool;
}

/// Any `Fn(addr, buf) -> bool` is a reader, so a caller can pass a closure.
impl<F: Fn(u64, &mut [u8]) -> bool> MemoryReader for F {
    fn read(&self, addr: u64, buf: &mut [u8]) -> bool {
        self(addr, buf)
    }
}

/// The reader as the printers see it: absent when the caller gave none.
pub(crate) type Mem<'a> = Option<&'a dyn MemoryReader>;

/// The most bytes read at once, and the size of the stack buffers. Every struct layout fits
/// (the largest, `utsname`, is 390 bytes; a test checks them all).
pub(crate) const CHUNK: usize = 512;

const PAGE: u64 = 4096;

/// Exactly `buf.len()` bytes at `addr`; false without a reader, at address 0, or when the
/// reader refuses. Zero bytes always read (when there is a reader and an address).
pub(crate) fn read_exact(mem: Mem<'_>, addr: u64, buf: &mut [u8]) -> bool {
    match mem {
        Some(reader) if addr != 0 => buf.is_empty() || reader.read(addr, buf),
        _ => false,
    }
}

/// A little-endian unsigned integer of `size` (1..=8) bytes at `offset`; missing bytes read as 0.
pub(crate) fn read_uint(bytes: &[u8], offset: usize, size: usize) -> u64 {
    (0..size).rev().fold(0, |value, i| {
        let byte = offset
            .checked_add(i)
            .and_then(|at| bytes.get(at))
            .copied()
            .unwrap_or(0);
        value << 8 | u64::from(byte)
    })
}

/// A range of memory known to be readable as a whole, printed chunk by chunk. It mirrors a
/// single all-or-nothing read: either every byte reads or the printer shows the address.
pub(crate) struct Region<'a> {
    reader: &'a dyn MemoryReader,
    addr: u64,
    len: usize,
    /// The bytes themselves when they fit in one chunk (the usual case: strace's 32 bytes).
    buf: [u8; CHUNK],
}

impl<'a> Region<'a> {
    /// `len` bytes at `addr`, or `None` when any of them cannot be read (as [`read_exact`]).
    pub(crate) fn read(mem: Mem<'a>, addr: u64, len: usize) -> Option<Region<'a>> {
        let reader = mem.filter(|_| addr != 0)?;
        let mut buf = [0; CHUNK];
        // A long range is checked chunk by chunk, then read again as it is printed.
        let mut at = 0;
        while at < len {
            let n = CHUNK.min(len - at);
            if !reader.read(offset(addr, at), &mut buf[..n]) {
                return None;
            }
            at += n;
        }
        Some(Region {
            reader,
            addr,
            len,
            buf,
        })
    }

    /// Call `each` with the bytes in order, in pieces that hold whole `step`-byte items (a
    /// struct is never split). A short range is one piece, possibly empty.
    pub(crate) fn for_each(
        &mut self,
        step: usize,
        each: &mut dyn FnMut(&[u8]) -> fmt::Result,
    ) -> fmt::Result {
        if self.len <= CHUNK {
            return each(&self.buf[..self.len]);
        }
        let piece = CHUNK - CHUNK % step.clamp(1, CHUNK);
        let mut at = 0;
        while at < self.len {
            let n = piece.min(self.len - at);
            // The range read a moment ago; if it has since been unmapped, stop where we are
            // rather than print bytes that were not read.
            if !self.reader.read(offset(self.addr, at), &mut self.buf[..n]) {
                return Ok(());
            }
            each(&self.buf[..n])?;
            at += n;
        }
        Ok(())
    }
}

/// Stream the longest readable prefix of `addr..addr + len` to `each`, stopping early when it
/// returns false (a string has ended, so the rest need not be mapped). Reads never cross a page,
/// and a refused read is retried with halves, so a string that ends just before unmapped memory
/// is still found.
pub(crate) fn read_prefix(
    reader: &dyn MemoryReader,
    addr: u64,
    len: usize,
    each: &mut dyn FnMut(&[u8]) -> Result<bool, fmt::Error>,
) -> fmt::Result {
    let mut buf = [0; CHUNK];
    let mut done = 0;
    while done < len {
        let at = offset(addr, done);
        let to_page_end = usize::try_from(PAGE - at % PAGE).unwrap_or(CHUNK);
        let want = to_page_end.min(len - done).min(CHUNK);
        let got = read_some(reader, at, &mut buf[..want]);
        if got == 0 || !each(&buf[..got])? {
            break;
        }
        done += got;
    }
    Ok(())
}

/// The longest of `buf.len()`, its half, its quarter... bytes that reads; 0 when none does.
fn read_some(reader: &dyn MemoryReader, addr: u64, buf: &mut [u8]) -> usize {
    let mut len = buf.len();
    while len >= 1 {
        if reader.read(addr, &mut buf[..len]) {
            return len;
        }
        len /= 2;
    }
    0
}

/// `addr + at`, wrapping like a 64-bit register.
fn offset(addr: u64, at: usize) -> u64 {
    addr.wrapping_add(u64::try_from(at).unwrap_or(u64::MAX))
}
