//! Printers for byte strings in application memory: NUL-terminated strings (paths, names),
//! buffers with a length, and NULL-terminated string arrays (argv, envp). What cannot be read
//! prints as its address.

use core::fmt::{self, Write};

use super::escape::{close_quote, Escaper};
use super::memory::{read_exact, read_prefix, read_uint, Mem, Region};
use super::parts::Parts;
use super::values::hex;
use super::Limits;

/// A NUL-terminated string: at most `limit` bytes quoted, `...` when it goes on (or when memory
/// ends before its NUL).
pub(crate) fn c_string_at(
    out: &mut dyn Write,
    mem: Mem<'_>,
    addr: u64,
    limit: usize,
) -> fmt::Result {
    if addr == 0 {
        return out.write_str("NULL");
    }
    let Some(reader) = mem else {
        return hex(out, addr);
    };
    let mut escaper = Escaper::new();
    let mut started = false;
    let mut shown = 0;
    let mut ended = false;
    // One byte past the limit is read to tell a string of exactly `limit` bytes from a longer one.
    read_prefix(reader, addr, limit.saturating_add(1), &mut |chunk| {
        if !started {
            out.write_char('"')?;
            started = true;
        }
        for &byte in chunk {
            if byte == 0 {
                ended = true;
                return Ok(false);
            }
            if shown == limit {
                return Ok(false);
            }
            escaper.push(out, byte)?;
            shown += 1;
        }
        Ok(true)
    })?;
    if !started {
        // Not even the first byte reads.
        return hex(out, addr);
    }
    escaper.finish(out)?;
    close_quote(out, !ended)
}

/// `len` bytes at `addr`, the first `limit` of them quoted, `...` when there are more.
pub(crate) fn buffer_at(
    out: &mut dyn Write,
    mem: Mem<'_>,
    addr: u64,
    len: u64,
    limit: usize,
) -> fmt::Result {
    if addr == 0 {
        return out.write_str("NULL");
    }
    let shown = usize::try_from(len).map_or(limit, |len| len.min(limit));
    let Some(mut region) = Region::read(mem, addr, shown) else {
        return hex(out, addr);
    };
    out.write_char('"')?;
    let mut escaper = Escaper::new();
    region.for_each(1, &mut |chunk| escaper.push_all(out, chunk))?;
    escaper.finish(out)?;
    close_quote(out, len > shown as u64)
}

/// argv/envp: `["ls", "-l"]`, abbreviated after `limits.array` strings; `[..., "..."]` when the
/// array runs into memory that cannot be read.
pub(crate) fn string_array_at(
    out: &mut dyn Write,
    mem: Mem<'_>,
    addr: u64,
    limits: &Limits,
) -> fmt::Result {
    if addr == 0 {
        return out.write_str("NULL");
    }
    let mut items = Parts::new(out, ", ");
    let mut slot_addr = addr;
    for index in 0.. {
        let mut slot = [0; 8];
        if !read_exact(mem, slot_addr, &mut slot) {
            if index == 0 {
                return hex(items.out, addr);
            }
            items.add("...")?;
            break;
        }
        if index == 0 {
            items.out.write_char('[')?;
        }
        let ptr = read_uint(&slot, 0, 8);
        if ptr == 0 {
            break;
        }
        if index == limits.array {
            items.add("...")?;
            break;
        }
        items.separate()?;
        c_string_at(items.out, mem, ptr, limits.string)?;
        slot_addr = slot_addr.wrapping_add(8);
    }
    items.out.write_char(']')
}
