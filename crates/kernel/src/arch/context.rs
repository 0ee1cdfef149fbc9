//! The per-thread kernel context, found through the GS base.
//!
//! The app's libc owns FS (its TLS); the kernel uses no TLS at all, so it never has to switch
//! FS on entry. GS is free on x86-64 Linux user space, so each thread's GS base points at its
//! [`ThreadContext`]: the trampoline reads its kernel stack from `gs:[8]`.

use alloc::boxed::Box;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};

use crate::host;

/// Offsets the assembly in `trampoline.rs` relies on.
pub const OFF_KERNEL_STACK_TOP: usize = 8;

const ARCH_SET_GS: u64 = 0x1001;
const ARCH_GET_GS: u64 = 0x1004;
const PROT_RW: u64 = 0x3;
const MAP_PRIVATE_ANON: u64 = 0x02 | 0x20;

#[repr(C)]
#[derive(Debug)]
pub struct ThreadContext {
    /// Points at itself (read as `gs:[0]`).
    self_ptr: u64,
    /// Top of the stack the trampoline switches to (16-byte aligned).
    pub kernel_stack_top: u64,
    /// The thread's virtual tid.
    pub tid: i32,
    /// The thread's host tid. For threads the kernel starts, the host writes it at clone
    /// (CLONE_PARENT_SETTID) and zeroes it when the host thread is gone
    /// (CLONE_CHILD_CLEARTID): then the stacks may be reused (arch::thread).
    pub host_tid: AtomicI32,
    /// The SIGSYS frame (`ucontext_t`) of the call being served on the SIGSYS path; null on
    /// the rewritten path. clone needs the app's whole register state.
    pub ucontext: *mut u8,
    /// This thread's SIGSYS stack.
    pub altstack: usize,
    /// For a thread being started: the app's FS base and the frame it enters the app with.
    pub start_fs: u64,
    pub start_frame: u64,
    /// How many host calls this thread has made (for --stats: a served call's host-call
    /// count is the difference across it). Per thread, so another thread's calls during a
    /// blocking one are not counted; written only by its own thread.
    pub host_calls: AtomicU64,
}

/// Whether GS holds a context on every thread that makes host calls (from the main
/// thread's install on; before it, FSGSBASE may not even be usable).
static GS_READY: AtomicBool = AtomicBool::new(false);

/// Counts a host call on the calling thread.
#[inline(always)]
pub fn count_host_call() {
    if GS_READY.load(Ordering::Relaxed) {
        let calls = &current().host_calls;
        // One writer: a plain load and store, no locked instruction.
        calls.store(calls.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }
}

/// Size of each kernel stack (the trampoline's and the SIGSYS alternate stack).
pub const KERNEL_STACK_SIZE: usize = 256 * 1024;

impl ThreadContext {
    /// A context with fresh stacks, not yet installed on any thread.
    pub fn allocate(tid: i32) -> Result<&'static mut ThreadContext, junction_abi::Errno> {
        let kstack = map_stack(KERNEL_STACK_SIZE)?;
        let altstack = map_stack(KERNEL_STACK_SIZE)?;
        let ctx = Box::leak(Box::new(ThreadContext {
            self_ptr: 0,
            kernel_stack_top: (kstack + KERNEL_STACK_SIZE) as u64 & !15,
            tid,
            host_tid: AtomicI32::new(0),
            ucontext: core::ptr::null_mut(),
            altstack,
            start_fs: 0,
            start_frame: 0,
            host_calls: AtomicU64::new(0),
        }));
        ctx.self_ptr = ctx as *mut ThreadContext as u64;
        Ok(ctx)
    }

    /// Installs this context on the calling thread: GS, then its SIGSYS stack.
    pub fn activate(&mut self) -> Result<(), junction_abi::Errno> {
        // GS first, and uncounted: a new thread starts with its parent's GS, and counting
        // would write the parent's counter.
        // SAFETY: setting GS base to our context; no code in this process uses GS otherwise.
        let raw = unsafe {
            host::raw::syscall6(
                junction_abi::SYS_ARCH_PRCTL,
                [ARCH_SET_GS as usize, self.self_ptr as usize, 0, 0, 0, 0],
            )
        };
        if raw < 0 {
            return Err(
                junction_abi::Errno::from_raw(-raw as i32).unwrap_or(junction_abi::Errno::EIO)
            );
        }
        let stack = junction_abi::structs::StackT {
            ss_sp: self.altstack as u64,
            ss_flags: 0,
            _pad12: [0; 4],
            ss_size: KERNEL_STACK_SIZE as u64,
        };
        // SAFETY: the alternate stack is a mapping that is never freed.
        unsafe { host::sigaltstack(&stack) }?;
        Ok(())
    }
}

/// Creates the main thread's context: a kernel stack for the trampoline, an alternate
/// signal stack for SIGSYS, and GS pointing at the context.
pub fn install_for_current_thread(
    tid: i32,
) -> Result<&'static mut ThreadContext, junction_abi::Errno> {
    let ctx = ThreadContext::allocate(tid)?;
    ctx.host_tid.store(host::gettid(), Ordering::Relaxed);
    ctx.activate()?;
    GS_READY.store(true, Ordering::Relaxed);
    Ok(ctx)
}

/// The calling thread's context.
pub fn current() -> &'static mut ThreadContext {
    let gs: u64;
    // SAFETY: reading the GS base; FSGSBASE is checked at start-up (start::check_machine).
    unsafe {
        core::arch::asm!("rdgsbase {}", out(reg) gs, options(nomem, nostack, preserves_flags))
    };
    // SAFETY: GS was set to a leaked, never-freed ThreadContext by install_for_current_thread.
    unsafe { &mut *(gs as *mut ThreadContext) }
}

/// Reads GS through the host when FSGSBASE is not available (only used at start-up checks).
pub fn gs_via_host() -> u64 {
    let mut value = 0u64;
    // SAFETY: ARCH_GET_GS writes one u64.
    let _ = unsafe {
        host::call(
            junction_abi::SYS_ARCH_PRCTL,
            host::args!(ARCH_GET_GS, &mut value as *mut u64),
        )
    };
    value
}

fn map_stack(size: usize) -> Result<usize, junction_abi::Errno> {
    // SAFETY: a fresh anonymous mapping at an address the host picks.
    unsafe { host::mmap(0, size, PROT_RW, MAP_PRIVATE_ANON, -1, 0) }
}
