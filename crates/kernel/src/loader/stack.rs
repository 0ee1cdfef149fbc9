//! The initial stack, laid out as Linux's `create_elf_tables` does: strings and AT_RANDOM
//! bytes at the top, then (16-byte aligned) argc, argv, NULL, envp, NULL, auxv, AT_NULL.

use alloc::vec::Vec;

use junction_abi::Errno;
use junction_elf::LoadPlan;

use super::auxv::*;
use crate::mm::layout::{random_offset, STACK_TOP};
use crate::mm::vma::{Backing, Vma};
use crate::mm::{Vm, MAP_ANONYMOUS, MAP_PRIVATE};

/// The main stack's size: mapped whole, committed lazily by the host.
pub const STACK_SIZE: u64 = 8 << 20;

/// Maps the stack and fills it. Returns the initial rsp and the auxv written.
pub fn build(
    vm: &mut Vm,
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
    execfn: &str,
    plan: &LoadPlan,
    host: &HostAux,
) -> Result<(u64, Vec<(u64, u64)>), Errno> {
    let top = STACK_TOP - random_offset(22);
    let bottom = top - STACK_SIZE;
    let stack = Vma {
        start: bottom,
        end: top,
        prot: 3,
        shared: false,
        backing: Backing::Stack,
    };
    vm.map_fixed(stack, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)?;

    let mut sp = top;
    let push_bytes = |bytes: &[u8], sp: &mut u64| -> u64 {
        *sp -= bytes.len() as u64 + 1;
        // SAFETY: [sp, sp+len] lies in the stack mapped above (sizes are bounded by the
        // caller's argv/envp, far below 8 MiB).
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), *sp as *mut u8, bytes.len());
            *((*sp + bytes.len() as u64) as *mut u8) = 0;
        }
        *sp
    };
    let total: usize = argv.iter().chain(envp).map(|s| s.len() + 1).sum();
    if total as u64 > STACK_SIZE / 4 {
        return Err(Errno::E2BIG);
    }
    let execfn_addr = push_bytes(execfn.as_bytes(), &mut sp);
    let argv_addrs: Vec<u64> = argv.iter().map(|a| push_bytes(a, &mut sp)).collect();
    let envp_addrs: Vec<u64> = envp.iter().map(|e| push_bytes(e, &mut sp)).collect();
    let platform_addr = push_bytes(b"x86_64", &mut sp);
    sp &= !15;
    sp -= 16;
    let random_addr = sp;
    let mut random = [0u8; 16];
    crate::host::random_bytes(&mut random);
    // SAFETY: 16 bytes inside the stack.
    unsafe { core::ptr::copy_nonoverlapping(random.as_ptr(), random_addr as *mut u8, 16) };

    let mut auxv: Vec<(u64, u64)> = Vec::new();
    if host.sysinfo_ehdr != 0 {
        auxv.push((AT_SYSINFO_EHDR, host.sysinfo_ehdr));
    }
    if host.minsigstksz != 0 {
        auxv.push((AT_MINSIGSTKSZ, host.minsigstksz));
    }
    auxv.extend_from_slice(&[
        (AT_HWCAP, host.hwcap),
        (AT_PAGESZ, 4096),
        (AT_CLKTCK, host.clktck),
        (AT_PHDR, plan.auxv.at_phdr),
        (AT_PHENT, plan.auxv.at_phent),
        (AT_PHNUM, plan.auxv.at_phnum),
        (AT_BASE, plan.auxv.at_base),
        (AT_FLAGS, 0),
        (AT_ENTRY, plan.auxv.at_entry),
        (AT_UID, host.uid),
        (AT_EUID, host.euid),
        (AT_GID, host.gid),
        (AT_EGID, host.egid),
        (AT_SECURE, 0),
        (AT_RANDOM, random_addr),
        (AT_HWCAP2, host.hwcap2),
        (AT_EXECFN, execfn_addr),
        (AT_PLATFORM, platform_addr),
    ]);

    // Words below the strings: argc, argv..., 0, envp..., 0, auxv pairs..., AT_NULL, 0.
    let words = 1 + argv_addrs.len() + 1 + envp_addrs.len() + 1 + 2 * (auxv.len() + 1);
    sp -= (words * 8) as u64;
    sp &= !15;
    let mut table: Vec<u64> = Vec::with_capacity(words);
    table.push(argv_addrs.len() as u64);
    table.extend(&argv_addrs);
    table.push(0);
    table.extend(&envp_addrs);
    table.push(0);
    for &(k, v) in &auxv {
        table.push(k);
        table.push(v);
    }
    table.push(AT_NULL);
    table.push(0);
    // SAFETY: `words` u64s at sp, inside the stack.
    unsafe { core::ptr::copy_nonoverlapping(table.as_ptr(), sp as *mut u64, table.len()) };
    Ok((sp, auxv))
}
