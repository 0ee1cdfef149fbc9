//! Printers for fixed-layout values behind pointers: one scalar (`[3]`), a sigset, a struct
//! (`{tv_sec=1, tv_nsec=500}`) and an array of structs. What cannot be read prints as its
//! address.

use core::fmt::{self, Write};

use super::escape::quote_bytes;
use super::memory::{read_exact, read_uint, Mem, Region, CHUNK};
use super::parts::Parts;
use super::values::{self, hex, number, Num};
use crate::{
    structs, FieldLayout, FieldPrint, FieldType, ScalarKind, StructLayout, AF_INET, AF_INET6,
    AF_UNIX,
};

/// A generic sockaddr is read up to this many bytes (the largest variant, sockaddr_storage).
const SOCKADDR_MAX: u64 = 128;

/// A pointer to one scalar: `[3]`.
pub(crate) fn scalar_at(
    out: &mut dyn Write,
    mem: Mem<'_>,
    addr: u64,
    kind: ScalarKind,
) -> fmt::Result {
    if addr == 0 {
        return out.write_str("NULL");
    }
    let size = match kind {
        ScalarKind::Int | ScalarKind::Uint | ScalarKind::Fd => 4,
        ScalarKind::Long | ScalarKind::Ulong | ScalarKind::Offset | ScalarKind::Size => 8,
    };
    let mut buf = [0; 8];
    if !read_exact(mem, addr, &mut buf[..size]) {
        return hex(out, addr);
    }
    out.write_char('[')?;
    number(out, Num::of_scalar(kind), read_uint(&buf, 0, size))?;
    out.write_char(']')
}

/// A pointer to a kernel sigset (8 bytes).
pub(crate) fn sigset_at(out: &mut dyn Write, mem: Mem<'_>, addr: u64) -> fmt::Result {
    if addr == 0 {
        return out.write_str("NULL");
    }
    let mut buf = [0; 8];
    if !read_exact(mem, addr, &mut buf) {
        return hex(out, addr);
    }
    values::sigset(out, read_uint(&buf, 0, 8))
}

/// One struct at `addr`. `byte_len` (sockaddr's length argument) says how much is there; the
/// layout is then picked by the address family.
pub(crate) fn struct_at(
    out: &mut dyn Write,
    mem: Mem<'_>,
    addr: u64,
    layout: &StructLayout,
    byte_len: Option<u64>,
) -> fmt::Result {
    if addr == 0 {
        return out.write_str("NULL");
    }
    let len = match byte_len {
        Some(len) => usize::try_from(len.min(SOCKADDR_MAX)).unwrap_or(0),
        None => layout.size,
    };
    let mut buf = [0; CHUNK];
    let Some(bytes) = buf.get_mut(..len) else {
        return hex(out, addr); // a layout larger than the buffer; the tables have none
    };
    if !read_exact(mem, addr, bytes) {
        return hex(out, addr);
    }
    let layout = if byte_len.is_some() {
        refine(layout, bytes)
    } else {
        layout
    };
    struct_bytes(out, layout, bytes)
}

/// `count` structs at `addr`: `[{...}, {...}]`, abbreviated after `limit` elements.
pub(crate) fn struct_array_at(
    out: &mut dyn Write,
    mem: Mem<'_>,
    addr: u64,
    layout: &StructLayout,
    count: u64,
    limit: usize,
) -> fmt::Result {
    if addr == 0 {
        return out.write_str("NULL");
    }
    let shown = usize::try_from(count).map_or(limit, |count| count.min(limit));
    let region = shown
        .checked_mul(layout.size)
        .filter(|_| (1..=CHUNK).contains(&layout.size))
        .and_then(|len| Region::read(mem, addr, len));
    let Some(mut region) = region else {
        return hex(out, addr);
    };
    out.write_char('[')?;
    let mut items = Parts::new(out, ", ");
    region.for_each(layout.size, &mut |chunk| {
        for element in chunk.chunks_exact(layout.size) {
            items.separate()?;
            struct_bytes(items.out, layout, element)?;
        }
        Ok(())
    })?;
    if count > shown as u64 {
        items.add("...")?;
    }
    items.out.write_char(']')
}

/// `{tv_sec=1, tv_nsec=500}` from the struct's bytes; fields beyond `bytes` are left out.
pub(crate) fn struct_bytes(
    out: &mut dyn Write,
    layout: &StructLayout,
    bytes: &[u8],
) -> fmt::Result {
    out.write_char('{')?;
    let mut fields = Parts::new(out, ", ");
    for field in layout
        .fields
        .iter()
        .filter(|field| was_read(field, bytes.len()))
    {
        fields.separate()?;
        write!(fields.out, "{}=", field.name)?;
        field_value(fields.out, field, bytes)?;
    }
    fields.out.write_char('}')
}

/// A generic sockaddr printed with the layout its family selects.
fn refine<'a>(layout: &'a StructLayout, bytes: &[u8]) -> &'a StructLayout {
    if layout.name != "sockaddr" || bytes.len() < 2 {
        return layout;
    }
    match read_uint(bytes, 0, 2) {
        AF_UNIX => &structs::SOCKADDR_UN,
        AF_INET => &structs::SOCKADDR_IN,
        AF_INET6 => &structs::SOCKADDR_IN6,
        _ => layout,
    }
}

/// Bytes of a scalar field.
fn scalar_size(ty: FieldType) -> usize {
    match ty {
        FieldType::U8 | FieldType::I8 => 1,
        FieldType::U16 | FieldType::I16 => 2,
        FieldType::U32 | FieldType::I32 => 4,
        FieldType::U64 | FieldType::I64 | FieldType::Ptr => 8,
        FieldType::Bytes(len) => len,
    }
}

/// Whether the field is within the bytes read. A byte array that was partly read (a short
/// sockaddr_un) shows the part that was.
fn was_read(field: &FieldLayout, len: usize) -> bool {
    match field.ty {
        FieldType::Bytes(_) => field.offset < len,
        ty => field.offset.saturating_add(scalar_size(ty)) <= len,
    }
}

fn field_value(out: &mut dyn Write, field: &FieldLayout, bytes: &[u8]) -> fmt::Result {
    let size = scalar_size(field.ty);
    if let FieldType::Bytes(_) = field.ty {
        // A byte array prints as a string up to its first NUL.
        let end = field.offset.saturating_add(size).min(bytes.len());
        let chunk = bytes.get(field.offset..end).unwrap_or_default();
        let text = chunk.split(|&byte| byte == 0).next().unwrap_or_default();
        return quote_bytes(out, text, false);
    }
    let unsigned = read_uint(bytes, field.offset, size);
    // Signed fields are sign-extended to 64 bits, as the value they hold.
    let signed = match field.ty {
        FieldType::I8 | FieldType::I16 | FieldType::I32 | FieldType::I64 => {
            let shift = 64 - 8 * size as u32;
            Some(((unsigned << shift) as i64) >> shift)
        }
        _ => None,
    };
    let value = signed.map_or(unsigned, |signed| signed as u64);
    match field.print {
        FieldPrint::Default if field.ty == FieldType::Ptr => values::pointer(out, unsigned),
        FieldPrint::Default | FieldPrint::Fd => match signed {
            Some(signed) => write!(out, "{signed}"),
            None => write!(out, "{unsigned}"),
        },
        FieldPrint::Mode => values::mode(out, value),
        FieldPrint::Hex => hex(out, unsigned),
        FieldPrint::Signal => values::signal(out, value),
        FieldPrint::Sigset => values::sigset(out, unsigned),
        FieldPrint::Flags(set) => values::flags(out, set, unsigned),
        FieldPrint::Enum(set) => values::enumeration(out, set, unsigned),
    }
}
