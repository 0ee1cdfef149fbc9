//! strace-style rendering of syscalls for tracing: the call, `openat(AT_FDCWD, "/etc/passwd",
//! O_RDONLY|O_CLOEXEC)`, and its result, `-1 ENOENT (No such file or directory)`.
//!
//! The Rust twin of `@junction/syscalls`' `formatCall`/`formatReturn`
//! (`packages/syscalls/src/format-*.ts`): for the same registers, memory and options both print
//! the same text, and `tests.rs` holds the TypeScript tests' cases. Printing writes straight to
//! a [`core::fmt::Write`] and never allocates; memory is read through stack buffers.

use core::fmt::{self, Write};

use crate::{syscall_by_nr, ArgInfo, ArgKind, Direction, Errno, RetKind, StructCount};

mod escape;
mod hidden;
mod memory;
mod parts;
mod strings;
mod structs;
mod values;

#[cfg(test)]
mod tests;

pub use memory::MemoryReader;

use memory::Mem;
use parts::Parts;
use values::{hex, number, pointer, Num};

/// Values -4095..=-1 are errors, as in the kernel.
const MAX_ERRNO: i64 = 4095;

/// When the call is printed, which decides whether memory the kernel writes is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// The call is about to run: `out` pointers and buffers print as addresses.
    #[default]
    Entry,
    /// The call has returned: what the kernel wrote is decoded.
    Exit,
}

/// How [`format_call_with`] prints; the TypeScript `FormatCallOptions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatOptions {
    /// Entry (default) or exit.
    pub phase: Phase,
    /// The call's raw return value, at exit. It sizes out buffers (`read` returns how many bytes
    /// it wrote) and out arrays (`epoll_wait` returns how many events), and a failed call's out
    /// pointers stay addresses because the kernel wrote nothing.
    pub return_value: Option<u64>,
    /// Bytes of a string or buffer shown before `...` (default 32, like strace -s).
    pub string_limit: usize,
    /// Elements of an array shown before `...` (default 32).
    pub array_limit: usize,
    /// Print `name=value` for every argument (default false).
    pub arg_names: bool,
}

impl FormatOptions {
    /// At entry, strace's limits, no argument names.
    pub const DEFAULT: FormatOptions = FormatOptions {
        phase: Phase::Entry,
        return_value: None,
        string_limit: 32,
        array_limit: 32,
        arg_names: false,
    };

    /// At exit, after the call returned `return_value` (the raw register).
    pub const fn exit(return_value: u64) -> FormatOptions {
        FormatOptions {
            phase: Phase::Exit,
            return_value: Some(return_value),
            ..FormatOptions::DEFAULT
        }
    }
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions::DEFAULT
    }
}

/// Limits that keep one printed call short, as strace's -s and array abbreviation do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Bytes of a string or buffer.
    pub(crate) string: usize,
    /// Bytes of a path (PATH_MAX).
    pub(crate) path: usize,
    /// Elements of an array.
    pub(crate) array: usize,
}

/// Render a call at entry with the default options: `openat(AT_FDCWD, "/etc/passwd",
/// O_RDONLY|O_CLOEXEC)`. See [`format_call_with`].
pub fn format_call(
    out: &mut dyn Write,
    nr: usize,
    args: &[u64; 6],
    mem: Option<&dyn MemoryReader>,
) -> fmt::Result {
    format_call_with(out, nr, args, mem, &FormatOptions::DEFAULT)
}

/// Render a call the way strace does. `args` are the raw argument registers (rdi, rsi, rdx,
/// r10, r8, r9); `mem` reads the traced application's memory; without it (or when a read fails)
/// pointers print as addresses. Unknown numbers print as `syscall_0x1234(0x1, ...)` with all six
/// registers. Like strace, open's mode is left out unless the flags create a file.
pub fn format_call_with(
    out: &mut dyn Write,
    nr: usize,
    args: &[u64; 6],
    mem: Option<&dyn MemoryReader>,
    options: &FormatOptions,
) -> fmt::Result {
    let Some(call) = syscall_by_nr(nr) else {
        write!(out, "syscall_{nr:#x}(")?;
        let mut regs = Parts::new(out, ", ");
        for &reg in args {
            regs.separate()?;
            hex(regs.out, reg)?;
        }
        return regs.out.write_char(')');
    };
    let ctx = Context::new(args, mem, options);
    write!(out, "{}(", call.name)?;
    let mut rendered = Parts::new(out, ", ");
    for (index, arg) in call.args.iter().enumerate() {
        if hidden::is_hidden(call.name, index, args) {
            continue;
        }
        rendered.separate()?;
        if options.arg_names {
            write!(rendered.out, "{}=", arg.name)?;
        }
        ctx.arg(rendered.out, arg, index)?;
    }
    rendered.out.write_char(')')
}

/// Render a raw return value: `3`, `-1 ENOENT (No such file or directory)`, `0x7f12...` for
/// addresses, `?` for calls that do not return. The caller writes the ` = ` before it.
pub fn format_return(out: &mut dyn Write, nr: usize, value: u64) -> fmt::Result {
    let call = syscall_by_nr(nr);
    let ret = call.map(|call| call.ret);
    if ret == Some(RetKind::NoReturn) {
        return out.write_char('?');
    }
    let signed = value as i64;
    if (-MAX_ERRNO..0).contains(&signed) {
        let number = -signed as i32;
        return match Errno::from_raw(number) {
            Some(errno) => write!(out, "-1 {} ({})", errno.name(), errno.message()),
            None => write!(out, "-1 ERRNO_{number} (Unknown error {number})"),
        };
    }
    match ret {
        Some(RetKind::Addr) if value == 0 => out.write_char('0'),
        Some(RetKind::Addr) => hex(out, value),
        Some(RetKind::Flags(set)) => values::flags(out, set, value),
        Some(RetKind::Enum(set)) => values::enumeration(out, set, value),
        _ => write!(out, "{signed}"),
    }
}

/// What one call's arguments are printed with.
struct Context<'a> {
    regs: &'a [u64; 6],
    mem: Mem<'a>,
    limits: Limits,
    /// Whether memory the kernel writes may be decoded now.
    out_ready: bool,
    /// The successful return value at exit, if known.
    result: Option<u64>,
}

impl<'a> Context<'a> {
    fn new(regs: &'a [u64; 6], mem: Mem<'a>, options: &FormatOptions) -> Context<'a> {
        let at_exit = options.phase == Phase::Exit;
        // A failed call wrote nothing; a negative value that is not an errno (an address above
        // the sign bit) sizes nothing either.
        let (failed, result) = match options.return_value.filter(|_| at_exit) {
            None => (false, None),
            Some(raw) => {
                let value = raw as i64;
                let failed = (-MAX_ERRNO..0).contains(&value);
                (failed, (value >= 0).then_some(raw))
            }
        };
        Context {
            regs,
            mem,
            limits: Limits {
                string: options.string_limit,
                path: 4096,
                array: options.array_limit,
            },
            out_ready: at_exit && !failed,
            result,
        }
    }

    /// The register of argument `index` (a length or a count another argument refers to).
    fn reg(&self, index: usize) -> u64 {
        self.regs.get(index).copied().unwrap_or(0)
    }

    /// Whether memory written in direction `dir` can be decoded now.
    fn decodes(&self, dir: Direction) -> bool {
        dir != Direction::Out || self.out_ready
    }

    /// After the call only what the kernel wrote is meaningful: the result bounds `len`.
    fn written(&self, len: u64) -> u64 {
        self.result.map_or(len, |result| result.min(len))
    }

    fn arg(&self, out: &mut dyn Write, arg: &ArgInfo, index: usize) -> fmt::Result {
        let raw = self.reg(index);
        let (mem, limits) = (self.mem, &self.limits);
        match arg.kind {
            ArgKind::Path => strings::c_string_at(out, mem, raw, limits.path),
            ArgKind::Str => strings::c_string_at(out, mem, raw, limits.string),
            ArgKind::StrArray => strings::string_array_at(out, mem, raw, limits),
            ArgKind::Sigset => structs::sigset_at(out, mem, raw),
            ArgKind::InBuf { len } => {
                strings::buffer_at(out, mem, raw, self.reg(len), limits.string)
            }
            ArgKind::OutBuf { len } if self.out_ready => {
                strings::buffer_at(out, mem, raw, self.written(self.reg(len)), limits.string)
            }
            ArgKind::OutBuf { .. } => pointer(out, raw),
            ArgKind::Scalar { dir, kind } if self.decodes(dir) => {
                structs::scalar_at(out, mem, raw, kind)
            }
            ArgKind::Struct { dir, layout, count } if self.decodes(dir) => match count {
                StructCount::One => structs::struct_at(out, mem, raw, layout, None),
                StructCount::Sized(size) => {
                    structs::struct_at(out, mem, raw, layout, Some(self.reg(size)))
                }
                StructCount::Array(count) => {
                    let count = self.reg(count);
                    let count = if dir == Direction::Out {
                        self.written(count)
                    } else {
                        count
                    };
                    structs::struct_array_at(out, mem, raw, layout, count, limits.array)
                }
            },
            ArgKind::Scalar { .. } | ArgKind::Struct { .. } => pointer(out, raw),
            ArgKind::Flags(set) => values::flags(out, set, raw),
            ArgKind::Enum(set) => values::enumeration(out, set, raw),
            ArgKind::Dirfd => number(out, Num::Dirfd, raw),
            ArgKind::Fd | ArgKind::Int | ArgKind::Pid | ArgKind::Uid | ArgKind::Gid => {
                number(out, Num::Int, raw)
            }
            ArgKind::Uint => number(out, Num::Uint, raw),
            ArgKind::Long | ArgKind::Offset => number(out, Num::Long, raw),
            ArgKind::Ulong | ArgKind::Size => number(out, Num::Ulong, raw),
            ArgKind::Mode => number(out, Num::Mode, raw),
            ArgKind::Ptr => number(out, Num::Ptr, raw),
            ArgKind::Signal => number(out, Num::Signal, raw),
        }
    }
}
