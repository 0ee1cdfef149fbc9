//! The host module: every call the kernel makes to the host kernel goes through here.
//!
//! Each wrapper is typed and returns `Result<_, Errno>`; the raw instruction is in [`raw`].
//! After start-up a seccomp filter (crate::seccomp) allows exactly the calls listed in
//! [`ALLOWED`], and only from this module's code range.

pub mod net;
pub mod raw;

use junction_abi::{self as abi, Errno};

/// The host calls the kernel makes after start-up, with why. The seccomp filter allows these
/// and nothing else; `docs/security.md` lists them.
pub const ALLOWED: &[(usize, &str)] = &[
    (
        abi::SYS_READ,
        "data of host files, stdin and host pipes the instance was given",
    ),
    (abi::SYS_WRITE, "stdout/stderr and host files"),
    (
        abi::SYS_PREAD64,
        "file reads at an offset the kernel tracks",
    ),
    (
        abi::SYS_PWRITE64,
        "file writes at an offset the kernel tracks",
    ),
    (abi::SYS_READV, "vectored reads of host files"),
    (abi::SYS_WRITEV, "vectored writes of host files"),
    (
        abi::SYS_OPENAT2,
        "opening files beneath the instance root (RESOLVE_IN_ROOT); the limits cgroup at exit",
    ),
    (abi::SYS_CLOSE, "closing host files the kernel opened"),
    (abi::SYS_FSTAT, "metadata of open host files"),
    (
        abi::SYS_FSTATFS,
        "file system sizes of host files (statfs, fstatfs)",
    ),
    (
        abi::SYS_NEWFSTATAT,
        "metadata of host files beneath the root",
    ),
    (abi::SYS_STATX, "metadata of host files beneath the root"),
    (
        abi::SYS_LSEEK,
        "seeking host files (directories, end of file)",
    ),
    (
        abi::SYS_GETDENTS64,
        "directory listings of host directories",
    ),
    (abi::SYS_READLINKAT, "symlinks beneath the root"),
    (abi::SYS_FACCESSAT2, "permission checks beneath the root"),
    (
        abi::SYS_IOCTL,
        "terminal ioctls on the instance's stdio (TCGETS, TIOCGWINSZ, ...)",
    ),
    (abi::SYS_FCNTL, "status flags of host files"),
    (
        abi::SYS_GETXATTR,
        "extended attributes of host files beneath the root (named by /proc/self/fd/N)",
    ),
    (
        abi::SYS_LISTXATTR,
        "extended attributes of host files beneath the root",
    ),
    (
        abi::SYS_SETXATTR,
        "extended attributes of host files in writable paths",
    ),
    (
        abi::SYS_REMOVEXATTR,
        "extended attributes of host files in writable paths",
    ),
    (abi::SYS_MKDIRAT, "directory operations in writable paths"),
    (
        abi::SYS_UNLINKAT,
        "directory operations in writable paths; removing the limits cgroup at exit",
    ),
    (abi::SYS_RENAMEAT2, "directory operations in writable paths"),
    (
        abi::SYS_FTRUNCATE,
        "truncating host files in writable paths",
    ),
    (abi::SYS_FSYNC, "flushing host files"),
    (abi::SYS_FDATASYNC, "flushing host files"),
    (abi::SYS_FCHMOD, "modes of host files in writable paths"),
    (
        abi::SYS_FCHMODAT2,
        "modes of host files in writable paths, by an O_PATH fd (AT_EMPTY_PATH)",
    ),
    (
        abi::SYS_FCHOWNAT,
        "owners of host files in writable paths, by fd (AT_EMPTY_PATH)",
    ),
    (
        abi::SYS_UTIMENSAT,
        "timestamps of host files in writable paths, by fd (AT_EMPTY_PATH)",
    ),
    (
        abi::SYS_SYMLINKAT,
        "symlinks in writable paths, by parent directory fd",
    ),
    (
        abi::SYS_LINKAT,
        "hard links within writable paths, by parent directory fds",
    ),
    (
        abi::SYS_MMAP,
        "app memory at addresses the kernel chose; file mappings",
    ),
    (
        abi::SYS_MUNMAP,
        "releasing memory below the reserved window",
    ),
    (
        abi::SYS_MPROTECT,
        "protections of app memory; rewriting syscall sites",
    ),
    (abi::SYS_MREMAP, "moving and growing app mappings"),
    (abi::SYS_MADVISE, "page residency hints the host owns"),
    (abi::SYS_MSYNC, "flushing shared file mappings"),
    (abi::SYS_MINCORE, "page residency the host owns"),
    (
        abi::SYS_MEMFD_CREATE,
        "backing store of tmpfs files (mmap-able)",
    ),
    (
        abi::SYS_PPOLL,
        "waiting on host fds (stdio, sockets) when the app blocks",
    ),
    (abi::SYS_RT_SIGACTION, "the kernel's own signal handlers"),
    (
        abi::SYS_RT_SIGPROCMASK,
        "blocking host signals while the kernel works",
    ),
    (
        abi::SYS_RT_SIGRETURN,
        "leaving the kernel's signal handlers",
    ),
    (
        abi::SYS_SIGALTSTACK,
        "the kernel's per-thread signal stacks",
    ),
    (
        abi::SYS_TGKILL,
        "a fatal signal the app raised, delivered to the instance itself",
    ),
    (
        abi::SYS_GETPID,
        "the host pid, to signal the instance itself",
    ),
    (
        abi::SYS_GETTID,
        "the host tid, to signal the instance itself",
    ),
    (abi::SYS_CLOCK_GETTIME, "time, when the vDSO cannot answer"),
    (abi::SYS_CLOCK_NANOSLEEP, "sleeping"),
    (abi::SYS_GETRANDOM, "entropy for getrandom and AT_RANDOM"),
    (abi::SYS_SCHED_YIELD, "yielding the core"),
    (
        abi::SYS_SCHED_GETAFFINITY,
        "the cores the instance's threads may use",
    ),
    (
        abi::SYS_SCHED_SETAFFINITY,
        "sched_setaffinity of the calling thread",
    ),
    (
        abi::SYS_MEMBARRIER,
        "membarrier for the instance's threads (runtimes' JITs, RCU)",
    ),
    (abi::SYS_GETCPU, "getcpu of the calling thread"),
    (
        abi::SYS_CLONE,
        "starting the host thread of an app thread; only with the thread flags",
    ),
    (
        abi::SYS_GETRUSAGE,
        "CPU time and memory use of the instance (getrusage forwarded, times)",
    ),
    (abi::SYS_EXIT_GROUP, "ending the instance"),
    (abi::SYS_EXIT, "ending a thread"),
    (abi::SYS_PRCTL, "syscall user dispatch"),
    (
        abi::SYS_ARCH_PRCTL,
        "GS base of each thread (the kernel's per-thread context)",
    ),
    (
        abi::SYS_FUTEX,
        "sleeping while the app waits on a kernel object; app futexes",
    ),
    (abi::SYS_FUTEX_WAITV, "futex_waitv on app futex words"),
    (
        abi::SYS_SOCKET,
        "the instance's sockets are host sockets the kernel owns (forwarding)",
    ),
    (
        abi::SYS_SOCKETPAIR,
        "socketpair of the instance, forwarded",
    ),
    (
        abi::SYS_BIND,
        "binding the instance's sockets (unix paths beneath the root, or per-instance abstract names)",
    ),
    (
        abi::SYS_LISTEN,
        "listening sockets of the instance",
    ),
    (
        abi::SYS_ACCEPT4,
        "accept and accept4 of the instance, forwarded",
    ),
    (
        abi::SYS_CONNECT,
        "connecting the instance's sockets",
    ),
    (
        abi::SYS_GETSOCKNAME,
        "addresses of the instance's sockets",
    ),
    (
        abi::SYS_GETPEERNAME,
        "addresses of the instance's sockets",
    ),
    (
        abi::SYS_SETSOCKOPT,
        "socket options of the instance's sockets",
    ),
    (
        abi::SYS_GETSOCKOPT,
        "socket options; SO_ERROR and timeouts of blocking calls",
    ),
    (
        abi::SYS_SHUTDOWN,
        "shutdown of the instance's sockets",
    ),
    (
        abi::SYS_SENDMSG,
        "every send on a socket (send, sendto, sendmsg, write)",
    ),
    (
        abi::SYS_RECVMSG,
        "every receive on a socket (recv, recvfrom, recvmsg, read)",
    ),
];

/// Allowed calls whose first argument must be exactly this value (the seccomp filter checks
/// it): clone only with the flags of a thread (so never a new host process), and
/// sched_setaffinity only for the calling thread (0).
pub const FIRST_ARG_ONLY: &[(usize, u64)] = &[
    (abi::SYS_CLONE, crate::arch::thread::HOST_THREAD_FLAGS),
    (abi::SYS_SCHED_SETAFFINITY, 0),
];

#[inline(always)]
fn check(raw: isize) -> Result<usize, Errno> {
    if (-4095..0).contains(&raw) {
        Err(Errno::from_raw(-raw as i32).unwrap_or(Errno::EIO))
    } else {
        Ok(raw as usize)
    }
}

/// A host call with up to six arguments.
///
/// # Safety
/// As [`raw::syscall6`]: pointer arguments must be valid for the call.
#[inline(always)]
pub unsafe fn call(nr: usize, args: [usize; 6]) -> Result<usize, Errno> {
    crate::arch::context::count_host_call();
    // SAFETY: forwarded to the caller.
    check(unsafe { raw::syscall6(nr, args) })
}

macro_rules! args {
    ($($a:expr),*) => {{
        let mut out = [0usize; 6];
        let given = [$($a as usize),*];
        let mut i = 0;
        while i < given.len() { out[i] = given[i]; i += 1; }
        out
    }};
}
pub(crate) use args;

pub fn write(fd: i32, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: buf is a valid slice.
    unsafe { call(abi::SYS_WRITE, args!(fd, buf.as_ptr(), buf.len())) }
}

pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: buf is a valid, writable slice.
    unsafe { call(abi::SYS_READ, args!(fd, buf.as_mut_ptr(), buf.len())) }
}

pub fn pread(fd: i32, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
    // SAFETY: buf is a valid, writable slice.
    unsafe {
        call(
            abi::SYS_PREAD64,
            args!(fd, buf.as_mut_ptr(), buf.len(), offset),
        )
    }
}

pub fn pwrite(fd: i32, buf: &[u8], offset: u64) -> Result<usize, Errno> {
    // SAFETY: buf is a valid slice.
    unsafe {
        call(
            abi::SYS_PWRITE64,
            args!(fd, buf.as_ptr(), buf.len(), offset),
        )
    }
}

/// Writes all of `buf`, retrying short writes and EINTR.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(0) => return Err(Errno::EIO),
            Ok(n) => buf = &buf[n.min(buf.len())..],
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub fn close(fd: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    unsafe { call(abi::SYS_CLOSE, args!(fd)) }.map(|_| ())
}

/// `openat2(dirfd, path, how)`; `path` must end in NUL.
pub fn openat2(dirfd: i32, path: &[u8], flags: u64, mode: u64, resolve: u64) -> Result<i32, Errno> {
    debug_assert_eq!(path.last(), Some(&0));
    let how = abi::structs::OpenHow {
        flags,
        mode,
        resolve,
    };
    // SAFETY: path is NUL-terminated; how is a valid open_how of its size.
    unsafe {
        call(
            abi::SYS_OPENAT2,
            args!(
                dirfd,
                path.as_ptr(),
                &how as *const abi::structs::OpenHow,
                abi::structs::OpenHow::SIZE
            ),
        )
    }
    .map(|fd| fd as i32)
}

pub fn fstat(fd: i32) -> Result<abi::structs::Stat, Errno> {
    let mut st = abi::structs::Stat::zeroed();
    // SAFETY: st is a valid struct stat.
    unsafe {
        call(
            abi::SYS_FSTAT,
            args!(fd, &mut st as *mut abi::structs::Stat),
        )
    }?;
    Ok(st)
}

/// `newfstatat(dirfd, path, flags)`; `path` must end in NUL.
pub fn fstatat(dirfd: i32, path: &[u8], flags: u64) -> Result<abi::structs::Stat, Errno> {
    debug_assert_eq!(path.last(), Some(&0));
    let mut st = abi::structs::Stat::zeroed();
    // SAFETY: path is NUL-terminated, st is a valid struct stat.
    unsafe {
        call(
            abi::SYS_NEWFSTATAT,
            args!(
                dirfd,
                path.as_ptr(),
                &mut st as *mut abi::structs::Stat,
                flags
            ),
        )
    }?;
    Ok(st)
}

/// `statx(fd, "", AT_EMPTY_PATH | sync, mask)`: the file behind a host fd (O_PATH too).
pub fn statx(fd: i32, sync: u32, mask: u32) -> Result<abi::structs::Statx, Errno> {
    const AT_EMPTY_PATH: u32 = 0x1000;
    let mut x = abi::structs::Statx::zeroed();
    // SAFETY: the path is an empty C string, x a writable struct statx of its full size.
    unsafe {
        call(
            abi::SYS_STATX,
            args!(
                fd,
                c"".as_ptr(),
                AT_EMPTY_PATH | sync,
                mask,
                &mut x as *mut abi::structs::Statx
            ),
        )
    }?;
    Ok(x)
}

pub fn lseek(fd: i32, offset: i64, whence: u32) -> Result<u64, Errno> {
    // SAFETY: no pointers.
    unsafe { call(abi::SYS_LSEEK, args!(fd, offset, whence)) }.map(|v| v as u64)
}

pub fn getdents64(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: buf is writable.
    unsafe { call(abi::SYS_GETDENTS64, args!(fd, buf.as_mut_ptr(), buf.len())) }
}

/// `readlinkat(dirfd, path)`; `path` must end in NUL.
pub fn readlinkat(dirfd: i32, path: &[u8], buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: path is NUL-terminated, buf writable.
    unsafe {
        call(
            abi::SYS_READLINKAT,
            args!(dirfd, path.as_ptr(), buf.as_mut_ptr(), buf.len()),
        )
    }
}

/// # Safety
/// Mapping over memory in use (MAP_FIXED) replaces it: the caller owns that range.
pub unsafe fn mmap(
    addr: usize,
    len: usize,
    prot: u64,
    flags: u64,
    fd: i32,
    offset: u64,
) -> Result<usize, Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { call(abi::SYS_MMAP, args!(addr, len, prot, flags, fd, offset)) }
}

/// # Safety
/// The caller owns the range.
pub unsafe fn munmap(addr: usize, len: usize) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { call(abi::SYS_MUNMAP, args!(addr, len)) }.map(|_| ())
}

/// # Safety
/// The caller owns the range.
pub unsafe fn mprotect(addr: usize, len: usize, prot: u64) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { call(abi::SYS_MPROTECT, args!(addr, len, prot)) }.map(|_| ())
}

pub fn getrandom(buf: &mut [u8], flags: u32) -> Result<usize, Errno> {
    // SAFETY: buf is writable.
    unsafe {
        call(
            abi::SYS_GETRANDOM,
            args!(buf.as_mut_ptr(), buf.len(), flags),
        )
    }
}

/// Fills `buf` with host entropy.
pub fn random_bytes(buf: &mut [u8]) {
    let mut done = 0;
    while done < buf.len() {
        match getrandom(&mut buf[done..], 0) {
            Ok(n) => done += n,
            Err(Errno::EINTR) => {}
            Err(_) => break,
        }
    }
}

pub fn clock_gettime(clock: u32) -> Result<abi::structs::Timespec, Errno> {
    let mut ts = abi::structs::Timespec::zeroed();
    // SAFETY: ts is a valid timespec.
    unsafe {
        call(
            abi::SYS_CLOCK_GETTIME,
            args!(clock, &mut ts as *mut abi::structs::Timespec),
        )
    }?;
    Ok(ts)
}

pub fn exit_group(code: i32) -> ! {
    // SAFETY: ends the process.
    let _ = unsafe { call(abi::SYS_EXIT_GROUP, args!(code)) };
    // exit_group cannot fail; if the filter ever stopped it, do not return into the caller.
    loop {
        core::hint::spin_loop();
    }
}

pub fn getpid() -> i32 {
    // SAFETY: no arguments.
    unsafe { call(abi::SYS_GETPID, [0; 6]) }.map_or(0, |v| v as i32)
}

pub fn gettid() -> i32 {
    // SAFETY: no arguments.
    unsafe { call(abi::SYS_GETTID, [0; 6]) }.map_or(0, |v| v as i32)
}

pub fn tgkill(pid: i32, tid: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    unsafe { call(abi::SYS_TGKILL, args!(pid, tid, sig)) }.map(|_| ())
}

/// # Safety
/// `act` must be a valid kernel sigaction whose handler is kernel code.
pub unsafe fn rt_sigaction(
    sig: i32,
    act: Option<&abi::structs::KernelSigaction>,
) -> Result<abi::structs::KernelSigaction, Errno> {
    let mut old = abi::structs::KernelSigaction::zeroed();
    let act_ptr = act.map_or(core::ptr::null(), |a| {
        a as *const abi::structs::KernelSigaction
    });
    // SAFETY: forwarded to the caller; old is writable.
    unsafe {
        call(
            abi::SYS_RT_SIGACTION,
            args!(
                sig,
                act_ptr,
                &mut old as *mut abi::structs::KernelSigaction,
                8
            ),
        )
    }?;
    Ok(old)
}

pub fn rt_sigprocmask(how: u32, set: Option<u64>) -> Result<u64, Errno> {
    let mut old: u64 = 0;
    let set_val = set.unwrap_or(0);
    let set_ptr = if set.is_some() {
        &set_val as *const u64
    } else {
        core::ptr::null()
    };
    // SAFETY: set and old are valid 8-byte sigsets.
    unsafe {
        call(
            abi::SYS_RT_SIGPROCMASK,
            args!(how, set_ptr, &mut old as *mut u64, 8),
        )
    }?;
    Ok(old)
}

/// # Safety
/// The stack must stay mapped while it is installed.
pub unsafe fn sigaltstack(stack: &abi::structs::StackT) -> Result<(), Errno> {
    // SAFETY: forwarded to the caller.
    unsafe {
        call(
            abi::SYS_SIGALTSTACK,
            args!(stack as *const abi::structs::StackT, 0),
        )
    }
    .map(|_| ())
}

/// # Safety
/// prctl options can change the process in any way; the caller knows which one it uses.
pub unsafe fn prctl(option: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> Result<usize, Errno> {
    // SAFETY: forwarded to the caller.
    unsafe { call(abi::SYS_PRCTL, args!(option, a2, a3, a4, a5)) }
}

pub fn ioctl(fd: i32, request: u64, arg: usize) -> Result<usize, Errno> {
    // SAFETY: callers pass requests whose argument is `arg`'s memory of the right size.
    unsafe { call(abi::SYS_IOCTL, args!(fd, request, arg)) }
}

pub fn fcntl(fd: i32, cmd: u32, arg: u64) -> Result<usize, Errno> {
    // SAFETY: the commands the kernel uses take integers.
    unsafe { call(abi::SYS_FCNTL, args!(fd, cmd, arg)) }
}

pub fn mkdirat(dirfd: i32, name: &[u8], mode: u32) -> Result<(), Errno> {
    debug_assert_eq!(name.last(), Some(&0));
    // SAFETY: name is NUL-terminated.
    unsafe { call(abi::SYS_MKDIRAT, args!(dirfd, name.as_ptr(), mode)) }.map(|_| ())
}

pub fn unlinkat(dirfd: i32, name: &[u8], flags: u32) -> Result<(), Errno> {
    debug_assert_eq!(name.last(), Some(&0));
    // SAFETY: name is NUL-terminated.
    unsafe { call(abi::SYS_UNLINKAT, args!(dirfd, name.as_ptr(), flags)) }.map(|_| ())
}

pub fn renameat2(
    old_dir: i32,
    old: &[u8],
    new_dir: i32,
    new: &[u8],
    flags: u32,
) -> Result<(), Errno> {
    debug_assert!(old.last() == Some(&0) && new.last() == Some(&0));
    // SAFETY: both names are NUL-terminated.
    unsafe {
        call(
            abi::SYS_RENAMEAT2,
            args!(old_dir, old.as_ptr(), new_dir, new.as_ptr(), flags),
        )
    }
    .map(|_| ())
}

const AT_EMPTY_PATH: u32 = 0x1000;
/// The path of the *at calls that act on the fd itself (with AT_EMPTY_PATH).
const EMPTY_PATH: &core::ffi::CStr = c"";

/// fchmod(2) of an open (not O_PATH) host fd.
pub fn fchmod(fd: i32, mode: u32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    unsafe { call(abi::SYS_FCHMOD, args!(fd, mode)) }.map(|_| ())
}

/// fchmodat2(fd, "", mode, AT_EMPTY_PATH): the mode of the file behind any fd, O_PATH too
/// (Linux 6.6+).
pub fn fchmod_path_fd(fd: i32, mode: u32) -> Result<(), Errno> {
    // SAFETY: the path is a NUL-terminated empty string.
    unsafe {
        call(
            abi::SYS_FCHMODAT2,
            args!(fd, EMPTY_PATH.as_ptr(), mode, AT_EMPTY_PATH),
        )
    }
    .map(|_| ())
}

/// fchownat(fd, "", uid, gid, AT_EMPTY_PATH); u32::MAX keeps an id.
pub fn fchown(fd: i32, uid: u32, gid: u32) -> Result<(), Errno> {
    // SAFETY: the path is a NUL-terminated empty string.
    unsafe {
        call(
            abi::SYS_FCHOWNAT,
            args!(fd, EMPTY_PATH.as_ptr(), uid, gid, AT_EMPTY_PATH),
        )
    }
    .map(|_| ())
}

/// utimensat(fd, "", times, AT_EMPTY_PATH): atime and mtime of the file behind any fd.
pub fn futimens(fd: i32, times: &[abi::structs::Timespec; 2]) -> Result<(), Errno> {
    // SAFETY: the path is a NUL-terminated empty string; times is two valid timespecs.
    unsafe {
        call(
            abi::SYS_UTIMENSAT,
            args!(fd, EMPTY_PATH.as_ptr(), times.as_ptr(), AT_EMPTY_PATH),
        )
    }
    .map(|_| ())
}

/// symlinkat(target, dirfd, name); both must end in NUL.
pub fn symlinkat(target: &[u8], dirfd: i32, name: &[u8]) -> Result<(), Errno> {
    debug_assert!(target.last() == Some(&0) && name.last() == Some(&0));
    // SAFETY: both strings are NUL-terminated.
    unsafe {
        call(
            abi::SYS_SYMLINKAT,
            args!(target.as_ptr(), dirfd, name.as_ptr()),
        )
    }
    .map(|_| ())
}

/// linkat(old_dir, old, new_dir, new, 0): a symlink at `old` is linked itself, not followed.
pub fn linkat(old_dir: i32, old: &[u8], new_dir: i32, new: &[u8]) -> Result<(), Errno> {
    debug_assert!(old.last() == Some(&0) && new.last() == Some(&0));
    // SAFETY: both names are NUL-terminated.
    unsafe {
        call(
            abi::SYS_LINKAT,
            args!(old_dir, old.as_ptr(), new_dir, new.as_ptr(), 0),
        )
    }
    .map(|_| ())
}

/// linkat(fd, "", new_dir, new, AT_EMPTY_PATH): a new name for the file behind `fd`.
pub fn link_fd(fd: i32, new_dir: i32, new: &[u8]) -> Result<(), Errno> {
    debug_assert_eq!(new.last(), Some(&0));
    // SAFETY: both names are NUL-terminated.
    unsafe {
        call(
            abi::SYS_LINKAT,
            args!(
                fd,
                EMPTY_PATH.as_ptr(),
                new_dir,
                new.as_ptr(),
                AT_EMPTY_PATH
            ),
        )
    }
    .map(|_| ())
}

/// getxattr(2) of a host path (an fd named through /proc/self/fd). An empty `value` asks
/// for the size.
pub fn getxattr(path: &[u8], name: &[u8], value: &mut [u8]) -> Result<usize, Errno> {
    debug_assert!(path.last() == Some(&0) && name.last() == Some(&0));
    let ptr = if value.is_empty() {
        core::ptr::null_mut()
    } else {
        value.as_mut_ptr()
    };
    // SAFETY: path and name are NUL-terminated; value is writable for its length.
    unsafe {
        call(
            abi::SYS_GETXATTR,
            args!(path.as_ptr(), name.as_ptr(), ptr, value.len()),
        )
    }
}

pub fn listxattr(path: &[u8], list: &mut [u8]) -> Result<usize, Errno> {
    debug_assert_eq!(path.last(), Some(&0));
    let ptr = if list.is_empty() {
        core::ptr::null_mut()
    } else {
        list.as_mut_ptr()
    };
    // SAFETY: path is NUL-terminated; list is writable for its length.
    unsafe { call(abi::SYS_LISTXATTR, args!(path.as_ptr(), ptr, list.len())) }
}

pub fn setxattr(path: &[u8], name: &[u8], value: &[u8], flags: u32) -> Result<(), Errno> {
    debug_assert!(path.last() == Some(&0) && name.last() == Some(&0));
    // SAFETY: path and name are NUL-terminated; value is readable for its length.
    unsafe {
        call(
            abi::SYS_SETXATTR,
            args!(
                path.as_ptr(),
                name.as_ptr(),
                value.as_ptr(),
                value.len(),
                flags
            ),
        )
    }
    .map(|_| ())
}

pub fn removexattr(path: &[u8], name: &[u8]) -> Result<(), Errno> {
    debug_assert!(path.last() == Some(&0) && name.last() == Some(&0));
    // SAFETY: path and name are NUL-terminated.
    unsafe { call(abi::SYS_REMOVEXATTR, args!(path.as_ptr(), name.as_ptr())) }.map(|_| ())
}

/// msync(2) of a range the caller has checked is mapped (it only flushes; memory is not
/// changed).
pub fn msync(addr: usize, len: usize, flags: u32) -> Result<(), Errno> {
    // SAFETY: no memory is read or written through the arguments.
    unsafe { call(abi::SYS_MSYNC, args!(addr, len, flags)) }.map(|_| ())
}

pub fn fstatfs(fd: i32) -> Result<abi::structs::Statfs, Errno> {
    let mut st = abi::structs::Statfs::zeroed();
    // SAFETY: st is a writable statfs.
    unsafe {
        call(
            abi::SYS_FSTATFS,
            args!(fd, &mut st as *mut abi::structs::Statfs),
        )
    }?;
    Ok(st)
}

/// getrusage(2) of the host process (RUSAGE_SELF) or the calling thread (RUSAGE_THREAD).
pub fn getrusage(who: i32) -> Result<abi::structs::Rusage, Errno> {
    let mut ru = abi::structs::Rusage::zeroed();
    // SAFETY: ru is a writable rusage.
    unsafe {
        call(
            abi::SYS_GETRUSAGE,
            args!(who, &mut ru as *mut abi::structs::Rusage),
        )
    }?;
    Ok(ru)
}

/// The instance's user and system CPU time, in clock ticks (100 per second).
pub fn cpu_ticks() -> (u64, u64) {
    let Ok(ru) = getrusage(0) else {
        return (0, 0);
    };
    let ticks = |sec: i64, usec: i64| sec as u64 * 100 + usec as u64 / 10_000;
    (
        ticks(ru.ru_utime_sec, ru.ru_utime_usec),
        ticks(ru.ru_stime_sec, ru.ru_stime_usec),
    )
}

pub fn memfd_create(name: &[u8], flags: u32) -> Result<i32, Errno> {
    debug_assert_eq!(name.last(), Some(&0));
    // SAFETY: name is NUL-terminated.
    unsafe { call(abi::SYS_MEMFD_CREATE, args!(name.as_ptr(), flags)) }.map(|fd| fd as i32)
}

pub fn ftruncate(fd: i32, len: u64) -> Result<(), Errno> {
    // SAFETY: no pointers.
    unsafe { call(abi::SYS_FTRUNCATE, args!(fd, len)) }.map(|_| ())
}

pub fn sched_getaffinity(mask: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: mask is writable.
    unsafe {
        call(
            abi::SYS_SCHED_GETAFFINITY,
            args!(0, mask.len(), mask.as_mut_ptr()),
        )
    }
}

pub fn ppoll(
    fds: &mut [abi::structs::Pollfd],
    timeout: Option<&abi::structs::Timespec>,
) -> Result<usize, Errno> {
    let t = timeout.map_or(core::ptr::null(), |t| t as *const abi::structs::Timespec);
    // SAFETY: fds is a writable pollfd array; t a valid timespec or null.
    unsafe { call(abi::SYS_PPOLL, args!(fds.as_mut_ptr(), fds.len(), t, 0, 8)) }
}

#[cfg(test)]
mod tests {
    /// docs/security.md lists every allowed host call and nothing else.
    #[test]
    fn security_doc_lists_the_allowed_calls() {
        let doc = include_str!("../../../../docs/security.md");
        let listed: Vec<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let allowed: Vec<&str> = super::ALLOWED
            .iter()
            .map(|&(nr, _)| {
                junction_abi::SYSCALLS
                    .iter()
                    .find(|s| s.nr == nr)
                    .map_or("?", |s| s.name)
            })
            .collect();
        assert_eq!(
            listed, allowed,
            "update docs/security.md from host::ALLOWED"
        );
    }
}
