//! `/proc`, served by the kernel from its own state: `/proc/self` (a link to the instance's
//! pid directory) with `maps`, `exe`, `cwd`, `root`, `fd/`, `task/TID/{comm,stat,status}`,
//! `status`, `stat`, `statm`, `cmdline`, `comm` and `auxv`; `/proc/cpuinfo` and `/proc/meminfo` are the host's text,
//! read through fds opened at start-up (forwarding: the instance has no CPU or memory
//! limits of its own yet). A file's text is made when it is opened, as a snapshot.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use junction_abi::{structs::Stat, Errno};

use super::dev::{major, makedev, minor};
use super::dir::{dir_stat, DirEntry, ListedDir, DT_DIR, DT_LNK, DT_REG, S_IFLNK, S_IFREG};
use super::file::FileOps;
use crate::mm::vma::{Backing, PROT_EXEC, PROT_READ, PROT_WRITE};
use crate::state::Kernel;

/// Linux's PROC_SUPER_MAGIC, as statfs reports it.
pub const PROC_MAGIC: i64 = 0x9fa0;

/// Host fds of /proc/cpuinfo, /proc/meminfo and /proc/self/statm, opened before the seccomp
/// filter; -1 where the host has no /proc.
static HOST_CPUINFO: AtomicI32 = AtomicI32::new(-1);
static HOST_MEMINFO: AtomicI32 = AtomicI32::new(-1);
static HOST_STATM: AtomicI32 = AtomicI32::new(-1);
/// The instance's start time in clock ticks after boot (/proc/self/stat field 22).
static START_TICKS: AtomicU64 = AtomicU64::new(0);

fn dev() -> u64 {
    makedev(0, 22)
}

/// Opens the host files /proc forwards and records the start time. Start-up only.
pub fn init() {
    let open = |path: &[u8]| crate::host::openat2(-100, path, 0o2000000, 0, 0).unwrap_or(-1);
    HOST_CPUINFO.store(open(b"/proc/cpuinfo\0"), Ordering::Relaxed);
    HOST_MEMINFO.store(open(b"/proc/meminfo\0"), Ordering::Relaxed);
    HOST_STATM.store(open(b"/proc/self/statm\0"), Ordering::Relaxed);
    // The host process is the instance: its start time is the instance's.
    if let Ok(text) = crate::start::read_host_file("/proc/self/stat") {
        let after_comm = text.iter().rposition(|&b| b == b')').map_or(0, |i| i + 2);
        let field = text[after_comm..]
            .split(|&b| b == b' ')
            .nth(19)
            .and_then(|f| core::str::from_utf8(f).ok())
            .and_then(|f| f.parse().ok());
        START_TICKS.store(field.unwrap_or(0), Ordering::Relaxed);
    }
}

fn read_host(fd: i32) -> Result<Vec<u8>, Errno> {
    if fd < 0 {
        return Err(Errno::ENOENT);
    }
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = crate::host::pread(fd, &mut buf, out.len() as u64)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// The files of a process directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PidFile {
    Maps,
    Status,
    Stat,
    Statm,
    Cmdline,
    Comm,
    Auxv,
}

/// What a path below /proc names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Root,
    /// `/proc/self`: a link to the pid directory.
    SelfLink,
    PidDir,
    File(PidFile),
    /// `exe`, `cwd`, `root`: links to instance paths.
    Exe,
    Cwd,
    RootLink,
    FdDir,
    /// `fd/N`: a link to the open file behind the app's fd N.
    Fd(i32),
    /// `task/`: one directory per live thread, named by its tid.
    TaskDir,
    Task(i32),
    /// `task/TID/comm`, `stat`, `status`: the process's files as that thread sees them.
    TaskFile(i32, PidFile),
    Cpuinfo,
    Meminfo,
}

/// Where a /proc path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    Node(Node),
    /// Through a link to an instance path (`/proc/self/cwd/x`): look this path up instead.
    Path(String),
}

const PID_FILES: [(&str, PidFile); 7] = [
    ("auxv", PidFile::Auxv),
    ("cmdline", PidFile::Cmdline),
    ("comm", PidFile::Comm),
    ("maps", PidFile::Maps),
    ("stat", PidFile::Stat),
    ("statm", PidFile::Statm),
    ("status", PidFile::Status),
];
const PID_LINKS: [&str; 3] = ["cwd", "exe", "root"];
const TASK_FILES: [(&str, PidFile); 3] = [
    ("comm", PidFile::Comm),
    ("stat", PidFile::Stat),
    ("status", PidFile::Status),
];

/// Resolves `rel` (below /proc, no leading slash). `follow`: whether a link in last place
/// is followed (stat, open) or named itself (lstat, readlink).
pub fn resolve(k: &Kernel, rel: &str, follow: bool) -> Result<Resolved, Errno> {
    let mut parts = rel.split('/').filter(|p| !p.is_empty());
    let Some(first) = parts.next() else {
        return Ok(Resolved::Node(Node::Root));
    };
    let node = match first {
        "cpuinfo" => Node::Cpuinfo,
        "meminfo" => Node::Meminfo,
        "self" => Node::SelfLink,
        pid if pid.parse::<i32>().ok() == Some(k.pid) => Node::PidDir,
        _ => return Err(Errno::ENOENT),
    };
    let rest: Vec<&str> = parts.collect();
    if matches!(node, Node::Cpuinfo | Node::Meminfo) {
        return if rest.is_empty() {
            Ok(Resolved::Node(node))
        } else {
            Err(Errno::ENOTDIR)
        };
    }
    if rest.is_empty() {
        return Ok(Resolved::Node(if follow { Node::PidDir } else { node }));
    }
    let last = rest.len() == 1;
    let (name, tail) = (rest[0], &rest[1..]);
    let link_target = |target: &str| -> Resolved {
        let mut path = String::from(target);
        for part in tail {
            path.push('/');
            path.push_str(part);
        }
        Resolved::Path(super::vfs::absolute("/", &path))
    };
    match name {
        "exe" | "cwd" | "root" => {
            let node = match name {
                "exe" => Node::Exe,
                "cwd" => Node::Cwd,
                _ => Node::RootLink,
            };
            if last && !follow {
                return Ok(Resolved::Node(node));
            }
            Ok(link_target(&link_text(k, &node)?))
        }
        "fd" => match tail {
            [] => Ok(Resolved::Node(Node::FdDir)),
            [n] => {
                let fd: i32 = n.parse().map_err(|_| Errno::ENOENT)?;
                k.fds.get(fd).map_err(|_| Errno::ENOENT)?;
                Ok(Resolved::Node(Node::Fd(fd)))
            }
            _ => Err(Errno::ENOTDIR),
        },
        "task" => task(k, tail),
        _ => {
            let file = PID_FILES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|&(_, f)| f)
                .ok_or(Errno::ENOENT)?;
            if last {
                Ok(Resolved::Node(Node::File(file)))
            } else {
                Err(Errno::ENOTDIR)
            }
        }
    }
}

/// `task/...` below a pid directory.
fn task(k: &Kernel, tail: &[&str]) -> Result<Resolved, Errno> {
    let Some((first, rest)) = tail.split_first() else {
        return Ok(Resolved::Node(Node::TaskDir));
    };
    let tid: i32 = first.parse().map_err(|_| Errno::ENOENT)?;
    k.threads.get(tid).ok_or(Errno::ENOENT)?;
    match rest {
        [] => Ok(Resolved::Node(Node::Task(tid))),
        [name] => TASK_FILES
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, f)| Resolved::Node(Node::TaskFile(tid, f)))
            .ok_or(Errno::ENOENT),
        _ => Err(Errno::ENOTDIR),
    }
}

/// The text of a link node (readlink).
pub fn link_text(k: &Kernel, node: &Node) -> Result<String, Errno> {
    Ok(match node {
        Node::SelfLink => format!("{}", k.pid),
        Node::Exe => k.exe.clone(),
        Node::Cwd => k.cwd.clone(),
        Node::RootLink => String::from("/"),
        Node::Fd(fd) => fd_link(k, *fd)?,
        _ => return Err(Errno::EINVAL),
    })
}

/// What /proc/self/fd/N shows: the instance path, or `pipe:[ino]`-style names for objects,
/// or for inherited stdio the host's own name for it.
fn fd_link(k: &Kernel, fd: i32) -> Result<String, Errno> {
    let file = k.fds.file(fd).map_err(|_| Errno::ENOENT)?;
    if let Some(kind) = file.path.strip_suffix(':') {
        let ino = file.ops.stat().map_or(0, |st| st.st_ino);
        return Ok(format!("{kind}:[{ino}]"));
    }
    if let Some(n) = file.path.strip_prefix("/dev/fd/") {
        let host = format!("/proc/self/fd/{n}\0");
        let mut buf = [0u8; 512];
        if let Ok(len) = crate::host::readlinkat(-100, host.as_bytes(), &mut buf) {
            return Ok(String::from_utf8_lossy(&buf[..len]).into_owned());
        }
    }
    Ok(super::lookup::shown_path(k, &file))
}

fn node_ino(node: &Node) -> u64 {
    match node {
        Node::Root => 1,
        Node::SelfLink => 2,
        Node::PidDir => 3,
        Node::FdDir => 4,
        Node::Exe => 5,
        Node::Cwd => 6,
        Node::RootLink => 7,
        Node::Cpuinfo => 8,
        Node::Meminfo => 9,
        Node::File(f) => 16 + *f as u64,
        Node::Fd(fd) => 1024 + *fd as u64,
        Node::TaskDir => 10,
        Node::Task(tid) => 0x10_0000 + *tid as u64 * 16,
        Node::TaskFile(tid, f) => 0x10_0000 + *tid as u64 * 16 + 1 + *f as u64,
    }
}

fn file_stat(node: &Node, mode: u32) -> Stat {
    let aux = crate::start::host_aux();
    let mut st = Stat::zeroed();
    st.st_dev = dev();
    st.st_ino = node_ino(node);
    st.st_nlink = 1;
    st.st_mode = mode;
    st.st_uid = aux.euid as u32;
    st.st_gid = aux.egid as u32;
    st.st_blksize = 1024;
    st
}

/// lstat of a node (links are links; use [`resolve`] with follow to stat their targets).
pub fn stat(node: &Node) -> Stat {
    match node {
        Node::Root => dir_stat(dev(), 1, 0o555, 3),
        Node::PidDir => dir_stat(dev(), 3, 0o555, 9),
        Node::FdDir => dir_stat(dev(), 4, 0o500, 2),
        Node::TaskDir | Node::Task(_) => dir_stat(dev(), node_ino(node), 0o555, 3),
        Node::SelfLink | Node::Exe | Node::Cwd | Node::RootLink => file_stat(node, S_IFLNK | 0o777),
        Node::Fd(_) => file_stat(node, S_IFLNK | 0o700),
        Node::File(PidFile::Auxv) => file_stat(node, S_IFREG | 0o400),
        Node::File(_) | Node::TaskFile(..) | Node::Cpuinfo | Node::Meminfo => {
            file_stat(node, S_IFREG | 0o444)
        }
    }
}

/// Opens a node that is not a link: a listing for directories, the text for files.
pub fn open(k: &Kernel, node: &Node) -> Result<Box<dyn FileOps>, Errno> {
    let entry = |name: &str, ino: u64, dtype: u8| DirEntry {
        name: String::from(name),
        ino,
        dtype,
    };
    let listing = |entries: Vec<DirEntry>, parent: u64| -> Box<dyn FileOps> {
        Box::new(ListedDir::new(stat(node), parent, entries, PROC_MAGIC))
    };
    Ok(match node {
        Node::Root => listing(
            alloc::vec![
                entry(&format!("{}", k.pid), 3, DT_DIR),
                entry("cpuinfo", 8, DT_REG),
                entry("meminfo", 9, DT_REG),
                entry("self", 2, DT_LNK),
            ],
            1,
        ),
        Node::PidDir => {
            let mut entries: Vec<DirEntry> = PID_FILES
                .iter()
                .map(|(name, f)| entry(name, node_ino(&Node::File(*f)), DT_REG))
                .collect();
            entries.extend(PID_LINKS.iter().map(|name| entry(name, 5, DT_LNK)));
            entries.push(entry("fd", 4, DT_DIR));
            entries.push(entry("task", 10, DT_DIR));
            listing(entries, 1)
        }
        Node::TaskDir => Box::new(ListedDir::refreshed(
            stat(node),
            3,
            task_entries,
            PROC_MAGIC,
        )),
        Node::Task(tid) => listing(
            TASK_FILES
                .iter()
                .map(|(name, f)| entry(name, node_ino(&Node::TaskFile(*tid, *f)), DT_REG))
                .collect(),
            10,
        ),
        Node::TaskFile(tid, file) => Box::new(ProcText {
            text: pid_file_text(k, *file, *tid),
            stat: stat(node),
        }),
        Node::FdDir => Box::new(ListedDir::refreshed(stat(node), 3, fd_entries, PROC_MAGIC)),
        Node::File(file) => Box::new(ProcText {
            text: pid_file_text(k, *file, k.pid),
            stat: stat(node),
        }),
        Node::Cpuinfo => Box::new(ProcText {
            text: read_host(HOST_CPUINFO.load(Ordering::Relaxed))?,
            stat: stat(node),
        }),
        Node::Meminfo => Box::new(ProcText {
            text: read_host(HOST_MEMINFO.load(Ordering::Relaxed))?,
            stat: stat(node),
        }),
        Node::SelfLink | Node::Exe | Node::Cwd | Node::RootLink | Node::Fd(_) => {
            return Err(Errno::ELOOP)
        }
    })
}

/// The entries of /proc/self/fd: the fds open when it is read.
fn fd_entries() -> Vec<DirEntry> {
    crate::state::lock()
        .fds
        .fds()
        .map(|(fd, _)| DirEntry {
            name: format!("{fd}"),
            ino: 1024 + fd as u64,
            dtype: DT_LNK,
        })
        .collect()
}

/// The entries of /proc/self/task: the threads alive when it is read.
fn task_entries() -> Vec<DirEntry> {
    crate::state::lock()
        .threads
        .tids()
        .map(|tid| DirEntry {
            name: format!("{tid}"),
            ino: node_ino(&Node::Task(tid)),
            dtype: DT_DIR,
        })
        .collect()
}

/// A /proc file: text made when it was opened. Read-only; its size is 0, as Linux's.
#[derive(Debug)]
struct ProcText {
    text: Vec<u8>,
    stat: Stat,
}

impl FileOps for ProcText {
    fn pread(&self, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        let start = (offset as usize).min(self.text.len());
        let n = buf.len().min(self.text.len() - start);
        buf[..n].copy_from_slice(&self.text[start..start + n]);
        Ok(n)
    }

    fn seekable_size(&self) -> Option<Result<u64, Errno>> {
        Some(Ok(self.text.len() as u64))
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.stat)
    }

    fn statfs(&self) -> Result<junction_abi::structs::Statfs, Errno> {
        Ok(statfs())
    }
}

pub fn statfs() -> junction_abi::structs::Statfs {
    super::file::pseudo_statfs(PROC_MAGIC)
}

/// A pid directory's file; `tid` is the thread it describes (the pid's own files describe
/// the main thread, as Linux's describe the thread group leader).
fn pid_file_text(k: &Kernel, file: PidFile, tid: i32) -> Vec<u8> {
    match file {
        PidFile::Maps => maps(k).into_bytes(),
        PidFile::Status => status(k, tid).into_bytes(),
        PidFile::Stat => stat_line(k, tid).into_bytes(),
        PidFile::Statm => {
            let m = memory(k);
            format!(
                "{} {} {} {} 0 {} 0\n",
                m.size / 4096,
                m.rss_pages,
                m.shared_pages,
                m.exe / 4096,
                m.data / 4096
            )
            .into_bytes()
        }
        PidFile::Cmdline => k.cmdline.clone(),
        PidFile::Comm => format!("{}\n", k.comm).into_bytes(),
        PidFile::Auxv => {
            let mut out = Vec::with_capacity(k.auxv.len() * 16 + 16);
            for &(key, value) in k.auxv.iter().chain(core::iter::once(&(0, 0))) {
                out.extend_from_slice(&key.to_le_bytes());
                out.extend_from_slice(&value.to_le_bytes());
            }
            out
        }
    }
}

/// /proc/self/maps from the VMA map, in Linux's format (the name column starts at 73).
fn maps(k: &Kernel) -> String {
    let mut out = String::new();
    for vma in k.vm.vmas.iter() {
        let line_start = out.len();
        let perm = |bit: u32, c: char| if vma.prot & bit != 0 { c } else { '-' };
        let (offset, dev, ino, name) = match &vma.backing {
            Backing::File {
                path,
                offset,
                dev,
                ino,
            } => (*offset, *dev, *ino, path.as_str()),
            Backing::Anon => (0, 0, 0, ""),
            Backing::Stack => (0, 0, 0, "[stack]"),
            Backing::Heap => (0, 0, 0, "[heap]"),
            Backing::Vdso => (0, 0, 0, "[vdso]"),
            Backing::Vvar => (0, 0, 0, "[vvar]"),
        };
        let _ = write!(
            out,
            "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {}",
            vma.start,
            vma.end,
            perm(PROT_READ, 'r'),
            perm(PROT_WRITE, 'w'),
            perm(PROT_EXEC, 'x'),
            if vma.shared { 's' } else { 'p' },
            offset,
            major(dev),
            minor(dev),
            ino
        );
        if !name.is_empty() {
            while out.len() - line_start < 72 {
                out.push(' ');
            }
            out.push(' ');
            out.push_str(name);
        }
        out.push('\n');
    }
    out
}

struct Memory {
    size: u64,
    data: u64,
    stack: u64,
    exe: u64,
    lib: u64,
    rss_pages: u64,
    shared_pages: u64,
}

/// Sizes from the VMA map; resident pages from the host (the host process is the instance).
fn memory(k: &Kernel) -> Memory {
    let mut m = Memory {
        size: 0,
        data: 0,
        stack: 0,
        exe: 0,
        lib: 0,
        rss_pages: 0,
        shared_pages: 0,
    };
    for vma in k.vm.vmas.iter() {
        let len = vma.end - vma.start;
        if matches!(vma.backing, Backing::Vdso | Backing::Vvar) {
            continue;
        }
        m.size += len;
        match &vma.backing {
            Backing::Stack => m.stack += len,
            Backing::File { path, .. } if vma.prot & PROT_EXEC != 0 => {
                if *path == k.exe {
                    m.exe += len;
                } else {
                    m.lib += len;
                }
            }
            _ if vma.prot & PROT_WRITE != 0 && !vma.shared => m.data += len,
            _ => {}
        }
    }
    if let Ok(text) = read_host(HOST_STATM.load(Ordering::Relaxed)) {
        let mut fields = text
            .split(|&b| b == b' ' || b == b'\n')
            .filter_map(|f| core::str::from_utf8(f).ok()?.parse::<u64>().ok());
        let _size = fields.next();
        m.rss_pages = fields.next().unwrap_or(0);
        m.shared_pages = fields.next().unwrap_or(0);
    }
    m
}

/// Which signals have a handler (caught) and which are ignored.
fn signal_sets(k: &Kernel) -> (u64, u64) {
    let (mut caught, mut ignored) = (0u64, 0u64);
    for (i, action) in k.signals.actions.iter().enumerate() {
        match action.sa_handler {
            0 => {}
            1 => ignored |= 1 << i,
            _ => caught |= 1 << i,
        }
    }
    (caught, ignored)
}

fn cpus_allowed() -> (u64, String) {
    let mut mask = [0u8; 128];
    let n = crate::host::sched_getaffinity(&mut mask)
        .unwrap_or(0)
        .min(8);
    let mut bits = [0u8; 8];
    bits[..n].copy_from_slice(&mask[..n]);
    let bits = u64::from_le_bytes(bits);
    let mut list = String::new();
    let mut cpu = 0;
    while cpu < 64 {
        if bits & (1 << cpu) == 0 {
            cpu += 1;
            continue;
        }
        let first = cpu;
        while cpu < 64 && bits & (1 << cpu) != 0 {
            cpu += 1;
        }
        if !list.is_empty() {
            list.push(',');
        }
        if cpu - 1 == first {
            let _ = write!(list, "{first}");
        } else {
            let _ = write!(list, "{first}-{}", cpu - 1);
        }
    }
    (bits, list)
}

/// The signal mask of `tid` (0 once it has exited).
fn blocked(k: &Kernel, tid: i32) -> u64 {
    k.threads.get(tid).map_or(0, |t| t.mask)
}

fn status(k: &Kernel, tid: i32) -> String {
    let aux = crate::start::host_aux();
    let m = memory(k);
    let (caught, ignored) = signal_sets(k);
    let (cpu_mask, cpu_list) = cpus_allowed();
    let seccomp = crate::seccomp::installed();
    let kb = |bytes: u64| bytes / 1024;
    let mut s = String::new();
    let _ = write!(
        s,
        "Name:\t{name}\nUmask:\t{umask:04o}\nState:\tR (running)\nTgid:\t{pid}\nNgid:\t0\n\
         Pid:\t{tid}\nPPid:\t{ppid}\nTracerPid:\t0\n\
         Uid:\t{uid}\t{euid}\t{euid}\t{euid}\nGid:\t{gid}\t{egid}\t{egid}\t{egid}\n\
         FDSize:\t{fdsize}\nGroups:\t\nNStgid:\t{pid}\nNSpid:\t{tid}\nNSpgid:\t{pgid}\n\
         NSsid:\t{sid}\nKthread:\t0\n",
        name = k.comm,
        umask = k.umask,
        pid = k.pid,
        tid = tid,
        ppid = k.ppid,
        pgid = k.pgid,
        sid = k.sid,
        uid = aux.uid,
        euid = aux.euid,
        gid = aux.gid,
        egid = aux.egid,
        fdsize = (k.fds.highest().unwrap_or(0) as u64 + 1)
            .next_power_of_two()
            .max(64),
    );
    let rss = m.rss_pages * 4;
    let _ = write!(
        s,
        "VmPeak:\t{:8} kB\nVmSize:\t{:8} kB\nVmLck:\t{:8} kB\nVmPin:\t{:8} kB\n\
         VmHWM:\t{:8} kB\nVmRSS:\t{:8} kB\nVmData:\t{:8} kB\nVmStk:\t{:8} kB\n\
         VmExe:\t{:8} kB\nVmLib:\t{:8} kB\nVmSwap:\t{:8} kB\n",
        kb(m.size),
        kb(m.size),
        0,
        0,
        rss,
        rss,
        kb(m.data),
        kb(m.stack),
        kb(m.exe),
        kb(m.lib),
        0
    );
    // The instance holds no capabilities: the kernel refuses every privileged call.
    let _ = write!(
        s,
        "Threads:\t{threads}\nSigQ:\t0/{sigq}\nSigPnd:\t{zero:016x}\nShdPnd:\t{zero:016x}\n\
         SigBlk:\t{blocked:016x}\nSigIgn:\t{ignored:016x}\nSigCgt:\t{caught:016x}\n\
         CapInh:\t{zero:016x}\nCapPrm:\t{zero:016x}\nCapEff:\t{zero:016x}\n\
         CapBnd:\t{zero:016x}\nCapAmb:\t{zero:016x}\nNoNewPrivs:\t{nnp}\n\
         Seccomp:\t{mode}\nSeccomp_filters:\t{filters}\n\
         Cpus_allowed:\t{cpu_mask:x}\nCpus_allowed_list:\t{cpu_list}\n",
        threads = k.threads.count(),
        sigq = k.rlimits[11].rlim_cur,
        zero = 0,
        blocked = blocked(k, tid),
        nnp = u8::from(seccomp),
        mode = if seccomp { 2 } else { 0 },
        filters = u8::from(seccomp),
    );
    s
}

fn stat_line(k: &Kernel, tid: i32) -> String {
    let m = memory(k);
    let (caught, ignored) = signal_sets(k);
    let (utime, stime) = crate::host::cpu_ticks();
    let mut s = format!(
        "{tid} ({comm}) R {ppid} {pgid} {sid} 0 -1 4194304 0 0 0 0 {utime} {stime} 0 0 20 0 {nthreads} 0 \
         {start} {vsize} {rss} {rsslim} 0 0 0 0 0 0 {blocked} {ignored} {caught} 0 0 0 17 0 0 0 \
         0 0 0 0 0 0 0 0 0 0 0\n",
        tid = tid,
        comm = k.comm,
        ppid = k.ppid,
        pgid = k.pgid,
        sid = k.sid,
        nthreads = k.threads.count(),
        start = START_TICKS.load(Ordering::Relaxed),
        vsize = m.size,
        rss = m.rss_pages,
        rsslim = k.rlimits[5].rlim_cur,
        blocked = blocked(k, tid) & 0x7fff_ffff,
        ignored = ignored & 0x7fff_ffff,
        caught = caught & 0x7fff_ffff,
    );
    s.shrink_to_fit();
    s
}
