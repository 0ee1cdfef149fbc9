//! Syscall user dispatch (PR_SET_SYSCALL_USER_DISPATCH, Linux 5.11): every `syscall` executed
//! outside the allowed region raises SIGSYS instead of entering the host kernel. The allowed
//! region is the host module's code, so the kernel's own host calls pass and everything else,
//! app or kernel, is dispatched.

use crate::host;

const PR_SET_SYSCALL_USER_DISPATCH: u64 = 59;
const PR_SYS_DISPATCH_ON: u64 = 1;
/// Selector value: dispatch every syscall outside the region.
const SYSCALL_DISPATCH_FILTER_BLOCK: u8 = 1;

/// The selector byte; it stays BLOCK for the life of the process. (A null selector is only
/// accepted by newer hosts, so a real byte is passed.)
static SELECTOR: u8 = SYSCALL_DISPATCH_FILTER_BLOCK;

/// Turns dispatch on for the calling thread.
pub fn enable_for_current_thread() -> Result<(), junction_abi::Errno> {
    let (start, end) = host::raw::code_range();
    // SAFETY: the region is the host module's code; the selector is a static that lives
    // for the whole process.
    unsafe {
        host::prctl(
            PR_SET_SYSCALL_USER_DISPATCH,
            PR_SYS_DISPATCH_ON,
            start as u64,
            (end - start) as u64,
            &SELECTOR as *const u8 as u64,
        )
    }
    .map(|_| ())
}
