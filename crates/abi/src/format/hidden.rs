//! Arguments strace leaves out because the kernel ignores them: open's mode is only read when
//! the flags create a file (`O_CREAT`, or all of `O_TMPFILE`'s bits). The table cannot say this,
//! so it is a rule here, keyed by syscall name.

use crate::{O_CREAT, O_TMPFILE};

/// True when argument `index` of call `name` should not be printed for these registers.
pub(crate) fn is_hidden(name: &str, index: usize, regs: &[u64; 6]) -> bool {
    // (the argument that may be hidden, the flags argument that decides)
    let (hidden, flags) = match name {
        "open" | "mq_open" => (2, 1),
        "openat" => (3, 2),
        _ => return false,
    };
    if index != hidden {
        return false;
    }
    let flags = regs[flags];
    let creates = flags & O_CREAT != 0 || flags & O_TMPFILE == O_TMPFILE;
    !creates
}
