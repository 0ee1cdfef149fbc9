//! The one error type of the crate.
//!
//! Every failure carries the file offset it concerns, because the `object` crate's read
//! errors do not, and a person looking at a broken file (or a fuzz case) needs to know
//! where to look.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

/// What went wrong, coarsely; the message says exactly what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElfErrorKind {
    /// Reading or writing a file failed.
    Io,
    /// A structure runs past the end of the file.
    Truncated,
    /// The file does not start with `\x7fELF`.
    BadMagic,
    /// A valid ELF file that this crate does not handle (ELF32, big-endian, not x86-64, ...).
    Unsupported,
    /// A structure in the file is inconsistent (bad sizes, overlapping segments, ...).
    Malformed,
    /// The caller's input (a `WriteSpec`, `PlanOptions`, a missing interpreter) is invalid.
    InvalidSpec,
}

impl ElfErrorKind {
    /// The variant name, as the TypeScript binding reports it.
    pub fn as_str(self) -> &'static str {
        match self {
            ElfErrorKind::Io => "Io",
            ElfErrorKind::Truncated => "Truncated",
            ElfErrorKind::BadMagic => "BadMagic",
            ElfErrorKind::Unsupported => "Unsupported",
            ElfErrorKind::Malformed => "Malformed",
            ElfErrorKind::InvalidSpec => "InvalidSpec",
        }
    }
}

impl fmt::Display for ElfErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with the file offset it concerns (0 when no offset applies, e.g. an I/O error
/// on open or an invalid option).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfError {
    pub kind: ElfErrorKind,
    pub offset: u64,
    pub message: String,
}

impl ElfError {
    pub fn new(kind: ElfErrorKind, offset: u64, message: impl Into<String>) -> Self {
        ElfError {
            kind,
            offset,
            message: message.into(),
        }
    }

    pub(crate) fn truncated(offset: u64, message: impl Into<String>) -> Self {
        Self::new(ElfErrorKind::Truncated, offset, message)
    }

    pub(crate) fn malformed(offset: u64, message: impl Into<String>) -> Self {
        Self::new(ElfErrorKind::Malformed, offset, message)
    }

    pub(crate) fn unsupported(offset: u64, message: impl Into<String>) -> Self {
        Self::new(ElfErrorKind::Unsupported, offset, message)
    }

    pub(crate) fn invalid_spec(message: impl Into<String>) -> Self {
        Self::new(ElfErrorKind::InvalidSpec, 0, message)
    }

    #[cfg(feature = "std")]
    pub(crate) fn io(context: &str, err: &std::io::Error) -> Self {
        Self::new(ElfErrorKind::Io, 0, format!("{context}: {err}"))
    }
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at file offset {:#x})", self.message, self.offset)
    }
}

impl core::error::Error for ElfError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_offset() {
        let e = ElfError::truncated(0x40, "program header table runs past the end");
        assert_eq!(
            e.to_string(),
            "program header table runs past the end (at file offset 0x40)"
        );
        assert_eq!(e.kind.as_str(), "Truncated");
    }

    #[test]
    fn kind_names_are_the_variant_names() {
        for (kind, name) in [
            (ElfErrorKind::Io, "Io"),
            (ElfErrorKind::Truncated, "Truncated"),
            (ElfErrorKind::BadMagic, "BadMagic"),
            (ElfErrorKind::Unsupported, "Unsupported"),
            (ElfErrorKind::Malformed, "Malformed"),
            (ElfErrorKind::InvalidSpec, "InvalidSpec"),
        ] {
            assert_eq!(kind.as_str(), name);
            assert_eq!(format!("{kind:?}"), name);
        }
    }
}
