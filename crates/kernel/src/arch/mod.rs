//! Machine-level pieces: per-thread kernel context (reached through GS), the two ways into
//! the kernel (the SIGSYS handler and the rewritten-call trampoline), syscall user dispatch
//! and site rewriting. All `unsafe` that touches registers lives under this module.

pub mod context;
pub mod rewrite;
pub mod sigsys;
pub mod sud;
pub mod thread;
pub mod trampoline;

/// How a syscall reached the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryPath {
    /// Syscall user dispatch raised SIGSYS at this site (the address of the `syscall`).
    Sigsys { site: u64 },
    /// A rewritten site called the trampoline.
    Rewritten,
}
