//! The `junction-kernel` binary: no libc, no start files. `_start` relocates the image
//! (it is a static-pie), then hands the initial stack to the library's `start::main`.

#![no_std]
#![no_main]

use junction_kernel::{host, start};

// Self-relocation: the kernel is a static-pie with no ld.so, so `_start` applies the image's
// R_X86_64_RELATIVE entries (from DT_RELA/DT_RELASZ/DT_RELAENT) before any Rust code runs:
// even a call into another crate may go through a GOT slot that needs one.
core::arch::global_asm!(
    ".globl _start",
    ".type _start,@function",
    "_start:",
    "xor ebp, ebp",
    "mov r12, rsp",
    "lea rbx, [rip + __ehdr_start]",
    "lea rdx, [rip + _DYNAMIC]",
    "xor r8d, r8d",
    "xor r9d, r9d",
    "mov r10d, 24",
    "2:",
    "mov rax, [rdx]",
    "test rax, rax",
    "jz 5f",
    "cmp rax, 7",
    "jne 3f",
    "mov r8, [rdx + 8]",
    "3:",
    "cmp rax, 8",
    "jne 4f",
    "mov r9, [rdx + 8]",
    "4:",
    "cmp rax, 9",
    "jne 6f",
    "mov r10, [rdx + 8]",
    "6:",
    "add rdx, 16",
    "jmp 2b",
    "5:",
    "test r8, r8",
    "jz 9f",
    "add r8, rbx",
    "lea r9, [r8 + r9]",
    "7:",
    "cmp r8, r9",
    "jae 9f",
    "mov eax, dword ptr [r8 + 8]",
    "cmp eax, 8",
    "jne 8f",
    "mov rax, [r8]",
    "mov rcx, [r8 + 16]",
    "add rcx, rbx",
    "mov [rbx + rax], rcx",
    "8:",
    "add r8, r10",
    "jmp 7b",
    "9:",
    "mov rdi, r12",
    "and rsp, -16",
    "call {entry}",
    "ud2",
    entry = sym junction_entry,
);

/// The first Rust code to run, after `_start` relocated the image.
extern "C" fn junction_entry(initial_sp: *const usize) -> ! {
    // SAFETY: `initial_sp` is the stack the host kernel built for us (argc, argv, envp, auxv).
    let code = unsafe { start::main(initial_sp) };
    host::exit_group(code)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    junction_kernel::print::panic(info)
}

#[global_allocator]
static ALLOCATOR: junction_kernel::heap::KernelAllocator = junction_kernel::heap::KernelAllocator;

/// The precompiled `alloc` crate references the unwinder; with `panic = "abort"` it is never
/// called.
#[no_mangle]
extern "C" fn _Unwind_Resume() -> ! {
    junction_kernel::host::exit_group(134)
}

/// Referenced by the precompiled `alloc` crate's unwind tables; never called with
/// `panic = "abort"`.
#[no_mangle]
extern "C" fn rust_eh_personality() {}

// The memory functions the compiler calls. The kernel links no libc; these use only general
// registers (`rep movsb`/`stosb`), so entering the kernel never needs to save more than
// xmm0-15 (see arch/trampoline.rs).

/// # Safety
/// The C `memcpy` contract.
#[no_mangle]
unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller guarantees both ranges are valid and do not overlap.
    unsafe {
        core::arch::asm!("rep movsb", inout("rcx") n => _, inout("rdi") dest => _, inout("rsi") src => _, options(nostack, preserves_flags));
    }
    dest
}

/// # Safety
/// The C `memmove` contract.
#[no_mangle]
unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dest as usize).wrapping_sub(src as usize) >= n {
        // Forward copy is safe: dest is before src or past the end of it.
        // SAFETY: as memcpy.
        return unsafe { memcpy(dest, src, n) };
    }
    // SAFETY: copying backwards from the last byte; the direction flag is restored.
    unsafe {
        core::arch::asm!(
            "std", "rep movsb", "cld",
            inout("rcx") n => _,
            inout("rdi") dest.add(n).wrapping_sub(1) => _,
            inout("rsi") src.add(n).wrapping_sub(1) => _,
            options(nostack)
        );
    }
    dest
}

/// # Safety
/// The C `memset` contract.
#[no_mangle]
unsafe extern "C" fn memset(dest: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: the caller guarantees the range is valid.
    unsafe {
        core::arch::asm!("rep stosb", inout("rcx") n => _, inout("rdi") dest => _, in("al") c as u8, options(nostack, preserves_flags));
    }
    dest
}

/// # Safety
/// The C `memcmp` contract.
#[no_mangle]
unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        // SAFETY: both ranges are valid for n bytes.
        let (x, y) = unsafe {
            (
                core::ptr::read_volatile(a.add(i)),
                core::ptr::read_volatile(b.add(i)),
            )
        };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

/// # Safety
/// The C `bcmp` contract.
#[no_mangle]
unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: forwarded.
    unsafe { memcmp(a, b, n) }
}

/// # Safety
/// The C `strlen` contract.
#[no_mangle]
unsafe extern "C" fn strlen(s: *const u8) -> usize {
    let mut n = 0;
    // SAFETY: s is NUL-terminated.
    while unsafe { core::ptr::read_volatile(s.add(n)) } != 0 {
        n += 1;
    }
    n
}
