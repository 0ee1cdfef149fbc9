//! The syscall table: every number the kernel handles, one handler per call, grouped in one
//! file per family. Handlers take the raw argument registers and return `Result<u64, Errno>`;
//! the errno is negated in exactly one place, [`dispatch`]. A number without a handler is
//! ENOSYS (logged once). The table's statuses (served / host / partial / unsupported) live in
//! `tools/abi/linux-x86_64.abi`; a test checks that both agree.

pub mod clone;
pub mod epoll;
pub mod eventfd;
pub mod fd;
pub mod futex;
pub mod futex_pi;
pub mod identity;
pub mod mem;
pub mod meta;
pub mod msg;
pub mod path;
pub mod poll;
pub mod privileged;
pub mod resource;
pub mod robust;
pub mod rw;
pub mod sched;
pub mod select;
pub mod sendfile;
pub mod signal;
pub mod socket;
pub mod splice;
pub mod stat;
pub mod time;
pub mod xattr;

use junction_abi::{self as abi, Errno};

use crate::arch::EntryPath;
use crate::stats;

pub type Args = [u64; 6];
pub type Handler = fn(&Args) -> Result<u64, Errno>;

/// The handler for a syscall number.
pub fn handler(nr: usize) -> Option<Handler> {
    use abi::*;
    Some(match nr {
        SYS_READ => rw::read,
        SYS_WRITE => rw::write,
        SYS_PREAD64 => rw::pread64,
        SYS_PWRITE64 => rw::pwrite64,
        SYS_READV => rw::readv,
        SYS_WRITEV => rw::writev,
        SYS_LSEEK => rw::lseek,
        SYS_GETDENTS64 => rw::getdents64,
        SYS_IOCTL => rw::ioctl,
        SYS_FSYNC | SYS_FDATASYNC => rw::fsync,
        SYS_FTRUNCATE => rw::ftruncate,
        SYS_OPEN => path::open,
        SYS_OPENAT => path::openat,
        SYS_CREAT => path::creat,
        SYS_STAT => stat::stat,
        SYS_LSTAT => stat::lstat,
        SYS_NEWFSTATAT => stat::newfstatat,
        SYS_STATX => stat::statx,
        SYS_ACCESS => path::access,
        SYS_FACCESSAT | SYS_FACCESSAT2 => path::faccessat,
        SYS_READLINK => path::readlink,
        SYS_READLINKAT => path::readlinkat,
        SYS_GETCWD => path::getcwd,
        SYS_CHDIR => path::chdir,
        SYS_FCHDIR => path::fchdir,
        SYS_MKDIR => path::mkdir,
        SYS_MKDIRAT => path::mkdirat,
        SYS_UNLINK => path::unlink,
        SYS_RMDIR => path::rmdir,
        SYS_UNLINKAT => path::unlinkat,
        SYS_RENAME => path::rename,
        SYS_RENAMEAT => path::renameat,
        SYS_RENAMEAT2 => path::renameat2,
        SYS_UMASK => path::umask,
        SYS_STATFS => path::statfs,
        SYS_FSTATFS => path::fstatfs,
        SYS_CHMOD => meta::chmod,
        SYS_FCHMOD => meta::fchmod,
        SYS_FCHMODAT => meta::fchmodat,
        SYS_FCHMODAT2 => meta::fchmodat2,
        SYS_CHOWN => meta::chown,
        SYS_LCHOWN => meta::lchown,
        SYS_FCHOWN => meta::fchown,
        SYS_FCHOWNAT => meta::fchownat,
        SYS_UTIMENSAT => meta::utimensat,
        SYS_UTIME => meta::utime,
        SYS_UTIMES => meta::utimes,
        SYS_FUTIMESAT => meta::futimesat,
        SYS_TRUNCATE => meta::truncate,
        SYS_SYMLINK => meta::symlink,
        SYS_SYMLINKAT => meta::symlinkat,
        SYS_LINK => meta::link,
        SYS_LINKAT => meta::linkat,
        SYS_GETXATTR => xattr::getxattr,
        SYS_LGETXATTR => xattr::lgetxattr,
        SYS_FGETXATTR => xattr::fgetxattr,
        SYS_LISTXATTR => xattr::listxattr,
        SYS_LLISTXATTR => xattr::llistxattr,
        SYS_FLISTXATTR => xattr::flistxattr,
        SYS_SETXATTR => xattr::setxattr,
        SYS_LSETXATTR => xattr::lsetxattr,
        SYS_FSETXATTR => xattr::fsetxattr,
        SYS_REMOVEXATTR => xattr::removexattr,
        SYS_LREMOVEXATTR => xattr::lremovexattr,
        SYS_FREMOVEXATTR => xattr::fremovexattr,
        SYS_FSTAT => fd::fstat,
        SYS_CLOSE => fd::close,
        SYS_CLOSE_RANGE => fd::close_range,
        SYS_DUP => fd::dup,
        SYS_DUP2 => fd::dup2,
        SYS_DUP3 => fd::dup3,
        SYS_FCNTL => fd::fcntl,
        SYS_PIPE => fd::pipe,
        SYS_PIPE2 => fd::pipe2,
        SYS_POLL => poll::poll,
        SYS_PPOLL => poll::ppoll,
        SYS_SELECT => select::select,
        SYS_PSELECT6 => select::pselect6,
        SYS_EVENTFD => eventfd::eventfd,
        SYS_EVENTFD2 => eventfd::eventfd2,
        SYS_EPOLL_CREATE => epoll::epoll_create,
        SYS_EPOLL_CREATE1 => epoll::epoll_create1,
        SYS_EPOLL_CTL => epoll::epoll_ctl,
        SYS_EPOLL_WAIT => epoll::epoll_wait,
        SYS_EPOLL_PWAIT => epoll::epoll_pwait,
        SYS_EPOLL_PWAIT2 => epoll::epoll_pwait2,
        SYS_MMAP => mem::mmap,
        SYS_MUNMAP => mem::munmap,
        SYS_MPROTECT => mem::mprotect,
        SYS_MREMAP => mem::mremap,
        SYS_MADVISE => mem::madvise,
        SYS_BRK => mem::brk,
        SYS_MSYNC => mem::msync,
        SYS_GETPID => identity::getpid,
        SYS_GETTID => identity::gettid,
        SYS_GETPPID => identity::getppid,
        SYS_GETUID => identity::getuid,
        SYS_GETEUID => identity::geteuid,
        SYS_GETGID => identity::getgid,
        SYS_GETEGID => identity::getegid,
        SYS_GETRESUID => identity::getresuid,
        SYS_GETRESGID => identity::getresgid,
        SYS_GETGROUPS => identity::getgroups,
        SYS_GETPGRP => identity::getpgrp,
        SYS_GETPGID => identity::getpgid,
        SYS_GETSID => identity::getsid,
        SYS_UNAME => identity::uname,
        SYS_ARCH_PRCTL => identity::arch_prctl,
        SYS_SET_TID_ADDRESS => clone::set_tid_address,
        SYS_SET_ROBUST_LIST => robust::set_robust_list,
        SYS_GET_ROBUST_LIST => robust::get_robust_list,
        SYS_CLONE => clone::clone,
        SYS_CLONE3 => clone::clone3,
        SYS_PRLIMIT64 => identity::prlimit64,
        SYS_GETRLIMIT => identity::getrlimit,
        SYS_SETRLIMIT => identity::setrlimit,
        SYS_GETRANDOM => identity::getrandom,
        SYS_SCHED_GETAFFINITY => sched::sched_getaffinity,
        SYS_SCHED_SETAFFINITY => sched::sched_setaffinity,
        SYS_SCHED_YIELD => sched::sched_yield,
        SYS_MEMBARRIER => sched::membarrier,
        SYS_GETCPU => sched::getcpu,
        SYS_SYSINFO => identity::sysinfo,
        SYS_GETRUSAGE => resource::getrusage,
        SYS_TIMES => resource::times,
        SYS_GETPRIORITY => resource::getpriority,
        SYS_SETPRIORITY => resource::setpriority,
        SYS_EXIT => clone::exit,
        SYS_EXIT_GROUP => identity::exit_group,
        SYS_CLOCK_GETTIME => time::clock_gettime,
        SYS_CLOCK_GETRES => time::clock_getres,
        SYS_GETTIMEOFDAY => time::gettimeofday,
        SYS_TIME => time::time,
        SYS_NANOSLEEP => time::nanosleep,
        SYS_CLOCK_NANOSLEEP => time::clock_nanosleep,
        SYS_ALARM => time::alarm,
        SYS_FUTEX => futex::futex,
        SYS_FUTEX_WAITV => futex::futex_waitv,
        SYS_RT_SIGACTION => signal::rt_sigaction,
        SYS_RT_SIGPROCMASK => signal::rt_sigprocmask,
        SYS_SIGALTSTACK => signal::sigaltstack,
        SYS_KILL => signal::kill,
        SYS_TGKILL => signal::tgkill,
        SYS_TKILL => signal::tkill,
        SYS_SOCKET => socket::socket,
        SYS_SOCKETPAIR => socket::socketpair,
        SYS_BIND => socket::bind,
        SYS_LISTEN => socket::listen,
        SYS_ACCEPT => socket::accept,
        SYS_ACCEPT4 => socket::accept4,
        SYS_CONNECT => socket::connect,
        SYS_GETSOCKNAME => socket::getsockname,
        SYS_GETPEERNAME => socket::getpeername,
        SYS_SETSOCKOPT => socket::setsockopt,
        SYS_GETSOCKOPT => socket::getsockopt,
        SYS_SHUTDOWN => socket::shutdown,
        SYS_SENDTO => socket::sendto,
        SYS_RECVFROM => socket::recvfrom,
        SYS_SENDMSG => msg::sendmsg,
        SYS_RECVMSG => msg::recvmsg,
        SYS_SENDMMSG => msg::sendmmsg,
        SYS_RECVMMSG => msg::recvmmsg,
        SYS_SENDFILE => sendfile::sendfile,
        SYS_SPLICE => splice::splice,
        SYS_TEE => splice::tee,
        n if privileged::REFUSED.contains(&n) => privileged::refuse,
        _ => return None,
    })
}

/// Serves one syscall: the single place where an errno becomes a negative return value.
#[inline]
pub fn dispatch(nr: u64, args: &Args, path: EntryPath) -> u64 {
    let start = stats::begin();
    let result = match handler(nr as usize) {
        Some(handle) => handle(args),
        None => Err(unsupported(nr)),
    };
    let raw = match result {
        Ok(value) => value,
        Err(errno) => (-(errno.raw() as i64)) as u64,
    };
    stats::end(nr, start, path);
    if crate::trace::enabled() {
        crate::trace::record(nr, args, raw, path);
    }
    raw
}

fn unsupported(nr: u64) -> Errno {
    crate::trace::log_unsupported_once(nr);
    Errno::ENOSYS
}

#[cfg(test)]
mod tests {
    use junction_abi::{Status, SYSCALLS};

    /// The statuses in tools/abi/linux-x86_64.abi (and so docs/compat.md) must say exactly
    /// which numbers the kernel has a handler for.
    #[test]
    fn table_statuses_match_the_handlers() {
        let mut wrong = Vec::new();
        for info in SYSCALLS {
            let has_handler = super::handler(info.nr).is_some();
            let listed = info.status != Status::Unsupported;
            if has_handler != listed {
                wrong.push(format!(
                    "{} ({}): handler {has_handler}, status {:?}",
                    info.name, info.nr, info.status
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "table and kernel disagree:\n{}",
            wrong.join("\n")
        );
    }
}
