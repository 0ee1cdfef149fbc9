//! Rewriting hot syscall sites (the zpoline/lazypoline technique): after a site has trapped
//! once, its `syscall` (0f 05) becomes `call *%rax` (ff d0), which enters page 0 at byte
//! `rax` and slides into the trampoline. Only sites preceded by `mov $nr, %eax` with the same
//! `nr` that just trapped are rewritten, so `rax` is known to stay a small syscall number
//! there; generic sites (libc's `syscall()`, Go's Syscall6) stay on the SIGSYS path.
//!
//! The `call` pushes its return address where the app's red zone was; see
//! docs/design/interception.md for why that is accepted.

use core::sync::atomic::{AtomicBool, Ordering};

use crate::host;
use crate::mm::vma::{PROT_EXEC, PROT_WRITE};

static ENABLED: AtomicBool = AtomicBool::new(false);

pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Calls that need the app's whole register state (the SIGSYS frame), so their sites stay
/// on the SIGSYS path: the trampoline saves only what a served call may clobber.
const NEEDS_FRAME: [usize; 7] = [
    junction_abi::SYS_CLONE,
    junction_abi::SYS_CLONE3,
    junction_abi::SYS_FORK,
    junction_abi::SYS_VFORK,
    junction_abi::SYS_EXECVE,
    junction_abi::SYS_EXECVEAT,
    junction_abi::SYS_RT_SIGRETURN,
];

/// Called by the SIGSYS handler after serving the call at `site`.
pub fn after_trap(site: u64, nr: u64) {
    if !enabled()
        || nr as usize + 5 > super::trampoline::SLED_END
        || NEEDS_FRAME.contains(&(nr as usize))
    {
        return;
    }
    let k = crate::state::lock();
    let Some(vma) = k.vm.vmas.find(site.wrapping_sub(5)).cloned() else {
        return;
    };
    // The 7 bytes (mov + syscall) must be inside one private executable mapping.
    if vma.prot & PROT_EXEC == 0 || vma.shared || site + 2 > vma.end || site < vma.start + 5 {
        return;
    }
    if matches!(
        vma.backing,
        crate::mm::vma::Backing::Vdso | crate::mm::vma::Backing::Vvar
    ) {
        return;
    }
    // SAFETY: the 7 bytes lie in a readable executable mapping (checked above).
    let code = unsafe { core::slice::from_raw_parts((site - 5) as *const u8, 7) };
    let immediate = u32::from_le_bytes([code[1], code[2], code[3], code[4]]);
    if code[0] != 0xb8 || u64::from(immediate) != nr || code[5..7] != [0x0f, 0x05] {
        return;
    }
    // A 2-byte store that crosses a cache line is not atomic for other threads executing it.
    if site % 64 == 63 {
        return;
    }
    let page = site & !4095;
    let pages = if (site + 1) & !4095 != page { 2 } else { 1 };
    let len = pages * 4096;
    let prot = u64::from(vma.prot);
    // SAFETY: the pages belong to the app's private mapping; they are made writable just for
    // the store and restored at once (the VMA map keeps the app's view of the protection).
    unsafe {
        if host::mprotect(page as usize, len, prot | u64::from(PROT_WRITE)).is_err() {
            return;
        }
        core::ptr::write_volatile(site as *mut [u8; 2], [0xff, 0xd0]);
        let _ = host::mprotect(page as usize, len, prot);
    }
}
