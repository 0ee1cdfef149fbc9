//! The only code in the kernel that executes `syscall`.
//!
//! Everything lives in one section, `.text.junction_host`, delimited by `junction_host_start`
//! and `junction_host_end`. That range is syscall user dispatch's allowed region (host calls
//! from here never trap) and the only range the seccomp filter lets through: a `syscall`
//! anywhere else in the process, app or kernel, never reaches the host unseen.

core::arch::global_asm!(
    ".pushsection .text.junction_host,\"ax\",@progbits",
    ".globl junction_host_start",
    "junction_host_start:",
    // u64 junction_host_syscall(nr, a0, a1, a2, a3, a4, a5): System V arguments in
    // rdi, rsi, rdx, rcx, r8, r9, [rsp+8]; the syscall ABI wants rax, rdi, rsi, rdx, r10, r8, r9.
    ".globl junction_host_syscall",
    ".type junction_host_syscall,@function",
    "junction_host_syscall:",
    "mov rax, rdi",
    "mov rdi, rsi",
    "mov rsi, rdx",
    "mov rdx, rcx",
    "mov r10, r8",
    "mov r8, r9",
    "mov r9, [rsp + 8]",
    "syscall",
    "ret",
    // i64 junction_host_clone(flags, stack, parent_tid, child_tid, tls): the host clone for
    // a new thread. The child returns on `stack`, where the caller put the function to run
    // and its argument; it pops both and calls the function, which never returns.
    ".globl junction_host_clone",
    ".type junction_host_clone,@function",
    "junction_host_clone:",
    "mov eax, 56",
    "mov r10, rcx",
    "syscall",
    "test rax, rax",
    "jnz 2f",
    "xor ebp, ebp",
    "pop rax",
    "pop rdi",
    "call rax",
    "ud2",
    "2:",
    "ret",
    // The restorer of every host signal handler: rt_sigreturn must be issued from the allowed
    // region, or it would itself be dispatched as a SIGSYS.
    ".globl junction_sigreturn",
    ".type junction_sigreturn,@function",
    "junction_sigreturn:",
    "mov eax, 15",
    "syscall",
    "ud2",
    ".globl junction_host_end",
    "junction_host_end:",
    ".popsection",
);

extern "C" {
    fn junction_host_syscall(
        nr: usize,
        a0: usize,
        a1: usize,
        a2: usize,
        a3: usize,
        a4: usize,
        a5: usize,
    ) -> isize;
    fn junction_host_clone(flags: u64, stack: u64, ptid: u64, ctid: u64, tls: u64) -> isize;
    static junction_host_start: u8;
    static junction_host_end: u8;
    fn junction_sigreturn();
}

/// Issues a host syscall. Returns the raw result (`-4095..=-1` is a negated errno).
///
/// # Safety
/// The call and its arguments must be valid for the host: pointers must point to memory of
/// the right size and direction.
#[inline(always)]
pub unsafe fn syscall6(nr: usize, args: [usize; 6]) -> isize {
    // SAFETY: forwarded to the caller.
    unsafe { junction_host_syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]) }
}

/// The host module's code range: `[start, end)`.
pub fn code_range() -> (usize, usize) {
    (
        core::ptr::addr_of!(junction_host_start) as usize,
        core::ptr::addr_of!(junction_host_end) as usize,
    )
}

/// The signal restorer inside the host module.
pub fn sigreturn_restorer() -> usize {
    junction_sigreturn as *const () as usize
}

/// Starts a host thread with `flags` whose first code is `entry(arg)`, on `stack`.
///
/// # Safety
/// `stack` must be the 16-byte-aligned top of a stack nobody else uses, with room for two
/// words below it; `entry` must never return; the tid pointers must stay valid for the life
/// of the thread.
pub unsafe fn clone_thread(
    flags: u64,
    stack: u64,
    tid_word: u64,
    entry: extern "C" fn(u64) -> !,
    arg: u64,
) -> isize {
    let sp = stack - 16;
    // SAFETY: per the caller, the two words below the top are ours; the child pops them.
    unsafe {
        core::ptr::write(sp as *mut u64, entry as usize as u64);
        core::ptr::write((sp + 8) as *mut u64, arg);
        junction_host_clone(flags, sp, tid_word, tid_word, 0)
    }
}
