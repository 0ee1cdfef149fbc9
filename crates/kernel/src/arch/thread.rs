//! Starting and ending the host threads app threads run on (docs/design/threads.md).
//!
//! A new thread must enter the app with the parent's whole register state: general
//! registers, flags and the FP/vector state. The SIGSYS frame of the parent's clone holds all
//! of it, in the layout the host's rt_sigreturn restores from. So the parent copies that
//! frame (ucontext and xsave area) to the top of the child's kernel stack and patches rax,
//! rsp, rcx/r11 and the frame's own pointers; the child sets up its kernel context, turns
//! syscall user dispatch on (a clone does not inherit it), sets FS and issues rt_sigreturn on
//! the copy, which the host restores exactly as it would any signal return.

use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use junction_abi::{self as abi, Errno};

use super::context::{ThreadContext, KERNEL_STACK_SIZE};
use crate::host;
use crate::sync::SpinLock;

/// The only host clone the kernel makes (the seccomp filter allows no other flags): a
/// thread sharing everything, whose host tid the host writes into its context and zeroes
/// when it is gone.
pub const HOST_THREAD_FLAGS: u64 = abi::CLONE_VM
    | abi::CLONE_FS
    | abi::CLONE_FILES
    | abi::CLONE_SIGHAND
    | abi::CLONE_THREAD
    | abi::CLONE_SYSVSEM
    | abi::CLONE_PARENT_SETTID
    | abi::CLONE_CHILD_CLEARTID;

// The x86-64 `ucontext_t` as the host lays it out in a signal frame.
const UC_SIZE: usize = 304;
const UC_STACK: usize = 16;
const UC_GREGS: usize = 40;
const UC_FPREGS: usize = 224;
const REG_R11: usize = 3;
const REG_RAX: usize = 13;
const REG_RCX: usize = 14;
const REG_RSP: usize = 15;
const REG_RIP: usize = 16;
const REG_EFL: usize = 17;
/// The fxsave area's software bytes say how long the xsave area that follows is.
const FX_SW_BYTES: usize = 464;
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
const FXSAVE_SIZE: usize = 512;
/// Room at the top of a new thread's kernel stack for the copied frame (AMX state is the
/// largest xsave area, about 11 KiB).
const FRAME_ROOM: usize = 16 * 1024;

/// Contexts of threads that have exited: reused once the host has zeroed their host tid
/// (the host thread is gone, so nothing runs on their stacks). Addresses of leaked boxes.
static RETIRED: SpinLock<Vec<usize>> = SpinLock::new(Vec::new());

/// A context for a new thread: a retired one whose host thread is gone, or a fresh one.
fn context_for(tid: i32) -> Result<&'static mut ThreadContext, Errno> {
    let reused = {
        let mut retired = RETIRED.lock();
        let found = retired.iter().position(|&addr| {
            // SAFETY: retired addresses are leaked, never-freed contexts.
            let ctx = unsafe { &*(addr as *const ThreadContext) };
            ctx.host_tid.load(Ordering::Acquire) == 0
        });
        found.map(|i| retired.swap_remove(i))
    };
    match reused {
        Some(addr) => {
            // SAFETY: as above; its host thread is gone, so nobody else uses it.
            let ctx = unsafe { &mut *(addr as *mut ThreadContext) };
            ctx.tid = tid;
            Ok(ctx)
        }
        None => ThreadContext::allocate(tid),
    }
}

/// What the new thread starts with, beyond the parent's registers.
#[derive(Debug, Clone, Copy)]
pub struct Start {
    pub tid: i32,
    /// The app stack (None: the parent's rsp, as clone with a null stack does).
    pub stack: Option<u64>,
    /// The FS base (CLONE_SETTLS, or the parent's).
    pub fs_base: u64,
}

/// Starts a host thread that enters the app where the parent's clone returns, with rax 0.
/// Returns the host tid.
///
/// # Safety
/// `uc` must be the SIGSYS frame of the calling thread's clone, live for this call.
pub unsafe fn spawn(uc: *const u8, start: Start) -> Result<i32, Errno> {
    let ctx = context_for(start.tid)?;
    // The xsave area's length, from the software bytes the host put in the frame.
    // SAFETY: a SIGSYS frame's fpregs pointer is null or points at a complete fpstate.
    let fpregs = unsafe { *(uc.add(UC_FPREGS) as *const u64) };
    let fp_len = if fpregs == 0 {
        0
    } else {
        // SAFETY: as above; the fxsave area is 512 bytes.
        let (magic, extended) = unsafe {
            let sw = (fpregs as usize + FX_SW_BYTES) as *const u32;
            (*sw, *sw.add(1) as usize)
        };
        if magic == FP_XSTATE_MAGIC1 {
            extended
        } else {
            FXSAVE_SIZE
        }
    };
    if fp_len + UC_SIZE + 256 > FRAME_ROOM {
        return Err(Errno::ENOMEM);
    }
    let top = ctx.kernel_stack_top;
    let fp_at = (top - fp_len as u64) & !63;
    let uc_at = (fp_at - UC_SIZE as u64) & !15;
    // The child's Rust code runs below the frame until its rt_sigreturn.
    let child_stack = (uc_at - 64) & !15;
    // SAFETY: both copies stay inside the new context's kernel stack (FRAME_ROOM is far
    // below KERNEL_STACK_SIZE), which no thread uses yet; the sources are the live frame.
    unsafe {
        core::ptr::copy_nonoverlapping(uc, uc_at as *mut u8, UC_SIZE);
        if fp_len != 0 {
            core::ptr::copy_nonoverlapping(fpregs as *const u8, fp_at as *mut u8, fp_len);
            *((uc_at as usize + UC_FPREGS) as *mut u64) = fp_at;
        }
        let gregs = core::slice::from_raw_parts_mut((uc_at as usize + UC_GREGS) as *mut u64, 23);
        gregs[REG_RAX] = 0;
        if let Some(sp) = start.stack {
            gregs[REG_RSP] = sp;
        }
        // What the `syscall` instruction leaves in rcx and r11.
        gregs[REG_RCX] = gregs[REG_RIP];
        gregs[REG_R11] = gregs[REG_EFL];
        // rt_sigreturn also restores the sigaltstack from the frame: make it the child's.
        let stack = (uc_at as usize + UC_STACK) as *mut abi::structs::StackT;
        *stack = abi::structs::StackT {
            ss_sp: ctx.altstack as u64,
            ss_flags: 0,
            _pad12: [0; 4],
            ss_size: KERNEL_STACK_SIZE as u64,
        };
    }
    ctx.ucontext = core::ptr::null_mut();
    ctx.start_fs = start.fs_base;
    ctx.start_frame = uc_at;
    ctx.host_tid.store(-1, Ordering::Relaxed);
    let ctx_addr = ctx as *mut ThreadContext as u64;
    super::context::count_host_call();
    // SAFETY: the stack below the frame is the child's alone; the tid word lives in the
    // leaked context; thread_start never returns.
    let raw = unsafe {
        host::raw::clone_thread(
            HOST_THREAD_FLAGS,
            child_stack,
            ctx.host_tid.as_ptr() as u64,
            thread_start,
            ctx_addr,
        )
    };
    if (-4095..0).contains(&raw) {
        ctx.host_tid.store(0, Ordering::Release);
        RETIRED.lock().push(ctx_addr as usize);
        return Err(Errno::from_raw(-raw as i32).unwrap_or(Errno::EAGAIN));
    }
    Ok(raw as i32)
}

/// The first kernel code of a new host thread: every signal is blocked (inherited from the
/// parent's SIGSYS handler) until the rt_sigreturn puts the app's mask in place.
extern "C" fn thread_start(ctx_addr: u64) -> ! {
    // SAFETY: spawn passes its leaked context.
    let ctx = unsafe { &mut *(ctx_addr as *mut ThreadContext) };
    if ctx.activate().is_err() || super::sud::enable_for_current_thread().is_err() {
        // Without GS or interception this thread cannot run app code safely.
        crate::host::exit_group(70);
    }
    let frame = ctx.start_frame;
    // SAFETY: FS is the app's register; the frame was built by spawn for this thread and
    // the restorer issues rt_sigreturn from the host module.
    unsafe {
        core::arch::asm!("wrfsbase {}", in(reg) ctx.start_fs, options(nostack, preserves_flags));
        core::arch::asm!(
            "mov rsp, {frame}",
            "jmp {restorer}",
            frame = in(reg) frame,
            restorer = in(reg) host::raw::sigreturn_restorer(),
            options(noreturn)
        )
    }
}

/// Ends the calling host thread. Its context is retired for reuse once the host reports the
/// thread gone; the main thread's context (no host clear-tid) is never reused.
pub fn exit_current(code: i32, main: bool) -> ! {
    let ctx = super::context::current();
    if !main {
        RETIRED.lock().push(ctx as *mut ThreadContext as usize);
    }
    // SAFETY: ends this thread only; nothing of it is touched after.
    let _ = unsafe { host::call(abi::SYS_EXIT, host::args!(code)) };
    host::exit_group(70)
}
