//! Zero-copy reading of ELF64 little-endian files.
//!
//! [`ElfFile::parse`] checks the file header and the program header table only; every other
//! structure is read (and checked) when its accessor is called, so looking at the segments of
//! a 100 MB library touches a few pages. All offsets and sizes from the file go through
//! [`range`], which uses checked arithmetic and reports the offset of what did not fit.

#[allow(unused_imports)]
use crate::prelude::*;

mod dynamic;
mod header;
mod notes;
mod sections;
mod symbols;

use core::fmt;

use object::pod::Pod;

use crate::error::ElfError;

pub use dynamic::DynamicEntry;
pub use header::{FileHeader, ProgramHeader};
pub use notes::Note;
pub use sections::SectionHeader;
pub use symbols::{Symbol, SymbolTableKind};

/// All ELF structures this crate reads are little-endian.
pub(crate) type Le = object::LittleEndian;

/// A parsed view of an ELF64 little-endian file; borrows the file's bytes.
#[derive(Clone)]
pub struct ElfFile<'data> {
    data: &'data [u8],
    header: FileHeader,
    // Owned after `parse`; borrowed from a `MappedElf`, whose `elf()` must be cheap.
    phdrs: Cow<'data, [ProgramHeader]>,
}

impl fmt::Debug for ElfFile<'_> {
    // The derived form would print every byte of the file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElfFile")
            .field("len", &self.data.len())
            .field("header", &self.header)
            .field("program_headers", &self.phdrs.len())
            .finish()
    }
}

impl<'data> ElfFile<'data> {
    /// Checks the file header and the program header table; nothing else is read.
    pub fn parse(data: &'data [u8]) -> Result<Self, ElfError> {
        let (header, phdrs) = header::parse(data)?;
        Ok(ElfFile {
            data,
            header,
            phdrs: Cow::Owned(phdrs),
        })
    }

    /// Rebuilds a view from headers that were parsed from these same bytes earlier.
    #[cfg(feature = "std")]
    pub(crate) fn from_parts(
        data: &'data [u8],
        header: FileHeader,
        phdrs: &'data [ProgramHeader],
    ) -> Self {
        ElfFile {
            data,
            header,
            phdrs: Cow::Borrowed(phdrs),
        }
    }

    pub fn data(&self) -> &'data [u8] {
        self.data
    }

    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    pub fn program_headers(&self) -> &[ProgramHeader] {
        &self.phdrs
    }

    /// The file offset of program header `index`, for error messages.
    pub(crate) fn phdr_offset(&self, index: usize) -> u64 {
        let index = u64::try_from(index).unwrap_or(u64::MAX);
        self.header
            .e_phoff
            .saturating_add(index.saturating_mul(header::PHDR_SIZE))
    }

    /// The path in the first `PT_INTERP` segment, without its terminating NUL; `None` when the
    /// program has no interpreter. Non-UTF-8 bytes are replaced (the path is informational).
    pub fn interpreter(&self) -> Result<Option<String>, ElfError> {
        let Some((index, ph)) = self
            .phdrs
            .iter()
            .enumerate()
            .find(|(_, ph)| ph.p_type == object::elf::PT_INTERP.0)
        else {
            return Ok(None);
        };
        let bytes = range(self.data, ph.p_offset, ph.p_filesz, "PT_INTERP segment")?;
        // The kernel insists on a NUL-terminated, non-empty path; so do we.
        let Some(nul) = bytes.iter().position(|&b| b == 0) else {
            return Err(ElfError::malformed(
                self.phdr_offset(index),
                "PT_INTERP path is not NUL-terminated",
            ));
        };
        let path = bytes.get(..nul).unwrap_or_default();
        if path.is_empty() {
            return Err(ElfError::malformed(
                self.phdr_offset(index),
                "PT_INTERP path is empty",
            ));
        }
        Ok(Some(String::from_utf8_lossy(path).into_owned()))
    }

    /// Translates a virtual address (as the file records it, without load bias) to the file
    /// offset holding its byte, using the `PT_LOAD` segments. Returns the offset and how many
    /// file bytes follow it in that segment.
    pub(crate) fn vaddr_to_offset(&self, vaddr: u64) -> Option<(u64, u64)> {
        self.phdrs
            .iter()
            .filter(|ph| ph.p_type == object::elf::PT_LOAD.0)
            .find_map(|ph| {
                let delta = vaddr.checked_sub(ph.p_vaddr)?;
                let avail = ph.p_filesz.checked_sub(delta).filter(|&a| a > 0)?;
                Some((ph.p_offset.checked_add(delta)?, avail))
            })
    }
}

/// The bytes `[offset, offset + len)` of `data`, or an error naming `what` and the offset.
pub(crate) fn range<'a>(
    data: &'a [u8],
    offset: u64,
    len: u64,
    what: &str,
) -> Result<&'a [u8], ElfError> {
    let Some(end) = offset.checked_add(len) else {
        return Err(ElfError::malformed(
            offset,
            format!("{what}: offset {offset:#x} + size {len:#x} overflows"),
        ));
    };
    let file_len = data.len();
    let slice = usize::try_from(offset)
        .ok()
        .zip(usize::try_from(end).ok())
        .and_then(|(start, end)| data.get(start..end));
    slice.ok_or_else(|| {
        ElfError::truncated(
            offset,
            format!(
                "{what} ({len:#x} bytes at {offset:#x}) runs past the end of the file \
                 ({file_len:#x} bytes)"
            ),
        )
    })
}

/// One Pod structure at `offset`.
pub(crate) fn pod_at<'a, T: Pod>(
    data: &'a [u8],
    offset: u64,
    what: &str,
) -> Result<&'a T, ElfError> {
    let size = u64::try_from(core::mem::size_of::<T>()).unwrap_or(u64::MAX);
    let bytes = range(data, offset, size, what)?;
    // object's ELF structs are built from byte arrays (alignment 1), so this only fails if
    // the size were wrong, which `range` already ruled out.
    object::pod::from_bytes::<T>(bytes)
        .map(|(value, _)| value)
        .map_err(|()| ElfError::malformed(offset, format!("{what}: cannot be read")))
}

/// `count` consecutive Pod structures at `offset`; the size is checked against the file
/// before anything is touched, so a hostile count cannot cause a large allocation.
pub(crate) fn pods_at<'a, T: Pod>(
    data: &'a [u8],
    offset: u64,
    count: u64,
    what: &str,
) -> Result<&'a [T], ElfError> {
    let size = u64::try_from(core::mem::size_of::<T>()).unwrap_or(u64::MAX);
    let Some(total) = count.checked_mul(size) else {
        return Err(ElfError::malformed(
            offset,
            format!("{what}: {count} entries overflow"),
        ));
    };
    let bytes = range(data, offset, total, what)?;
    let count = usize::try_from(count)
        .map_err(|_| ElfError::malformed(offset, format!("{what}: too many entries")))?;
    object::pod::slice_from_bytes::<T>(bytes, count)
        .map(|(values, _)| values)
        .map_err(|()| ElfError::malformed(offset, format!("{what}: cannot be read")))
}

/// The NUL-terminated string at `index` in a string table that starts at file offset
/// `table_offset`. The string must end inside the table. `at` is the offset blamed when the
/// index itself is bad (the structure holding it).
pub(crate) fn string_at(
    table: &[u8],
    table_offset: u64,
    index: u32,
    at: u64,
    what: &str,
) -> Result<String, ElfError> {
    let Some(tail) = usize::try_from(index).ok().and_then(|i| table.get(i..)) else {
        return Err(ElfError::malformed(
            at,
            format!(
                "{what}: string index {index:#x} is outside its string table ({:#x} bytes at \
                 {table_offset:#x})",
                table.len()
            ),
        ));
    };
    let Some(nul) = tail.iter().position(|&b| b == 0) else {
        return Err(ElfError::malformed(
            table_offset.saturating_add(u64::from(index)),
            format!("{what}: string is not NUL-terminated inside its string table"),
        ));
    };
    Ok(String::from_utf8_lossy(tail.get(..nul).unwrap_or_default()).into_owned())
}

/// Rounds `value` up to a multiple of the power of two `align`; `None` on overflow.
pub(crate) fn align_up(value: u64, align: u64) -> Option<u64> {
    debug_assert!(align.is_power_of_two());
    value.checked_add(align - 1).map(|v| v & !(align - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ElfErrorKind;

    #[test]
    fn range_reports_offset_and_overflow() {
        let data = [0u8; 16];
        assert_eq!(range(&data, 4, 12, "x").map(<[u8]>::len), Ok(12));
        let e = range(&data, 8, 9, "thing").unwrap_err();
        assert_eq!((e.kind, e.offset), (ElfErrorKind::Truncated, 8));
        assert!(e.message.contains("thing"), "{e}");
        let e = range(&data, u64::MAX, 2, "x").unwrap_err();
        assert_eq!(e.kind, ElfErrorKind::Malformed);
    }

    #[test]
    fn pods_at_refuses_huge_counts_without_allocating() {
        let data = [0u8; 64];
        let e = pods_at::<object::elf::Sym64<Le>>(&data, 0, u64::MAX / 8, "symbols").unwrap_err();
        assert_eq!(e.kind, ElfErrorKind::Malformed);
        let e = pods_at::<object::elf::Sym64<Le>>(&data, 0, 3, "symbols").unwrap_err();
        assert_eq!(e.kind, ElfErrorKind::Truncated);
        assert_eq!(
            pods_at::<object::elf::Sym64<Le>>(&data, 16, 2, "s").map(<[_]>::len),
            Ok(2)
        );
    }

    #[test]
    fn string_at_is_bounded_by_the_table() {
        let table = b"\0abc\0de";
        assert_eq!(string_at(table, 100, 1, 0, "s").as_deref(), Ok("abc"));
        assert_eq!(string_at(table, 100, 0, 0, "s").as_deref(), Ok(""));
        let e = string_at(table, 100, 5, 0, "s").unwrap_err();
        assert_eq!((e.kind, e.offset), (ElfErrorKind::Malformed, 105));
        let e = string_at(table, 100, 8, 7, "s").unwrap_err();
        assert_eq!((e.kind, e.offset), (ElfErrorKind::Malformed, 7));
    }

    #[test]
    fn align_up_rounds_and_detects_overflow() {
        assert_eq!(align_up(0, 4), Some(0));
        assert_eq!(align_up(5, 4), Some(8));
        assert_eq!(align_up(8, 8), Some(8));
        assert_eq!(align_up(u64::MAX, 4096), None);
    }
}
