//! The SIGSYS path: syscall user dispatch raises SIGSYS for a `syscall` executed outside the
//! host module; the handler serves the call, writes the result into the saved rax and returns
//! through the restorer in the host module. The host restores every other register (and the
//! full FP/vector state) from the signal frame, so this path needs no saving of its own.

use junction_abi::{self as abi, structs::KernelSigaction};

use super::EntryPath;
use crate::host;

const SA_SIGINFO: u64 = 0x4;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESTORER: u64 = 0x0400_0000;

/// `si_code` of a SIGSYS raised by syscall user dispatch.
const SYS_USER_DISPATCH: i32 = 2;

// Offsets in the x86-64 `ucontext_t`: uc_mcontext.gregs starts at 40.
const GREGS: usize = 40;
const REG_R8: usize = 0;
const REG_R9: usize = 1;
const REG_R10: usize = 2;
const REG_R11: usize = 3;
const REG_RDI: usize = 8;
const REG_RSI: usize = 9;
const REG_RDX: usize = 12;
const REG_RAX: usize = 13;
const REG_RCX: usize = 14;
const REG_RIP: usize = 16;
const REG_EFL: usize = 17;

/// Installs the SIGSYS handler for the process (all threads share it).
pub fn install() -> Result<(), abi::Errno> {
    let action = KernelSigaction {
        sa_handler: handler as *const () as usize as u64,
        sa_flags: SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
        sa_restorer: host::raw::sigreturn_restorer() as u64,
        // Block every signal while the kernel serves a call; the frame restores the mask.
        sa_mask: !0,
    };
    // SAFETY: the handler is kernel code and the restorer is in the host module.
    unsafe { host::rt_sigaction(abi::SIGSYS, Some(&action)) }.map(|_| ())
}

extern "C" fn handler(_sig: i32, info: *mut u8, uc: *mut u8) {
    // SAFETY: the host passes a valid siginfo and ucontext for an SA_SIGINFO handler.
    let (code, call_addr) =
        unsafe { (*(info.add(8) as *const i32), *(info.add(16) as *const u64)) };
    // SAFETY: gregs is an array of 23 u64 inside the ucontext.
    let gregs = unsafe { core::slice::from_raw_parts_mut(uc.add(GREGS) as *mut u64, 23) };
    if code != SYS_USER_DISPATCH {
        // A seccomp trap or a SIGSYS someone sent: not a call to serve. The filter kills
        // instead of trapping, so this is a kill(SIGSYS) from outside; die as Linux would.
        super::super::signal_exit::die_by_signal(abi::SIGSYS);
    }
    let nr = gregs[REG_RAX];
    let args = [
        gregs[REG_RDI],
        gregs[REG_RSI],
        gregs[REG_RDX],
        gregs[REG_R10],
        gregs[REG_R8],
        gregs[REG_R9],
    ];
    let site = call_addr.wrapping_sub(2);
    // clone and its kin need the whole register state: reachable while this call is served.
    let ctx = super::context::current();
    ctx.ucontext = uc;
    let ret = crate::syscall::dispatch(nr, &args, EntryPath::Sigsys { site });
    super::context::current().ucontext = core::ptr::null_mut();
    gregs[REG_RAX] = ret;
    // What the `syscall` instruction would have left in rcx and r11.
    gregs[REG_RCX] = gregs[REG_RIP];
    gregs[REG_R11] = gregs[REG_EFL];
    super::rewrite::after_trap(site, nr);
}
