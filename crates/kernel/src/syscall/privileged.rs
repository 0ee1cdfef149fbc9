//! Calls only a privileged process may make (mounts, reboot, modules, ptrace, bpf, ...).
//! The instance has no privileges: each is refused with EPERM, as Linux refuses it to an
//! unprivileged, sandboxed process, and the host never sees it. The seccomp filter would
//! kill the instance if the kernel itself ever tried one.

use junction_abi::{self as abi, Errno};

use super::Args;

/// The numbers refused here (the handler table maps each to [`refuse`]).
pub const REFUSED: &[usize] = &[
    abi::SYS_PTRACE,
    abi::SYS_SYSLOG,
    abi::SYS_SETGROUPS,
    abi::SYS_VHANGUP,
    abi::SYS_PIVOT_ROOT,
    abi::SYS_CHROOT,
    abi::SYS_ACCT,
    abi::SYS_SETTIMEOFDAY,
    abi::SYS_MOUNT,
    abi::SYS_UMOUNT2,
    abi::SYS_SWAPON,
    abi::SYS_SWAPOFF,
    abi::SYS_REBOOT,
    abi::SYS_SETHOSTNAME,
    abi::SYS_SETDOMAINNAME,
    abi::SYS_IOPL,
    abi::SYS_IOPERM,
    abi::SYS_INIT_MODULE,
    abi::SYS_DELETE_MODULE,
    abi::SYS_QUOTACTL,
    abi::SYS_CLOCK_SETTIME,
    abi::SYS_KEXEC_LOAD,
    abi::SYS_ADD_KEY,
    abi::SYS_REQUEST_KEY,
    abi::SYS_KEYCTL,
    abi::SYS_UNSHARE,
    abi::SYS_PERF_EVENT_OPEN,
    abi::SYS_OPEN_BY_HANDLE_AT,
    abi::SYS_SETNS,
    abi::SYS_PROCESS_VM_READV,
    abi::SYS_PROCESS_VM_WRITEV,
    abi::SYS_KCMP,
    abi::SYS_FINIT_MODULE,
    abi::SYS_KEXEC_FILE_LOAD,
    abi::SYS_BPF,
    abi::SYS_OPEN_TREE,
    abi::SYS_MOVE_MOUNT,
    abi::SYS_FSOPEN,
    abi::SYS_FSCONFIG,
    abi::SYS_FSMOUNT,
    abi::SYS_FSPICK,
    abi::SYS_MOUNT_SETATTR,
];

pub fn refuse(_: &Args) -> Result<u64, Errno> {
    Err(Errno::EPERM)
}

#[cfg(test)]
mod tests {
    /// docs/security.md names exactly the refused calls, in the table's order.
    #[test]
    fn security_doc_lists_the_refused_calls() {
        let doc = include_str!("../../../../docs/security.md");
        let section = doc
            .split("## Calls the kernel refuses")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("the refused-calls section");
        let line = section
            .lines()
            .find(|l| l.starts_with('`'))
            .expect("the line of names");
        let named: Vec<&str> = line.split('`').skip(1).step_by(2).collect();
        let refused: Vec<&str> = super::REFUSED
            .iter()
            .map(|&nr| {
                junction_abi::SYSCALLS
                    .iter()
                    .find(|s| s.nr == nr)
                    .map_or("?", |s| s.name)
            })
            .collect();
        assert_eq!(named, refused);
    }
}
