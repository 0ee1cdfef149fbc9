//! Printers for values held in a register (or already read from memory): numbers by kind,
//! flags, enums, signals, sigsets and modes. Reading memory is the callers' business.

use core::fmt::{self, Write};

use super::parts::Parts;
use crate::{signal_name, ConstSet, ScalarKind, SetEntry, AT_FDCWD};

const MASK32: u64 = 0xffff_ffff;

/// How a plain number prints: the argument kinds that need no memory. Kinds that print alike
/// share a variant (a pid prints as an int).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Num {
    /// `AT_FDCWD` or a signed 32-bit number.
    Dirfd,
    /// Signed 32-bit: fd, int, pid, uid, gid (`-1` stays `-1`).
    Int,
    /// Unsigned 32-bit.
    Uint,
    /// Signed 64-bit: long, off_t.
    Long,
    /// Unsigned 64-bit: unsigned long, size_t.
    Ulong,
    /// Octal file mode.
    Mode,
    /// `NULL` or hex.
    Ptr,
    /// A signal name or the number.
    Signal,
}

impl Num {
    /// The printer for the scalar an `out(int)`-style pointer points to.
    pub(crate) fn of_scalar(kind: ScalarKind) -> Num {
        match kind {
            ScalarKind::Int | ScalarKind::Fd => Num::Int,
            ScalarKind::Uint => Num::Uint,
            ScalarKind::Long | ScalarKind::Offset => Num::Long,
            ScalarKind::Ulong | ScalarKind::Size => Num::Ulong,
        }
    }
}

/// A raw value as `kind` prints it. The casts reinterpret the register the way the kernel's C
/// prototype would (an `int` argument is the low 32 bits).
pub(crate) fn number(out: &mut dyn Write, kind: Num, raw: u64) -> fmt::Result {
    match kind {
        Num::Dirfd if raw as i32 == AT_FDCWD => out.write_str("AT_FDCWD"),
        Num::Dirfd | Num::Int => write!(out, "{}", raw as i32),
        Num::Uint => write!(out, "{}", raw as u32),
        Num::Long => write!(out, "{}", raw as i64),
        Num::Ulong => write!(out, "{raw}"),
        Num::Mode => mode(out, raw),
        Num::Ptr => pointer(out, raw),
        Num::Signal => signal(out, raw),
    }
}

/// `0x1f`.
pub(crate) fn hex(out: &mut dyn Write, value: u64) -> fmt::Result {
    write!(out, "{value:#x}")
}

/// An address: `NULL` or hex.
pub(crate) fn pointer(out: &mut dyn Write, value: u64) -> fmt::Result {
    if value == 0 {
        out.write_str("NULL")
    } else {
        hex(out, value)
    }
}

/// File mode bits as C's `%#03o` prints them, like strace: `0644`, `04755`, `000`.
pub(crate) fn mode(out: &mut dyn Write, raw: u64) -> fmt::Result {
    let mode = raw & MASK32;
    match mode {
        0 => out.write_str("000"),
        1..=7 => write!(out, "00{mode}"),
        _ => write!(out, "0{mode:o}"),
    }
}

/// A signal number: `SIGTERM`, `SIGRTMIN+3`; 0 and unknown numbers in decimal.
pub(crate) fn signal(out: &mut dyn Write, raw: u64) -> fmt::Result {
    let number = raw as i32;
    match signal_name(number) {
        Some(name) => out.write_str(name),
        None => write!(out, "{number}"),
    }
}

/// A kernel sigset: `[INT TERM]`; with more than half the signals set, the complement `~[HUP]`.
pub(crate) fn sigset(out: &mut dyn Write, mask: u64) -> fmt::Result {
    let (prefix, bits) = if mask.count_ones() > 32 {
        ("~[", !mask)
    } else {
        ("[", mask)
    };
    out.write_str(prefix)?;
    let mut first = true;
    for number in 1..=64_i32 {
        if bits >> (number - 1) & 1 == 0 {
            continue;
        }
        if !first {
            out.write_char(' ')?;
        }
        first = false;
        match signal_name(number) {
            Some(name) => out.write_str(name.strip_prefix("SIG").unwrap_or(name))?,
            None => write!(out, "{number}")?,
        }
    }
    out.write_char(']')
}

/// Whether a table value fits a C `int`/`unsigned int`. Negative values are stored as their
/// two's complement, so a value with the top bit set is read as negative.
fn value_fits32(value: u64) -> bool {
    (-(1_i64 << 31)..=MASK32 as i64).contains(&(value as i64))
}

/// Sets whose every value fits in 32 bits are `int`/`unsigned int` arguments: only the low 32
/// bits of the register count (the kernel truncates them the same way).
fn fits32(set: &ConstSet) -> bool {
    set.entries.iter().all(|entry| match entry {
        SetEntry::Value(constant) => value_fits32(constant.value),
        SetEntry::Field(field) => {
            field.mask <= MASK32 && field.values.iter().all(|v| value_fits32(v.value))
        }
    })
}

/// A bit set: fields and flags in the set's order, leftover bits in hex, zero by its name.
pub(crate) fn flags(out: &mut dyn Write, set: &ConstSet, raw: u64) -> fmt::Result {
    let mut rest = if fits32(set) { raw & MASK32 } else { raw };
    let mut zero_name = None;
    let mut parts = Parts::new(out, "|");
    for entry in set.entries {
        match entry {
            SetEntry::Value(constant) if constant.value == 0 => {
                zero_name = zero_name.or(Some(constant.name));
            }
            // Match against the bits still unclaimed, so a wider flag listed first (O_SYNC)
            // takes its bits and the narrower one inside it (O_DSYNC) is not printed again.
            SetEntry::Value(constant) if rest & constant.value == constant.value => {
                parts.add(constant.name)?;
                rest &= !constant.value;
            }
            SetEntry::Value(_) => {}
            SetEntry::Field(field) => {
                let bits = rest & field.mask;
                let name = if field.signal {
                    // A zero signal field means "no signal", which prints as nothing.
                    let shifted = bits.checked_shr(field.mask.trailing_zeros()).unwrap_or(0);
                    i32::try_from(shifted)
                        .ok()
                        .filter(|_| bits != 0)
                        .and_then(signal_name)
                } else {
                    field
                        .values
                        .iter()
                        .find(|v| v.value == bits)
                        .map(|v| v.name)
                };
                if let Some(name) = name {
                    parts.add(name)?;
                    rest &= !field.mask;
                }
            }
        }
    }
    if rest != 0 {
        parts.separate()?;
        hex(parts.out, rest)?;
    }
    if parts.first {
        parts.out.write_str(zero_name.unwrap_or("0"))?;
    }
    Ok(())
}

/// One enum value by name; unknown values in hex.
pub(crate) fn enumeration(out: &mut dyn Write, set: &ConstSet, raw: u64) -> fmt::Result {
    let mask = if fits32(set) { MASK32 } else { u64::MAX };
    let value = raw & mask;
    let named = set.entries.iter().find_map(|entry| match entry {
        SetEntry::Value(constant) if constant.value & mask == value => Some(constant.name),
        _ => None,
    });
    match named {
        Some(name) => out.write_str(name),
        None => hex(out, value),
    }
}
