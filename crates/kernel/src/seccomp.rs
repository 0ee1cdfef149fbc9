//! The backstop: after start-up a seccomp filter lets through only the host calls in
//! [`crate::host::ALLOWED`], and only from the host module's code range. App syscalls never
//! get this far (syscall user dispatch catches them first); a kernel bug that issues any
//! other call kills the instance instead of reaching the host.

use alloc::vec::Vec;

use junction_abi::Errno;

use crate::host;

const PR_SET_NO_NEW_PRIVS: u64 = 38;
const SECCOMP_SET_MODE_FILTER: u64 = 1;
const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;

// Classic BPF opcodes.
const LD_W_ABS: u16 = 0x20;
const JEQ_K: u16 = 0x15;
const JGE_K: u16 = 0x35;
const RET_K: u16 = 0x06;

// seccomp_data offsets.
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
const OFF_IP_LO: u32 = 8;
const OFF_IP_HI: u32 = 12;

#[repr(C)]
#[derive(Debug, Clone, Copy)]
struct SockFilter {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

#[repr(C)]
#[derive(Debug)]
struct SockFprog {
    len: u16,
    filter: *const SockFilter,
}

const fn stmt(code: u16, k: u32) -> SockFilter {
    SockFilter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter { code, jt, jf, k }
}

/// The filter program: check the arch, the instruction pointer's range, then the number.
fn program(ip_start: u64, ip_end: u64) -> Vec<SockFilter> {
    let kill = stmt(RET_K, SECCOMP_RET_KILL_PROCESS);
    let mut p = alloc::vec![
        stmt(LD_W_ABS, OFF_ARCH),
        jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
        kill,
    ];
    // The host module is small and never straddles a 4 GiB boundary in practice; insist.
    p.push(stmt(LD_W_ABS, OFF_IP_HI));
    p.push(jump(JEQ_K, (ip_start >> 32) as u32, 1, 0));
    p.push(kill);
    p.push(stmt(LD_W_ABS, OFF_IP_LO));
    p.push(jump(JGE_K, ip_start as u32, 1, 0));
    p.push(kill);
    p.push(jump(JGE_K, ip_end as u32, 0, 1));
    p.push(kill);
    p.push(stmt(LD_W_ABS, OFF_NR));
    let count = host::ALLOWED.len();
    for (i, &(nr, _)) in host::ALLOWED.iter().enumerate() {
        // On a match jump to the ALLOW after the list; otherwise fall to the next check.
        let to_allow = (count - i) as u8;
        p.push(jump(JEQ_K, nr as u32, to_allow, 0));
    }
    p.push(kill);
    p.push(stmt(RET_K, SECCOMP_RET_ALLOW));
    p
}

static INSTALLED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Whether the filter is on (`Seccomp: 2` in /proc/self/status).
pub fn installed() -> bool {
    INSTALLED.load(core::sync::atomic::Ordering::Relaxed)
}

/// Installs the filter. After this only listed host calls from the host module work.
pub fn install() -> Result<(), Errno> {
    let (start, end) = host::raw::code_range();
    if (start as u64) >> 32 != (end as u64) >> 32 {
        return Err(Errno::EINVAL);
    }
    let filter = program(start as u64, end as u64);
    let prog = SockFprog {
        len: filter.len() as u16,
        filter: filter.as_ptr(),
    };
    // SAFETY: no_new_privs then a filter program that lives until the call returns.
    unsafe {
        host::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)?;
        host::call(
            junction_abi::SYS_SECCOMP,
            host::args!(SECCOMP_SET_MODE_FILTER, 0, &prog as *const SockFprog),
        )?;
    }
    INSTALLED.store(true, core::sync::atomic::Ordering::Relaxed);
    Ok(())
}
