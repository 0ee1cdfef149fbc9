//! Dying by a signal the way a native process does: the exit status a parent sees must name
//! the same signal (and a core dump flag where Linux sets one).

use junction_abi::structs::KernelSigaction;

use crate::host;

const SIG_UNBLOCK: u32 = 1;

/// Resets `sig` to its default action, unblocks it and sends it to the instance's host
/// process. For a fatal signal this does not return.
pub fn die_by_signal(sig: i32) -> ! {
    crate::start::limits::release();
    let dfl = KernelSigaction {
        sa_handler: 0,
        sa_flags: 0,
        sa_restorer: 0,
        sa_mask: 0,
    };
    // SAFETY: installing SIG_DFL.
    let _ = unsafe { host::rt_sigaction(sig, Some(&dfl)) };
    let _ = host::rt_sigprocmask(SIG_UNBLOCK, Some(1u64 << (sig - 1)));
    let _ = host::tgkill(host::getpid(), host::gettid(), sig);
    // A signal whose default action is to ignore or stop does not end us: exit as a shell
    // would report it.
    host::exit_group(128 + sig)
}
