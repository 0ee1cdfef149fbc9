//! The kernel's state for the instance: everything it owns and will snapshot.

use alloc::string::String;
use alloc::vec::Vec;

use junction_abi::structs::{KernelSigaction, Rlimit};

use crate::fs::{fdtable::FdTable, vfs::Vfs};
use crate::mm::Vm;
use crate::sync::{SpinGuard, SpinLock};
use crate::thread::Threads;

/// The virtual pid of the instance's first process (and tid of its main thread). Not 1:
/// programs treat pid 1 as init.
pub const INSTANCE_PID: i32 = 2;
/// Its parent's virtual pid: the instance's notional init.
pub const INSTANCE_PPID: i32 = 1;

pub const RLIMIT_COUNT: usize = 16;

#[derive(Debug)]
pub struct SignalState {
    /// Dispositions for signals 1..=64 (index sig-1).
    pub actions: [KernelSigaction; 64],
}

#[derive(Debug)]
pub struct Kernel {
    pub pid: i32,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    pub vm: Vm,
    pub fds: FdTable,
    pub vfs: Vfs,
    pub cwd: String,
    pub umask: u32,
    pub rlimits: [Rlimit; RLIMIT_COUNT],
    /// The process's nice value (-20..=19): kept by the kernel, not applied to the host.
    pub nice: i32,
    pub signals: SignalState,
    /// The program's path in the instance (/proc/self/exe).
    pub exe: String,
    /// The name Linux would give the process: the executed file's base name, 15 bytes at
    /// most (/proc/self/comm, the Name: of status).
    pub comm: String,
    /// NUL-separated argv (/proc/self/cmdline).
    pub cmdline: Vec<u8>,
    /// The auxv the app was started with (/proc/self/auxv).
    pub auxv: Vec<(u64, u64)>,
    /// The live threads and what each owns (mask, altstack, clear_child_tid, robust list).
    pub threads: Threads,
}

static KERNEL: SpinLock<Option<Kernel>> = SpinLock::new(None);

/// Installs the state once, at start-up.
pub fn install(kernel: Kernel) {
    *KERNEL.lock() = Some(kernel);
}

/// A locked view of the state. Handlers hold it only for table work, never across a wait.
#[derive(Debug)]
pub struct KernelGuard(SpinGuard<'static, Option<Kernel>>);

impl core::ops::Deref for KernelGuard {
    type Target = Kernel;
    fn deref(&self) -> &Kernel {
        match &*self.0 {
            Some(k) => k,
            None => crate::host::exit_group(70),
        }
    }
}

impl core::ops::DerefMut for KernelGuard {
    fn deref_mut(&mut self) -> &mut Kernel {
        match &mut *self.0 {
            Some(k) => k,
            None => crate::host::exit_group(70),
        }
    }
}

pub fn lock() -> KernelGuard {
    KernelGuard(KERNEL.lock())
}

/// Default rlimits: the host's own, as the instance inherits them.
pub fn host_rlimits() -> [Rlimit; RLIMIT_COUNT] {
    let mut limits = [Rlimit {
        rlim_cur: u64::MAX,
        rlim_max: u64::MAX,
    }; RLIMIT_COUNT];
    for (resource, slot) in limits.iter_mut().enumerate() {
        let mut value = Rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: prlimit64(0, resource, NULL, &value) reads one rlimit.
        let got = unsafe {
            crate::host::call(
                junction_abi::SYS_PRLIMIT64,
                crate::host::args!(0, resource, 0, &mut value as *mut Rlimit),
            )
        };
        if got.is_ok() {
            *slot = value;
        }
    }
    limits
}
