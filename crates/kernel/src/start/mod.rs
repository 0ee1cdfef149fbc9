//! Start-up: read the command line and the host's auxv, set up the instance (VFS, memory
//! window, vDSO, fds), load the program, turn interception on, lock down with seccomp and
//! jump into the app. Also the instance's exit.

pub mod info;
pub mod limits;
pub mod options;

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use junction_abi::{
    structs::{KernelSigaction, Sysinfo},
    Errno,
};

use crate::arch::{context, sigsys, sud, trampoline};
use crate::fs::{
    fdtable::{FdEntry, FdTable},
    file::OpenFile,
    host_file::HostFile,
    vfs::{BindError, Vfs},
};
use crate::loader::{self, auxv::HostAux};
use crate::mm::{
    self, layout,
    vma::{Backing, Vma},
    Vm,
};
use crate::state::{self, Kernel, SignalState, INSTANCE_PID, INSTANCE_PPID};
use crate::thread::Threads;
use crate::{host, print, sync::SpinLock};

static HOST_AUX: SpinLock<HostAux> = SpinLock::new(HostAux {
    sysinfo_ehdr: 0,
    hwcap: 0,
    hwcap2: 0,
    clktck: 100,
    minsigstksz: 0,
    uid: 0,
    euid: 0,
    gid: 0,
    egid: 0,
});
static HOST_UTS: SpinLock<Option<junction_abi::structs::Utsname>> = SpinLock::new(None);
static HOST_SYSINFO: SpinLock<Option<Sysinfo>> = SpinLock::new(None);
static HOST_GROUPS: SpinLock<Vec<u32>> = SpinLock::new(Vec::new());
static LOG_UNSUPPORTED: AtomicBool = AtomicBool::new(false);
static STATS_START: AtomicU64 = AtomicU64::new(0);
static STATS_START_NS: AtomicU64 = AtomicU64::new(0);
static STATS_JSON: SpinLock<Option<String>> = SpinLock::new(None);

pub fn host_aux() -> HostAux {
    *HOST_AUX.lock()
}

pub fn host_uname() -> junction_abi::structs::Utsname {
    HOST_UTS.lock().unwrap_or(junction_abi::structs::Utsname {
        sysname: [0; 65],
        nodename: [0; 65],
        release: [0; 65],
        version: [0; 65],
        machine: [0; 65],
        domainname: [0; 65],
    })
}

pub fn host_sysinfo() -> Sysinfo {
    HOST_SYSINFO.lock().unwrap_or_else(Sysinfo::zeroed)
}

/// The supplementary groups the instance was started with (the host's: the host checks
/// every file access with them).
pub fn host_groups() -> Vec<u32> {
    HOST_GROUPS.lock().clone()
}

/// Reads the host's supplementary groups (start-up only: getgroups is not allowed later).
fn read_host_groups() -> Vec<u32> {
    // SAFETY: a size of 0 asks for the count; the list is not touched.
    let count = unsafe { host::call(junction_abi::SYS_GETGROUPS, host::args!(0, 0)) }.unwrap_or(0);
    let mut groups = alloc::vec![0u32; count];
    // SAFETY: groups is writable for `count` gids.
    match unsafe {
        host::call(
            junction_abi::SYS_GETGROUPS,
            host::args!(count, groups.as_mut_ptr()),
        )
    } {
        Ok(n) => groups.truncate(n),
        Err(_) => groups.clear(),
    }
    groups
}

/// The nice value the instance inherits from the host process.
fn read_host_nice() -> i32 {
    const PRIO_PROCESS: usize = 0;
    // SAFETY: no pointers. The raw call returns 20 - nice (never an errno for ourselves).
    let raw = unsafe { host::call(junction_abi::SYS_GETPRIORITY, host::args!(PRIO_PROCESS, 0)) };
    raw.map_or(0, |v| 20 - v as i32)
}

pub fn log_unsupported() -> bool {
    LOG_UNSUPPORTED.load(Ordering::Relaxed)
}

/// An error before the program starts: one line, the shell's exit status.
fn fail(message: &str, status: i32) -> i32 {
    crate::eprintln!("junction: {message}");
    limits::release();
    status
}

/// Reads a small host file whole (start-up only: before the seccomp filter).
pub fn read_host_file(path: &str) -> Result<Vec<u8>, Errno> {
    let mut cpath = path.as_bytes().to_vec();
    cpath.push(0);
    let fd = host::openat2(-100, &cpath, 0o2000000, 0, 0)?;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match host::read(fd, &mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(Errno::EINTR) => {}
            Err(e) => {
                let _ = host::close(fd);
                return Err(e);
            }
        }
    }
    let _ = host::close(fd);
    Ok(out)
}

/// The vDSO and vvar ranges of this process, from the host's /proc/self/maps.
fn host_vdso_ranges() -> Vec<(u64, u64, Backing)> {
    let Ok(maps) = read_host_file("/proc/self/maps") else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&maps);
    let mut out = Vec::new();
    for line in text.lines() {
        let backing = if line.ends_with("[vdso]") {
            Backing::Vdso
        } else if line.ends_with("[vvar]") || line.ends_with("[vvar_vclock]") {
            Backing::Vvar
        } else {
            continue;
        };
        let range = line.split(' ').next().unwrap_or("");
        let mut parts = range
            .split('-')
            .map(|h| u64::from_str_radix(h, 16).unwrap_or(0));
        if let (Some(s), Some(e)) = (parts.next(), parts.next()) {
            out.push((s, e, backing));
        }
    }
    out
}

fn host_getcwd() -> String {
    let mut buf = [0u8; 4096];
    // SAFETY: buf is writable.
    match unsafe {
        host::call(
            junction_abi::SYS_GETCWD,
            host::args!(buf.as_mut_ptr(), buf.len()),
        )
    } {
        Ok(n) if n > 1 => String::from_utf8_lossy(&buf[..n - 1]).into_owned(),
        _ => String::from("/"),
    }
}

/// The app's environment: the kernel's own unless --clear-env, then the --env settings.
fn app_environment(own: &[&[u8]], opts: &options::Options) -> Vec<Vec<u8>> {
    let mut env: Vec<Vec<u8>> = if opts.clear_env {
        Vec::new()
    } else {
        own.iter().map(|e| e.to_vec()).collect()
    };
    for setting in &opts.env {
        let key_len = setting
            .iter()
            .position(|&b| b == b'=')
            .unwrap_or(setting.len())
            + 1;
        env.retain(|e| !e.starts_with(&setting[..key_len]));
        env.push(setting.clone());
    }
    env
}

/// The kernel's entry after relocation. Returns an exit status only when the program
/// could not be started.
///
/// # Safety
/// `sp` must be the initial stack the host built.
pub unsafe fn main(sp: *const usize) -> i32 {
    // SAFETY: the initial stack layout: argc, argv..., NULL, envp..., NULL, auxv.
    let (args, env, auxv_ptr) = unsafe {
        let argc = *sp;
        let argv = sp.add(1);
        let mut args: Vec<&[u8]> = Vec::with_capacity(argc);
        for i in 0..argc {
            args.push(cstr(*argv.add(i) as *const u8));
        }
        let mut envp = argv.add(argc + 1);
        let mut env: Vec<&[u8]> = Vec::new();
        while *envp != 0 {
            env.push(cstr(*envp as *const u8));
            envp = envp.add(1);
        }
        (args, env, envp.add(1) as *const u64)
    };
    // SAFETY: auxv follows envp's NULL.
    let aux = unsafe { loader::auxv::read_host(auxv_ptr) };
    *HOST_AUX.lock() = aux;

    let opts = match options::parse(args.get(1..).unwrap_or(&[])) {
        Ok(o) => o,
        Err(message) => return fail(&message, 2),
    };
    if opts.help {
        let _ = host::write_all(1, options::USAGE.as_bytes());
        return 0;
    }
    if opts.version {
        let _ = host::write_all(
            1,
            concat!("junction-kernel ", env!("CARGO_PKG_VERSION"), "\n").as_bytes(),
        );
        return 0;
    }
    if opts.info {
        return info::print(opts.json);
    }
    LOG_UNSUPPORTED.store(
        env.iter()
            .any(|e| e.starts_with(b"JUNCTION_LOG_UNSUPPORTED=")),
        Ordering::Relaxed,
    );
    match run(&opts, &env, aux) {
        Ok(never) => match never {},
        Err((message, status)) => fail(&message, status),
    }
}

fn cstr(p: *const u8) -> &'static [u8] {
    let mut len = 0;
    // SAFETY: p is a NUL-terminated string from the initial stack.
    unsafe {
        while *p.add(len) != 0 {
            len += 1;
        }
        core::slice::from_raw_parts(p, len)
    }
}

type StartError = (String, i32);

fn errno_msg(what: &str, e: Errno) -> StartError {
    (alloc::format!("{what}: {}", e.message()), 126)
}

fn run(
    opts: &options::Options,
    own_env: &[&[u8]],
    aux: HostAux,
) -> Result<core::convert::Infallible, StartError> {
    const HWCAP2_FSGSBASE: u64 = 1 << 1;
    if aux.hwcap2 & HWCAP2_FSGSBASE == 0 {
        return Err((String::from("this CPU or host kernel does not allow FSGSBASE (needed to keep the app's TLS); see junction-kernel --info"), 126));
    }
    // First, so everything the instance does from here on counts against its limits.
    limits::apply(&opts.limits).map_err(|message| (message, 126))?;
    crate::random::seed();
    let mut uts = junction_abi::structs::Utsname {
        sysname: [0; 65],
        nodename: [0; 65],
        release: [0; 65],
        version: [0; 65],
        machine: [0; 65],
        domainname: [0; 65],
    };
    // SAFETY: uts is a writable utsname.
    let _ = unsafe {
        host::call(
            junction_abi::SYS_UNAME,
            host::args!(&mut uts as *mut junction_abi::structs::Utsname),
        )
    };
    *HOST_UTS.lock() = Some(uts);
    let mut si = Sysinfo::zeroed();
    // SAFETY: si is a writable sysinfo.
    let _ = unsafe {
        host::call(
            junction_abi::SYS_SYSINFO,
            host::args!(&mut si as *mut Sysinfo),
        )
    };
    *HOST_SYSINFO.lock() = Some(si);
    *HOST_GROUPS.lock() = read_host_groups();

    let root = opts.root.clone().unwrap_or_else(|| String::from("/"));
    let mut vfs = Vfs::new(&root, opts.rw.clone(), !opts.host_tmp)
        .map_err(|e| (alloc::format!("--root {root}: {}", e.message()), 126))?;
    for (host_dir, path) in &opts.binds {
        vfs.bind(host_dir, path).map_err(|e| {
            let why = match e {
                BindError::Host(e) => alloc::format!("{host_dir}: {}", e.message()),
                BindError::MountPoint(Errno::EINVAL) => alloc::format!(
                    "{path} must be a directory of the root (not /, /tmp, /proc or /dev)"
                ),
                BindError::MountPoint(e) => alloc::format!(
                    "{path}: {} (the mount point must be a directory of the root)",
                    e.message()
                ),
            };
            (alloc::format!("--bind {host_dir}:{path}: {why}"), 126)
        })?;
    }
    let cwd = match (&opts.cwd, &opts.root) {
        (Some(c), _) => crate::fs::vfs::absolute("/", c),
        (None, Some(_)) => String::from("/"),
        (None, None) => host_getcwd(),
    };
    match vfs.stat(&cwd, true) {
        Ok(st) if st.st_mode & 0o170000 == 0o040000 => {}
        Ok(_) => {
            return Err((
                alloc::format!("--cwd {cwd}: {}", Errno::ENOTDIR.message()),
                126,
            ))
        }
        Err(e) => {
            // Without --cwd the host's working directory is used; under /tmp it does not
            // exist in the instance's own tmpfs.
            let hint = if opts.cwd.is_none() && cwd.starts_with("/tmp") && !opts.host_tmp {
                " in the instance (its /tmp is an empty tmpfs: pass --cwd, or --host-tmp)"
            } else {
                ""
            };
            let what = if opts.cwd.is_some() {
                "--cwd"
            } else {
                "working directory"
            };
            return Err((alloc::format!("{what} {cwd}: {}{hint}", e.message()), 126));
        }
    }

    crate::fs::proc::init();
    crate::readiness::init()
        .map_err(|e| errno_msg("cannot create the kernel's wake-up eventfd", e))?;
    mm::reserve_window().map_err(|e| errno_msg("cannot reserve the app address window", e))?;
    let mut vm = Vm::new(layout::MMAP_TOP - layout::random_offset(layout::RANDOM_BITS));
    for (start, end, backing) in host_vdso_ranges() {
        let prot = if backing == Backing::Vdso { 5 } else { 1 };
        if backing == Backing::Vdso {
            // SAFETY: the host maps the vDSO readable for the life of the process.
            let image =
                unsafe { core::slice::from_raw_parts(start as *const u8, (end - start) as usize) };
            crate::time::init(image, start);
        }
        vm.vmas.insert(Vma {
            start,
            end,
            prot,
            shared: false,
            backing,
        });
    }

    let env = app_environment(own_env, opts);
    let path_var = env
        .iter()
        .find_map(|e| e.strip_prefix(b"PATH="))
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let program = String::from_utf8_lossy(&opts.argv[0]).into_owned();
    let exe_path = loader::find_program(&vfs, &cwd, &program, path_var.as_deref())
        .map_err(|e| (e.message, e.status))?;
    let loaded = loader::load(
        &vfs,
        &mut vm,
        &cwd,
        &exe_path,
        opts.argv.clone(),
        &env,
        &aux,
    )
    .map_err(|e| (e.message, e.status))?;

    let mut fds = FdTable::new(1024);
    for fd in 0..3 {
        if let Ok(file) = HostFile::stdio(fd) {
            let flags = host::fcntl(fd, 3, 0).unwrap_or(2) as u32;
            let open = OpenFile::new(
                alloc::boxed::Box::new(file),
                flags,
                alloc::format!("/dev/fd/{fd}"),
            );
            let _ = fds.replace(
                fd,
                FdEntry {
                    file: Arc::new(open),
                    cloexec: false,
                },
            );
        }
    }
    let rlimits = state::host_rlimits();
    fds.limit = rlimits[7].rlim_cur.min(1 << 20) as usize;
    let mut cmdline = Vec::new();
    for a in &opts.argv {
        cmdline.extend_from_slice(a);
        cmdline.push(0);
    }
    state::install(Kernel {
        pid: INSTANCE_PID,
        ppid: INSTANCE_PPID,
        pgid: INSTANCE_PID,
        sid: INSTANCE_PID,
        vm,
        fds,
        vfs,
        cwd,
        umask: 0o022,
        rlimits,
        nice: read_host_nice(),
        signals: SignalState {
            actions: [KernelSigaction {
                sa_handler: 0,
                sa_flags: 0,
                sa_restorer: 0,
                sa_mask: 0,
            }; 64],
        },
        exe: loaded.exe.clone(),
        comm: comm_of(&exe_path),
        cmdline,
        auxv: loaded.auxv.clone(),
        threads: Threads::new(INSTANCE_PID, host::gettid()),
    });

    if opts.trace {
        let fd = match &opts.trace_file {
            Some(path) => {
                let mut cpath = path.as_bytes().to_vec();
                cpath.push(0);
                host::openat2(-100, &cpath, 0o1 | 0o100 | 0o1000 | 0o2000000, 0o644, 0)
                    .map_err(|e| errno_msg(&alloc::format!("--trace-file {path}"), e))?
            }
            None => 2,
        };
        crate::trace::enable(fd);
    }
    if opts.stats || opts.stats_json.is_some() {
        crate::stats::enable();
        STATS_START.store(crate::stats::now_tsc(), Ordering::Relaxed);
        STATS_START_NS.store(crate::time::monotonic_ns(), Ordering::Relaxed);
        *STATS_JSON.lock() = opts.stats_json.clone();
    }
    if opts.stats {
        STATS_TEXT.store(true, Ordering::Relaxed);
    }

    context::install_for_current_thread(INSTANCE_PID)
        .map_err(|e| errno_msg("cannot set up the kernel's thread context", e))?;
    sigsys::install().map_err(|e| errno_msg("cannot install the SIGSYS handler", e))?;
    if opts.rewrite && trampoline::install_page_zero().is_ok() {
        crate::arch::rewrite::enable();
    }
    sud::enable_for_current_thread().map_err(|e| {
        errno_msg(
            "syscall user dispatch is not available (see junction-kernel --info)",
            e,
        )
    })?;
    if opts.seccomp {
        crate::seccomp::install().map_err(|e| errno_msg("cannot install the seccomp filter", e))?;
    }
    // SAFETY: entry and stack come from the loader; nothing of the kernel's stack is needed
    // after the jump.
    unsafe { enter_app(loaded.entry, loaded.stack_pointer) }
}

/// The 15-byte task name Linux derives from the executed path.
fn comm_of(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or("");
    let mut end = base.len().min(15);
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    String::from(&base[..end])
}

static STATS_TEXT: AtomicBool = AtomicBool::new(false);

/// Jumps to the app with a clean register file, as execve leaves it.
///
/// # Safety
/// `entry` must be the loaded program's entry and `sp` its initial stack.
unsafe fn enter_app(entry: u64, sp: u64) -> ! {
    // SAFETY: per the caller; every general register is cleared as Linux does at exec.
    unsafe {
        core::arch::asm!(
            "mov rsp, {sp}",
            "xor eax, eax", "xor ebx, ebx", "xor ecx, ecx", "xor edx, edx",
            "xor esi, esi", "xor edi, edi", "xor ebp, ebp",
            "xor r8d, r8d", "xor r9d, r9d", "xor r10d, r10d", "xor r11d, r11d",
            "xor r12d, r12d", "xor r13d, r13d", "xor r14d, r14d",
            "jmp r15",
            sp = in(reg) sp,
            in("r15") entry,
            options(noreturn)
        )
    }
}

/// Everything the kernel reports at exit (--stats).
pub fn flush_before_exit() {
    if !crate::stats::enabled() {
        return;
    }
    let per_us = crate::stats::tsc_per_us(
        STATS_START.load(Ordering::Relaxed),
        STATS_START_NS.load(Ordering::Relaxed),
    );
    if STATS_TEXT.load(Ordering::Relaxed) {
        info::print_stats(per_us);
    }
    if let Some(path) = STATS_JSON.lock().clone() {
        info::write_stats_json(&path, per_us);
    }
}

/// The app's exit_group.
pub fn exit_instance(code: i32) -> ! {
    flush_before_exit();
    print::FdWriter::new(2).flush();
    limits::release();
    host::exit_group(code)
}
