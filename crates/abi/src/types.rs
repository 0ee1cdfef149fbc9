//! The shapes of the generated tables. Hand-written: the generator only fills them with data,
//! so the API is reviewed here and stays stable when the table changes.

/// How far the Junction kernel serves a syscall. The kernel fills these in (in
/// `tools/abi/linux-x86_64.abi`) as it learns to serve calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Served entirely in user space by Junction.
    Served,
    /// Passed to the host kernel; the text says why that is safe or needed.
    Host(&'static str),
    /// Served, but with a documented gap.
    Partial(&'static str),
    /// Not served: the call fails with `ENOSYS`.
    Unsupported,
}

/// Who writes the memory a pointer argument points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The application fills it in before the call.
    In,
    /// The kernel fills it in during the call.
    Out,
    /// Both: read on entry, written on return.
    InOut,
}

/// The type of a scalar that a pointer argument points to (`out(int)` and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// `int` (4 bytes, signed).
    Int,
    /// `unsigned int` (4 bytes).
    Uint,
    /// `long` (8 bytes, signed).
    Long,
    /// `unsigned long` (8 bytes).
    Ulong,
    /// A file descriptor (4 bytes, signed).
    Fd,
    /// `off_t`/`loff_t` (8 bytes, signed).
    Offset,
    /// `size_t` (8 bytes).
    Size,
}

/// How many structs a struct pointer argument points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructCount {
    /// Exactly one.
    One,
    /// An array whose element count is in the argument at this index.
    Array(usize),
    /// One struct whose byte size is in the argument at this index (`sockaddr`).
    Sized(usize),
}

/// What a syscall argument is and how to print it. Argument references (`len`, counts) are
/// indexes into the same call's argument list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A file descriptor (signed 32-bit).
    Fd,
    /// A directory fd or `AT_FDCWD`.
    Dirfd,
    /// Signed 32-bit.
    Int,
    /// Unsigned 32-bit.
    Uint,
    /// Signed 64-bit.
    Long,
    /// Unsigned 64-bit.
    Ulong,
    /// `size_t`.
    Size,
    /// `off_t`/`loff_t`.
    Offset,
    /// A process or thread id (signed 32-bit).
    Pid,
    /// A user id (`-1` means "unchanged").
    Uid,
    /// A group id (`-1` means "unchanged").
    Gid,
    /// File mode bits, printed in octal.
    Mode,
    /// An untyped address.
    Ptr,
    /// A NUL-terminated file name in application memory.
    Path,
    /// A NUL-terminated string in application memory.
    Str,
    /// A NULL-terminated array of string pointers (argv, envp).
    StrArray,
    /// A signal number.
    Signal,
    /// A pointer to a kernel sigset (8 bytes).
    Sigset,
    /// Bytes the application passes in; the length is in argument `len`.
    InBuf {
        /// Index of the length argument.
        len: usize,
    },
    /// Bytes the kernel writes; the capacity is in argument `len`.
    OutBuf {
        /// Index of the length argument.
        len: usize,
    },
    /// A pointer to one struct or an array of them.
    Struct {
        /// Who writes the struct.
        dir: Direction,
        /// Its layout.
        layout: &'static StructLayout,
        /// How many of them.
        count: StructCount,
    },
    /// A pointer to one scalar.
    Scalar {
        /// Who writes it.
        dir: Direction,
        /// Its type.
        kind: ScalarKind,
    },
    /// A bit set.
    Flags(&'static ConstSet),
    /// One value of an enumeration.
    Enum(&'static ConstSet),
}

/// One argument of a syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgInfo {
    /// The kernel's name for it (`include/linux/syscalls.h`).
    pub name: &'static str,
    /// What it is.
    pub kind: ArgKind,
}

/// What a syscall returns when it succeeds (failures are always `-errno`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetKind {
    /// 0 or a small count.
    Int,
    /// A signed 64-bit value.
    Long,
    /// A new file descriptor.
    Fd,
    /// A byte count.
    Ssize,
    /// An address (mmap, brk, shmat).
    Addr,
    /// A process or thread id.
    Pid,
    /// Does not return (exit, exit_group, rt_sigreturn).
    NoReturn,
    /// A value from a bit set.
    Flags(&'static ConstSet),
    /// A value from an enumeration.
    Enum(&'static ConstSet),
}

/// One row of the syscall table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyscallInfo {
    /// The x86-64 syscall number.
    pub nr: usize,
    /// The kernel's name (without `sys_`).
    pub name: &'static str,
    /// Its arguments, at most six.
    pub args: &'static [ArgInfo],
    /// What it returns.
    pub ret: RetKind,
    /// How far Junction serves it.
    pub status: Status,
    /// A remark from the source table (empty when there is none).
    pub note: &'static str,
}

/// Whether a constant set is a bit set or an enumeration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// Printed `A|B|C`, unknown bits in hex.
    Flags,
    /// One value, printed by name, unknown values in hex.
    Enum,
}

/// A named value. Negative enum values (`RUSAGE_CHILDREN`) are stored as their
/// two's-complement `u64`, which is also what a 64-bit register holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constant {
    /// The C name.
    pub name: &'static str,
    /// The value.
    pub value: u64,
}

/// A multi-bit field inside a bit set (open's access mode, the signal byte of clone flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The mask's name (`O_ACCMODE`).
    pub name: &'static str,
    /// The bits of the field.
    pub mask: u64,
    /// The named values the field can take.
    pub values: &'static [Constant],
    /// True when the field holds a signal number (clone's `CSIGNAL`).
    pub signal: bool,
}

/// One entry of a constant set, in the order the source lists them (the print order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetEntry {
    /// A flag (or an enum value).
    Value(Constant),
    /// A multi-bit field.
    Field(Field),
}

/// A named set of constants used by syscall arguments, e.g. `open_flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConstSet {
    /// The set's name in the source (`open_flags`).
    pub name: &'static str,
    /// Bit set or enumeration.
    pub kind: SetKind,
    /// Entries in print order.
    pub entries: &'static [SetEntry],
}

/// The type of a struct field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `i8`
    I8,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// An address in application memory (8 bytes).
    Ptr,
    /// A byte array of this length, printed as a string.
    Bytes(usize),
}

/// How a struct field is printed when it is not a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldPrint {
    /// Decimal (addresses: hex or `NULL`).
    Default,
    /// Octal file mode.
    Mode,
    /// Hexadecimal.
    Hex,
    /// A file descriptor.
    Fd,
    /// A signal number.
    Signal,
    /// A kernel sigset.
    Sigset,
    /// A bit set.
    Flags(&'static ConstSet),
    /// An enumeration.
    Enum(&'static ConstSet),
}

/// One field of a struct layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldLayout {
    /// The C field name.
    pub name: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// Byte offset from the start of the struct.
    pub offset: usize,
    /// How to print it.
    pub print: FieldPrint,
}

/// The layout of a struct that syscall arguments point to, as data (the `#[repr(C)]` types in
/// [`crate::structs`] are the same layouts as Rust types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StructLayout {
    /// The name in the source table (`timespec`).
    pub name: &'static str,
    /// Size in bytes.
    pub size: usize,
    /// The C type it matches, when there is one (checked against gcc in the tests).
    pub c_name: Option<&'static str>,
    /// True when the C type is packed (`epoll_event`).
    pub packed: bool,
    /// Fields in offset order; gaps are padding.
    pub fields: &'static [FieldLayout],
}

/// One signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalInfo {
    /// The signal number.
    pub number: i32,
    /// Its name (`SIGTERM`).
    pub name: &'static str,
    /// What glibc's `strsignal` prints for it.
    pub description: &'static str,
}
