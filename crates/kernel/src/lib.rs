//! The Junction kernel: a library OS that runs an unmodified Linux x86-64 program in its own
//! process and serves the program's syscalls in user space. See README.md and
//! ARCHITECTURE.md; `unsafe` lives in `host`, `arch`, `start`, `loader` and `user` only.

#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod arch;
pub mod fs;
pub mod heap;
pub mod host;
pub mod loader;
pub mod mm;
pub mod net;
pub mod print;
pub mod random;
pub mod readiness;
pub mod seccomp;
pub mod signal_exit;
pub mod start;
pub mod state;
pub mod stats;
pub mod sync;
pub mod syscall;
pub mod thread;
pub mod time;
pub mod trace;
pub mod user;
pub mod wait;
