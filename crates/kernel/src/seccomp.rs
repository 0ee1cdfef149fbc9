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
const OFF_ARG0_LO: u32 = 16;
const OFF_ARG0_HI: u32 = 20;

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
    // Calls allowed with one first argument only: on the number, compare both halves of
    // the argument; anything else is killed. Otherwise skip the block, the number still
    // loaded.
    for &(nr, value) in host::FIRST_ARG_ONLY {
        p.push(jump(JEQ_K, nr as u32, 0, 6));
        p.push(stmt(LD_W_ABS, OFF_ARG0_LO));
        p.push(jump(JEQ_K, value as u32, 0, 3));
        p.push(stmt(LD_W_ABS, OFF_ARG0_HI));
        p.push(jump(JEQ_K, (value >> 32) as u32, 0, 1));
        p.push(stmt(RET_K, SECCOMP_RET_ALLOW));
        p.push(kill);
    }
    let plain: Vec<usize> = host::ALLOWED
        .iter()
        .map(|&(nr, _)| nr)
        .filter(|nr| !host::FIRST_ARG_ONLY.iter().any(|(r, _)| r == nr))
        .collect();
    let count = plain.len();
    for (i, &nr) in plain.iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the filter on one seccomp_data, as the host would (the subset of classic BPF the
    /// program uses).
    fn run(p: &[SockFilter], nr: usize, ip: u64, arg0: u64) -> u32 {
        let mut data = [0u32; 16];
        data[0] = nr as u32;
        data[1] = AUDIT_ARCH_X86_64;
        data[2] = ip as u32;
        data[3] = (ip >> 32) as u32;
        data[4] = arg0 as u32;
        data[5] = (arg0 >> 32) as u32;
        let (mut pc, mut a) = (0usize, 0u32);
        loop {
            let ins = p[pc];
            pc += 1;
            match ins.code {
                LD_W_ABS => a = data[ins.k as usize / 4],
                JEQ_K => pc += usize::from(if a == ins.k { ins.jt } else { ins.jf }),
                JGE_K => pc += usize::from(if a >= ins.k { ins.jt } else { ins.jf }),
                RET_K => return ins.k,
                other => panic!("opcode {other:#x}"),
            }
        }
    }

    const START: u64 = 0x5555_0000_1000;
    const END: u64 = 0x5555_0000_2000;

    #[test]
    fn allows_exactly_the_listed_calls_from_the_host_module() {
        let p = program(START, END);
        let inside = START + 0x10;
        for &(nr, _) in host::ALLOWED {
            let arg0 = host::FIRST_ARG_ONLY
                .iter()
                .find(|(r, _)| *r == nr)
                .map_or(7, |&(_, v)| v);
            assert_eq!(run(&p, nr, inside, arg0), SECCOMP_RET_ALLOW, "nr {nr}");
            assert_eq!(
                run(&p, nr, END, arg0),
                SECCOMP_RET_KILL_PROCESS,
                "nr {nr} outside"
            );
        }
        for nr in [
            junction_abi::SYS_EXECVE,
            junction_abi::SYS_FORK,
            junction_abi::SYS_CLONE3,
        ] {
            assert_eq!(run(&p, nr, inside, 0), SECCOMP_RET_KILL_PROCESS, "nr {nr}");
        }
    }

    #[test]
    fn clone_only_makes_threads() {
        let p = program(START, END);
        let inside = START + 0x10;
        let thread = crate::arch::thread::HOST_THREAD_FLAGS;
        assert_eq!(
            run(&p, junction_abi::SYS_CLONE, inside, thread),
            SECCOMP_RET_ALLOW
        );
        // fork's flags, a thread with a bit more, and the flags in the high half: killed.
        for flags in [17, thread | junction_abi::CLONE_NEWNS, thread | 1 << 32] {
            assert_eq!(
                run(&p, junction_abi::SYS_CLONE, inside, flags),
                SECCOMP_RET_KILL_PROCESS,
                "flags {flags:#x}"
            );
        }
        let setaffinity = junction_abi::SYS_SCHED_SETAFFINITY;
        assert_eq!(run(&p, setaffinity, inside, 0), SECCOMP_RET_ALLOW);
        assert_eq!(run(&p, setaffinity, inside, 1234), SECCOMP_RET_KILL_PROCESS);
    }
}
