//! Signal tables and masks, owned by the kernel: rt_sigaction, rt_sigprocmask, sigaltstack,
//! and kill/tgkill/tkill of the instance itself. Delivery of caught signals to app handlers
//! comes with the threads-and-signals work; a signal whose disposition is the default is
//! acted on now (the instance dies by it, exactly as natively).

use junction_abi::{
    self as abi,
    structs::{KernelSigaction, StackT},
    Errno,
};

use super::Args;
use crate::{state, user};

const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;
const SIG_BLOCK: u64 = 0;
const SIG_UNBLOCK: u64 = 1;
const SIG_SETMASK: u64 = 2;
const UNBLOCKABLE: u64 = (1 << (abi::SIGKILL - 1)) | (1 << (abi::SIGSTOP - 1));

fn check_signal(sig: u64) -> Result<usize, Errno> {
    if (1..=64).contains(&sig) {
        Ok(sig as usize)
    } else {
        Err(Errno::EINVAL)
    }
}

pub fn rt_sigaction(a: &Args) -> Result<u64, Errno> {
    let sig = check_signal(a[0])?;
    if a[3] != 8 {
        return Err(Errno::EINVAL);
    }
    let mut k = state::lock();
    let old = k.signals.actions[sig - 1];
    if a[1] != 0 {
        if sig as i32 == abi::SIGKILL || sig as i32 == abi::SIGSTOP {
            return Err(Errno::EINVAL);
        }
        let mut new: KernelSigaction = user::read(&k.vm.vmas, a[1])?;
        new.sa_mask &= !UNBLOCKABLE;
        k.signals.actions[sig - 1] = new;
        // SIGSYS is the kernel's own entry: the app's SIGSYS disposition stays virtual.
        if sig as i32 != abi::SIGSYS {
            mirror_ignore(sig as i32, new.sa_handler);
        }
    }
    if a[2] != 0 {
        user::write(&k.vm.vmas, a[2], &old)?;
    }
    Ok(0)
}

/// Ignoring a signal must hold for signals the host raises on the instance (SIGPIPE from a
/// host pipe, SIGINT from the terminal): mirror SIG_IGN, and SIG_DFL when it is restored.
/// A handler is recorded only (delivery arrives with the signals work), so the host keeps
/// the default action for it.
fn mirror_ignore(sig: i32, handler: u64) {
    let host_handler = if handler == SIG_IGN { SIG_IGN } else { SIG_DFL };
    let action = KernelSigaction {
        sa_handler: host_handler,
        sa_flags: 0,
        sa_restorer: 0,
        sa_mask: 0,
    };
    // SAFETY: SIG_IGN/SIG_DFL need no handler code.
    let _ = unsafe { crate::host::rt_sigaction(sig, Some(&action)) };
}

pub fn rt_sigprocmask(a: &Args) -> Result<u64, Errno> {
    if a[3] != 8 {
        return Err(Errno::EINVAL);
    }
    let mut k = state::lock();
    let old = k.threads.current().mask;
    if a[1] != 0 {
        let set: u64 = user::read(&k.vm.vmas, a[1])?;
        let new = match a[0] {
            SIG_BLOCK => old | set,
            SIG_UNBLOCK => old & !set,
            SIG_SETMASK => set,
            _ => return Err(Errno::EINVAL),
        };
        k.threads.current().mask = new & !UNBLOCKABLE;
    }
    if a[2] != 0 {
        user::write(&k.vm.vmas, a[2], &old)?;
    }
    Ok(0)
}

/// The signal mask ppoll, pselect6 and epoll_pwait take: None when the pointer is NULL;
/// EINVAL unless its size is that of the kernel's sigset (8).
pub fn read_sigmask(addr: u64, size: u64) -> Result<Option<u64>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    user::read(&state::lock().vm.vmas, addr).map(Some)
}

/// Runs `wait` with `mask` as the blocked set and puts the old set back after, as ppoll,
/// pselect6 and epoll_pwait do. Only the recorded mask changes for now: caught signals are
/// not delivered to app handlers yet, so a signal the mask unblocks does not end the wait.
pub fn with_mask<T>(mask: Option<u64>, wait: impl FnOnce() -> T) -> T {
    let Some(mask) = mask else {
        return wait();
    };
    let old = core::mem::replace(
        &mut state::lock().threads.current().mask,
        mask & !UNBLOCKABLE,
    );
    let result = wait();
    state::lock().threads.current().mask = old;
    result
}

const SS_ONSTACK: i32 = 1;
const SS_DISABLE: i32 = 2;
const SS_AUTODISARM: i32 = 1 << 31;

pub fn sigaltstack(a: &Args) -> Result<u64, Errno> {
    let mut k = state::lock();
    let old = k.threads.current().altstack;
    if a[0] != 0 {
        let new: StackT = user::read(&k.vm.vmas, a[0])?;
        if new.ss_flags & !(SS_DISABLE | SS_AUTODISARM | SS_ONSTACK) != 0 {
            return Err(Errno::EINVAL);
        }
        if new.ss_flags & SS_DISABLE == 0
            && new.ss_size < crate::start::host_aux().minsigstksz.max(2048)
        {
            return Err(Errno::ENOMEM);
        }
        k.threads.current().altstack = new;
    }
    if a[1] != 0 {
        let mut reported = old;
        if reported.ss_size == 0 {
            reported.ss_flags = SS_DISABLE;
        }
        user::write(&k.vm.vmas, a[1], &reported)?;
    }
    Ok(0)
}

/// What the default action of a signal does.
fn default_is_ignore(sig: i32) -> bool {
    sig == abi::SIGCHLD || sig == abi::SIGURG || sig == abi::SIGWINCH || sig == abi::SIGCONT
}

/// A signal sent by the app to its own instance: to the thread `tid`, or to the process
/// (None: blocked only if every thread blocks it, as Linux then finds no thread to take it).
fn send_to_self(sig: u64, tid: Option<i32>) -> Result<u64, Errno> {
    let k = state::lock();
    let mask = match tid {
        Some(tid) => k.threads.get(tid).ok_or(Errno::ESRCH)?.mask,
        None => k.threads.common_mask(),
    };
    if sig == 0 {
        return Ok(0);
    }
    let sig = check_signal(sig)? as i32;
    let action = k.signals.actions[sig as usize - 1];
    let blocked = mask & (1 << (sig - 1)) != 0 && sig != abi::SIGKILL && sig != abi::SIGSTOP;
    drop(k);
    if action.sa_handler == SIG_IGN || (action.sa_handler == SIG_DFL && default_is_ignore(sig)) {
        return Ok(0);
    }
    if action.sa_handler == SIG_DFL && !blocked {
        crate::start::flush_before_exit();
        crate::signal_exit::die_by_signal(sig);
    }
    // A caught or blocked signal: queueing and delivery to app handlers are not served yet.
    Err(Errno::ENOSYS)
}

pub fn kill(a: &Args) -> Result<u64, Errno> {
    let pid = a[0] as i32;
    let own = state::lock().pid;
    if pid == own || pid == 0 || pid == -own {
        send_to_self(a[1], None)
    } else if pid == -1 {
        Err(Errno::EPERM)
    } else {
        Err(Errno::ESRCH)
    }
}

/// tgkill and tkill name one of the instance's threads by virtual tid. Until signal
/// delivery arrives, the target only matters for its mask and for ESRCH: a default fatal
/// action ends the whole instance from whichever thread, as it does on Linux.
pub fn tgkill(a: &Args) -> Result<u64, Errno> {
    let own = state::lock().pid;
    if (a[0] as i32) <= 0 || (a[1] as i32) <= 0 {
        return Err(Errno::EINVAL);
    }
    if a[0] as i32 != own {
        return Err(Errno::ESRCH);
    }
    send_to_self(a[2], Some(a[1] as i32))
}

pub fn tkill(a: &Args) -> Result<u64, Errno> {
    if (a[0] as i32) <= 0 {
        return Err(Errno::EINVAL);
    }
    send_to_self(a[1], Some(a[0] as i32))
}

/// A write to a pipe without readers raises SIGPIPE on the writer.
pub fn raise_sigpipe() {
    let _ = send_to_self(
        abi::SIGPIPE as u64,
        Some(crate::arch::context::current().tid),
    );
}
