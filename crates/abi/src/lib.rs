//! The x86-64 Linux ABI as data: syscall numbers with argument and return kinds, errno values
//! and messages, signals, the flag/enum constants syscall arguments use, and `#[repr(C)]`
//! layouts of the structs they point to.
//!
//! Everything under [`generated`] comes from `tools/abi/linux-x86_64.abi` through
//! `tools/abi/generate.mjs`; this file holds the hand-written types and lookups.
//!
//! Constants: every flag/enum constant is a flat `pub const` of type `u64` (what a register
//! holds), except negative enum values (`RUSAGE_CHILDREN`), which are `i64`. Errno and signal
//! constants are `i32`, syscall numbers `usize`. The same constants are grouped per set in
//! [`sets`] (as [`ConstSet`] data) for printers and tracers.

#![no_std]
#![forbid(unsafe_code)]

pub mod format;
pub mod generated;
mod types;

pub use generated::consts::*;
pub use generated::errno::*;
pub use generated::signals::*;
pub use generated::syscalls::*;
pub use generated::{sets, structs};
pub use types::*;

/// `AT_FDCWD`: the "current directory" value of a `dirfd` argument.
pub const AT_FDCWD: i32 = -100;

/// The syscall with this number, if x86-64 defines one.
pub fn syscall_by_nr(nr: usize) -> Option<&'static SyscallInfo> {
    // SYSCALLS is in number order (the generator refuses anything else), with holes.
    SYSCALLS
        .binary_search_by_key(&nr, |info| info.nr)
        .ok()
        .map(|index| &SYSCALLS[index])
}

/// The syscall with this name (`"openat"`).
pub fn syscall_by_name(name: &str) -> Option<&'static SyscallInfo> {
    BY_NAME
        .binary_search_by(|&index| SYSCALLS[usize::from(index)].name.cmp(name))
        .ok()
        .map(|position| &SYSCALLS[usize::from(BY_NAME[position])])
}

impl Errno {
    /// The errno with this name, aliases included (`"EWOULDBLOCK"` is `EAGAIN`).
    pub fn from_name(name: &str) -> Option<Errno> {
        ERRNOS
            .iter()
            .copied()
            .find(|errno| errno.name() == name)
            .or_else(|| {
                ERRNO_ALIASES
                    .iter()
                    .find(|(alias, _)| *alias == name)
                    .map(|&(_, errno)| errno)
            })
    }

    /// The raw number (`ENOENT` is 2).
    pub const fn raw(self) -> i32 {
        self as i32
    }

    /// Decode a raw syscall return value: `-4095..=-1` are failures carrying an errno.
    pub fn from_return(value: i64) -> Option<Errno> {
        if (-4095..=-1).contains(&value) {
            i32::try_from(-value).ok().and_then(Errno::from_raw)
        } else {
            None
        }
    }
}

/// The signal with this number, when it has a table entry (1..=31, `SIGRTMIN`, `SIGRTMAX`).
pub fn signal_by_number(number: i32) -> Option<&'static SignalInfo> {
    SIGNALS.iter().find(|signal| signal.number == number)
}

/// The name of a signal number: `SIGTERM`, `SIGRTMIN`, `SIGRTMIN+3`, `SIGRTMAX`.
pub fn signal_name(number: i32) -> Option<&'static str> {
    if let Some(signal) = signal_by_number(number) {
        return Some(signal.name);
    }
    let offset = number.checked_sub(SIGRTMIN)?.checked_sub(1)?;
    REALTIME_NAMES.get(usize::try_from(offset).ok()?).copied()
}

/// The number of a signal name, aliases included (`SIGIOT` is 6).
pub fn signal_by_name(name: &str) -> Option<i32> {
    SIGNALS
        .iter()
        .find(|signal| signal.name == name)
        .map(|signal| signal.number)
        .or_else(|| {
            SIGNAL_ALIASES
                .iter()
                .find(|(alias, _)| *alias == name)
                .map(|&(_, number)| number)
        })
        .or_else(|| {
            let position = REALTIME_NAMES.iter().position(|rt| *rt == name)?;
            Some(SIGRTMIN + 1 + i32::try_from(position).ok()?)
        })
}

/// The constant set with this name (`"open_flags"`).
pub fn const_set(name: &str) -> Option<&'static ConstSet> {
    sets::CONST_SETS
        .iter()
        .copied()
        .find(|set| set.name == name)
}

/// The struct layout with this name (`"timespec"`).
pub fn struct_layout(name: &str) -> Option<&'static StructLayout> {
    structs::STRUCTS
        .iter()
        .copied()
        .find(|layout| layout.name == name)
}

impl ConstSet {
    /// The value of a constant in this set, field values and masks included.
    pub fn value_of(&self, name: &str) -> Option<u64> {
        self.entries.iter().find_map(|entry| match entry {
            SetEntry::Value(constant) => (constant.name == name).then_some(constant.value),
            SetEntry::Field(field) if field.name == name => Some(field.mask),
            SetEntry::Field(field) => field
                .values
                .iter()
                .find(|constant| constant.name == name)
                .map(|constant| constant.value),
        })
    }
}

#[cfg(test)]
mod tests;
