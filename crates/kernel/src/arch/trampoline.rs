//! The rewritten path: a `syscall` site rewritten to `call *%rax` lands in page 0, slides to
//! its end and jumps to [`junction_trampoline`], which switches to the thread's kernel stack,
//! saves what a `syscall` instruction preserves and calls [`crate::syscall::dispatch`].
//!
//! What `syscall` preserves and the kernel's Rust code may clobber: rdi, rsi, rdx, r10, r8,
//! r9 and xmm0-15 (the kernel is built for baseline x86-64 and links no libc, so it never
//! touches ymm/zmm upper halves or xmm16-31). rcx and r11 are clobbered, as by `syscall`.
//!
//! Page 0's sled: the call enters at byte `rax` (the syscall number) and must reach
//! `SLED_END`, where an absolute jump leaves page 0, without changing rax. The sled is
//! `eb 3d` repeated, then a tail of `3d` bytes and four nops:
//! - at an even offset the CPU decodes `jmp +0x3d` (2 bytes), which lands 63 bytes on, at an
//!   odd offset;
//! - at an odd offset it decodes `cmp eax, imm32` (0x3d and four bytes, whatever they are),
//!   which ends at an even offset.
//!
//! So every entry alternates one jump and one compare per 68 bytes instead of one compare
//! per 5 (zpoline's nops are one per byte): getpid (39) crosses the page in about a dozen
//! instructions rather than ninety-odd. The tail is a plain `cmp` run at least 63 bytes long,
//! so the last jumps land in it, and the nops absorb a compare's last partial step. Past the
//! exit jump the page is `int3`.

use crate::host;

/// Syscall numbers below this (less the 5-byte margin) can use the rewritten path.
pub const SLED_END: usize = 0x200;
const PAGE: usize = 4096;

core::arch::global_asm!(
    ".globl junction_trampoline",
    ".type junction_trampoline,@function",
    "junction_trampoline:",
    // rsp points at the return address the app's `call *%rax` pushed.
    "mov r11, rsp",
    "mov rsp, gs:[{kstack}]",
    // Pushed so that the six argument registers lie in memory in syscall order: the
    // handlers read them in place, as 8-byte loads the stores can forward to.
    "push r11",
    "push r9",
    "push r8",
    "push r10",
    "push rdx",
    "push rsi",
    "push rdi",
    "sub rsp, 264",
    "movdqa [rsp + 0], xmm0",
    "movdqa [rsp + 16], xmm1",
    "movdqa [rsp + 32], xmm2",
    "movdqa [rsp + 48], xmm3",
    "movdqa [rsp + 64], xmm4",
    "movdqa [rsp + 80], xmm5",
    "movdqa [rsp + 96], xmm6",
    "movdqa [rsp + 112], xmm7",
    "movdqa [rsp + 128], xmm8",
    "movdqa [rsp + 144], xmm9",
    "movdqa [rsp + 160], xmm10",
    "movdqa [rsp + 176], xmm11",
    "movdqa [rsp + 192], xmm12",
    "movdqa [rsp + 208], xmm13",
    "movdqa [rsp + 224], xmm14",
    "movdqa [rsp + 240], xmm15",
    "cld",
    "mov rdi, rax",
    "lea rsi, [rsp + 264]",
    "call {dispatch}",
    "movdqa xmm0, [rsp + 0]",
    "movdqa xmm1, [rsp + 16]",
    "movdqa xmm2, [rsp + 32]",
    "movdqa xmm3, [rsp + 48]",
    "movdqa xmm4, [rsp + 64]",
    "movdqa xmm5, [rsp + 80]",
    "movdqa xmm6, [rsp + 96]",
    "movdqa xmm7, [rsp + 112]",
    "movdqa xmm8, [rsp + 128]",
    "movdqa xmm9, [rsp + 144]",
    "movdqa xmm10, [rsp + 160]",
    "movdqa xmm11, [rsp + 176]",
    "movdqa xmm12, [rsp + 192]",
    "movdqa xmm13, [rsp + 208]",
    "movdqa xmm14, [rsp + 224]",
    "movdqa xmm15, [rsp + 240]",
    "add rsp, 264",
    "pop rdi",
    "pop rsi",
    "pop rdx",
    "pop r10",
    "pop r8",
    "pop r9",
    "pop rsp",
    "ret",
    kstack = const crate::arch::context::OFF_KERNEL_STACK_TOP,
    dispatch = sym trampoline_dispatch,
);

extern "C" {
    fn junction_trampoline();
}

/// The registers the trampoline saved, in stack order (lowest address first).
#[repr(C)]
#[derive(Debug)]
pub struct SavedRegs {
    /// rdi, rsi, rdx, r10, r8, r9: the syscall's arguments.
    pub args: crate::syscall::Args,
    /// The app's rsp at the call (pointing at the return address).
    pub app_rsp: u64,
}

extern "C" fn trampoline_dispatch(nr: u64, regs: *const SavedRegs) -> u64 {
    // SAFETY: the trampoline passes a pointer to the registers it pushed on the kernel stack.
    let regs = unsafe { &*regs };
    crate::syscall::dispatch(nr, &regs.args, super::EntryPath::Rewritten)
}

/// Maps page 0 with the sled and the jump. Fails where the host refuses address 0
/// (`vm.mmap_min_addr` > 0 without CAP_SYS_RAWIO); sites then stay on the SIGSYS path.
pub fn install_page_zero() -> Result<(), junction_abi::Errno> {
    const PROT_RW: u64 = 0x3;
    const PROT_RX: u64 = 0x5;
    const MAP_FIXED_NOREPLACE_PRIVATE_ANON: u64 = 0x100000 | 0x02 | 0x20;
    // SAFETY: page 0 is not in use (FIXED_NOREPLACE refuses otherwise).
    let addr = unsafe { host::mmap(0, PAGE, PROT_RW, MAP_FIXED_NOREPLACE_PRIVATE_ANON, -1, 0) }?;
    if addr != 0 {
        return Err(junction_abi::Errno::EPERM);
    }
    let target = junction_trampoline as *const () as usize as u64;
    let mut code = [0xccu8; PAGE];
    fill_sled(&mut code[..SLED_END]);
    // movabs r11, target ; jmp r11
    code[SLED_END] = 0x49;
    code[SLED_END + 1] = 0xbb;
    code[SLED_END + 2..SLED_END + 10].copy_from_slice(&target.to_le_bytes());
    code[SLED_END + 10..SLED_END + 13].copy_from_slice(&[0x41, 0xff, 0xe3]);
    // SAFETY: page 0 was just mapped writable for us; it is written once, then made r-x.
    unsafe {
        write_page_zero(&code);
        host::mprotect(0, PAGE, PROT_RX)?;
    }
    Ok(())
}

/// Where the `eb 3d` pairs end and the `cmp` tail begins: a jump from the last pair lands
/// 63 bytes on, which must still be a whole compare before the nops.
const TAIL_START: usize = SLED_END - 4 - 68;

/// Fills `sled` (page 0 up to `SLED_END`) as the module comment describes.
fn fill_sled(sled: &mut [u8]) {
    for (offset, byte) in sled.iter_mut().enumerate() {
        *byte = match offset {
            o if o >= SLED_END - 4 => 0x90,
            o if o < TAIL_START && o % 2 == 0 => 0xeb,
            _ => 0x3d,
        };
    }
}

/// Writes page 0 through inline assembly: Rust forbids dereferencing a null pointer, and the
/// page really is at address 0.
///
/// # Safety
/// Page 0 must be mapped writable.
unsafe fn write_page_zero(code: &[u8; PAGE]) {
    // SAFETY: rep movsb from the buffer to address 0, PAGE bytes, per the caller.
    unsafe {
        core::arch::asm!(
            "rep movsb",
            inout("rcx") PAGE => _,
            inout("rsi") code.as_ptr() => _,
            inout("rdi") 0usize => _,
            options(nostack, preserves_flags)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes the sled as the CPU would from `entry` and returns where it leaves it, and
    /// how many instructions that took.
    fn walk(sled: &[u8], entry: usize) -> (usize, usize) {
        let (mut at, mut steps) = (entry, 0);
        while at < SLED_END {
            at += match sled[at] {
                0xeb => {
                    let rel = sled[at + 1];
                    assert!(rel < 0x80, "backward jump at {at}");
                    2 + rel as usize
                }
                0x3d => 5,
                0x90 => 1,
                other => panic!("byte {other:#x} at {at} from entry {entry}"),
            };
            steps += 1;
        }
        (at, steps)
    }

    #[test]
    fn every_entry_reaches_the_exit_exactly() {
        let mut sled = [0u8; SLED_END + 4];
        fill_sled(&mut sled[..SLED_END]);
        let mut longest = 0;
        for nr in 0..=SLED_END - 5 {
            let (exit, steps) = walk(&sled, nr);
            assert_eq!(exit, SLED_END, "entry {nr} overshoots the exit jump");
            longest = longest.max(steps);
        }
        // The point of the jumps: nothing crosses the page one compare at a time.
        assert!(longest < 30, "longest walk {longest} instructions");
    }
}
