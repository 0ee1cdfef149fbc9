//! C-style escaping of bytes, as strace prints strings: printable ASCII as is, the usual
//! backslash escapes, everything else in octal.
//!
//! The escaper is fed one byte at a time so strings can be printed straight from the memory
//! reader's chunks without collecting them first: the octal form of a byte depends on the byte
//! after it, so one byte is held back until its successor (or the end) is known.

use core::fmt::{self, Write};

/// Writes bytes as the inside of a C string literal, one byte behind the input.
#[derive(Debug, Default)]
pub(crate) struct Escaper {
    pending: Option<u8>,
}

impl Escaper {
    pub(crate) fn new() -> Self {
        Escaper { pending: None }
    }

    /// Add the next byte of the string (the previous one is written now).
    pub(crate) fn push(&mut self, out: &mut dyn Write, byte: u8) -> fmt::Result {
        if let Some(previous) = self.pending.replace(byte) {
            write_escaped(out, previous, Some(byte))?;
        }
        Ok(())
    }

    /// Add every byte of `bytes`.
    pub(crate) fn push_all(&mut self, out: &mut dyn Write, bytes: &[u8]) -> fmt::Result {
        bytes.iter().try_for_each(|&byte| self.push(out, byte))
    }

    /// The string has ended: write the byte still held back.
    pub(crate) fn finish(&mut self, out: &mut dyn Write) -> fmt::Result {
        match self.pending.take() {
            Some(last) => write_escaped(out, last, None),
            None => Ok(()),
        }
    }
}

/// A quoted C string of `bytes`; `truncated` appends strace's `...` after the closing quote.
pub(crate) fn quote_bytes(out: &mut dyn Write, bytes: &[u8], truncated: bool) -> fmt::Result {
    out.write_char('"')?;
    let mut escaper = Escaper::new();
    escaper.push_all(out, bytes)?;
    escaper.finish(out)?;
    close_quote(out, truncated)
}

/// The closing quote, and `...` when the string was cut.
pub(crate) fn close_quote(out: &mut dyn Write, truncated: bool) -> fmt::Result {
    out.write_str(if truncated { "\"..." } else { "\"" })
}

fn write_escaped(out: &mut dyn Write, byte: u8, next: Option<u8>) -> fmt::Result {
    match byte {
        b'\t' => out.write_str("\\t"),
        b'\n' => out.write_str("\\n"),
        0x0b => out.write_str("\\v"),
        0x0c => out.write_str("\\f"),
        b'\r' => out.write_str("\\r"),
        b'"' => out.write_str("\\\""),
        b'\\' => out.write_str("\\\\"),
        0x20..=0x7e => out.write_char(char::from(byte)),
        // Shortest octal form, unless the next byte is an octal digit that a reader would take
        // as part of the escape: then all three digits.
        _ if matches!(next, Some(b'0'..=b'7')) => write!(out, "\\{byte:03o}"),
        _ => write!(out, "\\{byte:o}"),
    }
}
