//! Threads: clone and clone3 with CLONE_THREAD, exit, set_tid_address. Each app thread runs
//! on a host thread the kernel starts itself (arch::thread); its virtual tid comes from the
//! thread table (crate::thread). Process-creating clones (fork) come with processes.
//! See docs/design/threads.md.

use junction_abi::{self as abi, structs::CloneArgs, Errno};

use super::Args;
use crate::arch::{context, thread as host_thread};
use crate::state::{self, INSTANCE_PID};
use crate::thread::Thread;
use crate::{sync, user};

/// Flags a thread-creating clone may carry. CLONE_DETACHED is ignored by Linux too.
const THREAD_FLAGS: u64 = abi::CLONE_VM
    | abi::CLONE_FS
    | abi::CLONE_FILES
    | abi::CLONE_SIGHAND
    | abi::CLONE_THREAD
    | abi::CLONE_SYSVSEM
    | abi::CLONE_SETTLS
    | abi::CLONE_PARENT_SETTID
    | abi::CLONE_CHILD_SETTID
    | abi::CLONE_CHILD_CLEARTID
    | abi::CLONE_DETACHED
    | abi::CLONE_IO;
/// What a thread must share for the kernel to serve it: one fd table, one cwd.
const SHARED: u64 = abi::CLONE_VM | abi::CLONE_FS | abi::CLONE_FILES | abi::CLONE_SIGHAND;
const NAMESPACES: u64 = abi::CLONE_NEWNS
    | abi::CLONE_NEWCGROUP
    | abi::CLONE_NEWUTS
    | abi::CLONE_NEWIPC
    | abi::CLONE_NEWUSER
    | abi::CLONE_NEWPID
    | abi::CLONE_NEWNET
    | abi::CLONE_NEWTIME;

/// One clone request, from clone or clone3.
#[derive(Debug)]
struct Request {
    flags: u64,
    stack: Option<u64>,
    parent_tid: u64,
    child_tid: u64,
    tls: u64,
}

/// clone(flags, stack, parent_tid, child_tid, tls) — the x86-64 argument order.
pub fn clone(a: &Args) -> Result<u64, Errno> {
    create(Request {
        flags: a[0] & !abi::CSIGNAL,
        stack: (a[1] != 0).then_some(a[1]),
        parent_tid: a[2],
        child_tid: a[3],
        tls: a[4],
    })
    .map(|tid| tid as u64)
}

const CLONE_ARGS_SIZE_VER0: u64 = 64;

/// clone3(args, size).
pub fn clone3(a: &Args) -> Result<u64, Errno> {
    let size = a[1];
    if !(CLONE_ARGS_SIZE_VER0..=4096).contains(&size) {
        return Err(Errno::EINVAL);
    }
    let args = {
        let k = state::lock();
        let bytes = user::slice(&k.vm.vmas, a[0], size as usize)?;
        let mut raw = [0u8; core::mem::size_of::<CloneArgs>()];
        let n = raw.len().min(bytes.len());
        raw[..n].copy_from_slice(&bytes[..n]);
        // A larger struct from a newer libc: its extra fields must be zero (E2BIG).
        if bytes[n..].iter().any(|&b| b != 0) {
            return Err(Errno::E2BIG);
        }
        let field =
            |i: usize| u64::from_le_bytes(raw[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        CloneArgs {
            flags: field(0),
            pidfd: field(1),
            child_tid: field(2),
            parent_tid: field(3),
            exit_signal: field(4),
            stack: field(5),
            stack_size: field(6),
            tls: field(7),
            set_tid: field(8),
            set_tid_size: field(9),
            cgroup: field(10),
        }
    };
    if args.exit_signal > 64 || (args.stack == 0) != (args.stack_size == 0) {
        return Err(Errno::EINVAL);
    }
    if args.flags & abi::CLONE_THREAD != 0 && args.exit_signal != 0 {
        return Err(Errno::EINVAL);
    }
    // Choosing tids needs CAP_SYS_ADMIN over the pid namespace; the instance has none.
    if args.set_tid_size != 0 {
        return Err(Errno::EPERM);
    }
    create(Request {
        flags: args.flags,
        stack: (args.stack != 0).then(|| args.stack + args.stack_size),
        parent_tid: args.parent_tid,
        child_tid: args.child_tid,
        tls: args.tls,
    })
    .map(|tid| tid as u64)
}

fn create(req: Request) -> Result<i32, Errno> {
    let flags = req.flags;
    // Linux's own consistency rules come first.
    if flags & abi::CLONE_THREAD != 0 && flags & abi::CLONE_SIGHAND == 0
        || flags & abi::CLONE_SIGHAND != 0 && flags & abi::CLONE_VM == 0
    {
        return Err(Errno::EINVAL);
    }
    if flags & NAMESPACES != 0 {
        return Err(Errno::EPERM);
    }
    // New processes (fork, vfork, posix_spawn) and threads with their own fd table or cwd
    // are not served yet.
    if flags & abi::CLONE_THREAD == 0 || flags & SHARED != SHARED || flags & !THREAD_FLAGS != 0 {
        return Err(Errno::ENOSYS);
    }
    let uc = context::current().ucontext;
    if uc.is_null() {
        // Only the SIGSYS path has the app's registers; rewrite.rs keeps clone sites there.
        return Err(Errno::ENOSYS);
    }
    let fs_base = if flags & abi::CLONE_SETTLS != 0 {
        if req.tls >= 0x8000_0000_0000 {
            return Err(Errno::EPERM);
        }
        req.tls
    } else {
        read_fs_base()
    };
    // From here on other threads exist: every lock must be atomic.
    sync::enter_multithreaded();
    let tid = {
        let mut k = state::lock();
        // The tid words must be writable before anything is created.
        if flags & abi::CLONE_PARENT_SETTID != 0 {
            user::out_ptr::<i32>(&k.vm.vmas, req.parent_tid)?;
        }
        if flags & abi::CLONE_CHILD_SETTID != 0 {
            user::out_ptr::<i32>(&k.vm.vmas, req.child_tid)?;
        }
        let mask = k.threads.current().mask;
        let mut thread = Thread::new(0, mask);
        if flags & abi::CLONE_CHILD_CLEARTID != 0 {
            thread.clear_child_tid = req.child_tid;
        }
        let tid = k.threads.add(thread);
        // The app's tid words hold virtual tids, written before the child runs.
        if flags & abi::CLONE_PARENT_SETTID != 0 {
            user::write(&k.vm.vmas, req.parent_tid, &tid)?;
        }
        if flags & abi::CLONE_CHILD_SETTID != 0 {
            user::write(&k.vm.vmas, req.child_tid, &tid)?;
        }
        tid
    };
    let start = host_thread::Start {
        tid,
        stack: req.stack,
        fs_base,
    };
    // SAFETY: uc is the SIGSYS frame of this very call (set by the handler around dispatch).
    match unsafe { host_thread::spawn(uc, start) } {
        Ok(host_tid) => {
            if let Some(t) = state::lock().threads.get_mut(tid) {
                t.host_tid = host_tid;
            }
            Ok(tid)
        }
        Err(e) => {
            state::lock().threads.remove(tid);
            Err(e)
        }
    }
}

fn read_fs_base() -> u64 {
    let fs: u64;
    // SAFETY: reading the FS base, which is the app's (the kernel uses no TLS).
    unsafe {
        core::arch::asm!("rdfsbase {}", out(reg) fs, options(nomem, nostack, preserves_flags))
    };
    fs
}

pub fn set_tid_address(a: &Args) -> Result<u64, Errno> {
    state::lock().threads.current().clear_child_tid = a[0];
    Ok(context::current().tid as u64)
}

/// exit: ends the calling thread only. Its robust locks are released and its
/// clear_child_tid word zeroed and woken (pthread_join waits on it). When the last thread
/// goes, the instance ends with that thread's status: what Linux (6.18, measured by
/// tests/programs/thread_exit.c) reports, even when the main thread exited first with
/// another.
pub fn exit(a: &Args) -> Result<u64, Errno> {
    let code = a[0] as i32 & 0xff;
    let tid = context::current().tid;
    let main = tid == INSTANCE_PID;
    let (gone, left) = state::lock().threads.remove(tid);
    if let Some(thread) = gone {
        super::robust::release_all(tid, thread.robust_list.0);
        clear_child_tid(thread.clear_child_tid);
    }
    if left == 0 {
        crate::start::exit_instance(code);
    }
    host_thread::exit_current(code, main)
}

fn clear_child_tid(addr: u64) {
    if addr == 0 {
        return;
    }
    if user::write(&state::lock().vm.vmas, addr, &0u32).is_ok() {
        super::futex::wake_word(addr, 1);
    }
}
