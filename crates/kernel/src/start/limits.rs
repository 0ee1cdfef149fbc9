//! `--memory`, `--cpus` and `--pids`: the instance's resource limits, enforced by a cgroup
//! of its own that the kernel creates at start-up (before the seccomp filter) and moves
//! itself into. Every process the instance starts later inherits it. The host does the
//! enforcing, so an app that allocates or forks without limit meets the errors Linux gives
//! any process in such a cgroup (the OOM killer's SIGKILL, EAGAIN from fork).
//!
//! Both cgroup layouts are handled: a controller mounted on its own (cgroup v1, one
//! directory per controller) is used where it is; otherwise the unified hierarchy (v2).
//! The cgroup is `junction-<host pid>` beside the kernel's own cgroup's children; at exit
//! the kernel moves back to its parent and removes it. One left behind by a killed
//! instance is removed by the next start-up that finds its process gone.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use junction_abi::Errno;

use crate::host;
use crate::sync::SpinLock;

/// The limits asked for on the command line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub memory_bytes: Option<u64>,
    /// CPU time per 100 ms period, in µs (`--cpus 0.5` is 50,000).
    pub cpu_quota_us: Option<u64>,
    pub pids: Option<u64>,
}

/// The CFS period the quota is given against, in µs (Linux's default).
pub const CPU_PERIOD_US: u64 = 100_000;

impl Limits {
    pub fn any(&self) -> bool {
        self.memory_bytes.is_some() || self.cpu_quota_us.is_some() || self.pids.is_some()
    }
}

/// `--memory` values: bytes with an optional K, M or G suffix (powers of 1024).
pub fn parse_bytes(text: &str) -> Option<u64> {
    let (digits, scale) = match text.as_bytes().last()? {
        b'k' | b'K' => (&text[..text.len() - 1], 1u64 << 10),
        b'm' | b'M' => (&text[..text.len() - 1], 1 << 20),
        b'g' | b'G' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    let n: u64 = digits.parse().ok()?;
    n.checked_mul(scale).filter(|&b| b > 0)
}

/// `--cpus` values: a positive decimal number of CPUs (`0.5`, `2`), as µs per period.
pub fn parse_cpus(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 5 {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac_us: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<u64>().ok()? * 10u64.pow(5 - frac.len() as u32)
    };
    let quota = whole.checked_mul(CPU_PERIOD_US)?.checked_add(frac_us)?;
    // Linux refuses quotas under 1 ms.
    (quota >= 1000).then_some(quota)
}

/// One controller's cgroup directory and where to go back to at exit.
#[derive(Debug, Clone)]
struct Placed {
    dir: String,
    parent: String,
}

/// The cgroups the instance moved into (one per v1 controller, or one v2 directory).
static PLACED: SpinLock<Vec<Placed>> = SpinLock::new(Vec::new());

/// A cgroup file system mounted on the host.
#[derive(Debug)]
struct Mount {
    /// Where it is mounted.
    point: String,
    /// The part of the hierarchy the mount shows (`/` unless in a container).
    root: String,
    /// v1: the controllers bound to it; v2: empty.
    controllers: Vec<String>,
    unified: bool,
}

fn mounts(mountinfo: &str) -> Vec<Mount> {
    let mut out = Vec::new();
    for line in mountinfo.lines() {
        // id parent maj:min root point options [optional...] - fstype source superoptions
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let fields: Vec<&str> = left.split(' ').collect();
        let tail: Vec<&str> = right.split(' ').collect();
        if fields.len() < 5 || tail.len() < 3 {
            continue;
        }
        let unified = tail[0] == "cgroup2";
        if tail[0] != "cgroup" && !unified {
            continue;
        }
        let controllers = if unified {
            Vec::new()
        } else {
            tail[2].split(',').map(String::from).collect()
        };
        out.push(Mount {
            point: unescape(fields[4]),
            root: unescape(fields[3]),
            controllers,
            unified,
        });
    }
    out
}

/// mountinfo escapes space, tab, newline and backslash as octal.
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let bytes = field.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 3 < bytes.len() + 1 && bytes.len() >= i + 4 {
            if let Ok(code) = u8::from_str_radix(&field[i + 1..i + 4], 8) {
                out.push(code as char);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i] as char);
        i += 1;
    }
    out
}

/// The kernel's own cgroup path in the hierarchy holding `controller` ("" for v2), from
/// /proc/self/cgroup.
fn own_path(proc_cgroup: &str, controller: &str) -> Option<String> {
    proc_cgroup.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_, list, path) = (parts.next()?, parts.next()?, parts.next()?);
        let matches = if controller.is_empty() {
            list.is_empty()
        } else {
            list.split(',').any(|c| c == controller)
        };
        matches.then(|| String::from(path))
    })
}

/// Where the kernel's own cgroup is on the host, for `mount`.
fn own_dir(mount: &Mount, path: &str) -> String {
    let inside = path
        .strip_prefix(mount.root.trim_end_matches('/'))
        .unwrap_or(path);
    format!("{}{}", mount.point.trim_end_matches('/'), inside)
}

fn write_file(path: &str, value: &str) -> Result<(), Errno> {
    let mut cpath = path.as_bytes().to_vec();
    cpath.push(0);
    const O_WRONLY_CLOEXEC: u64 = 0o1 | 0o2000000;
    let fd = host::openat2(-100, &cpath, O_WRONLY_CLOEXEC, 0, 0)?;
    let result = host::write_all(fd, value.as_bytes());
    let _ = host::close(fd);
    result
}

fn exists(path: &str) -> bool {
    let mut cpath = path.as_bytes().to_vec();
    cpath.push(0);
    host::fstatat(-100, &cpath, 0).is_ok()
}

/// The files to write in a cgroup directory for `limits`: (controller, file, value).
fn settings(limits: &Limits, unified: bool) -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    if let Some(bytes) = limits.memory_bytes {
        if unified {
            out.push(("memory", "memory.max", format!("{bytes}")));
            out.push(("memory", "memory.swap.max", String::from("0")));
        } else {
            out.push(("memory", "memory.limit_in_bytes", format!("{bytes}")));
            // Only where swap is accounted; keeps swap from stretching the limit.
            out.push(("memory", "memory.memsw.limit_in_bytes", format!("{bytes}")));
        }
    }
    if let Some(quota) = limits.cpu_quota_us {
        if unified {
            out.push(("cpu", "cpu.max", format!("{quota} {CPU_PERIOD_US}")));
        } else {
            out.push(("cpu", "cpu.cfs_period_us", format!("{CPU_PERIOD_US}")));
            out.push(("cpu", "cpu.cfs_quota_us", format!("{quota}")));
        }
    }
    if let Some(pids) = limits.pids {
        out.push(("pids", "pids.max", format!("{pids}")));
    }
    out
}

/// Files a host may lack without the limit being weaker: swap accounting is optional.
fn optional(file: &str) -> bool {
    matches!(file, "memory.memsw.limit_in_bytes" | "memory.swap.max")
}

/// Creates the instance's cgroup(s), sets `limits` and moves the kernel in. The error is
/// one line saying what is missing.
pub fn apply(limits: &Limits) -> Result<(), String> {
    if !limits.any() {
        return Ok(());
    }
    let text = |path: &str| {
        super::read_host_file(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| format!("resource limits need {path}: {}", e.message()))
    };
    let all_mounts = mounts(&text("/proc/self/mountinfo")?);
    let proc_cgroup = text("/proc/self/cgroup")?;
    let pid = host::getpid();
    let name = format!("junction-{pid}");
    let wanted = settings(limits, false);
    let mut controllers: Vec<&str> = wanted.iter().map(|s| s.0).collect();
    controllers.dedup();

    // v1 first: a controller bound to its own hierarchy is not available in v2.
    let mut v2_needed: Vec<&str> = Vec::new();
    let mut plan: Vec<(String, String, bool, Vec<&str>)> = Vec::new();
    for controller in &controllers {
        let v1 = all_mounts
            .iter()
            .find(|m| !m.unified && m.controllers.iter().any(|c| c == controller));
        match v1 {
            Some(m) => {
                let path = own_path(&proc_cgroup, controller).ok_or_else(|| {
                    format!(
                        "--{}: this process is in no {controller} cgroup",
                        flag(controller)
                    )
                })?;
                let parent = own_dir(m, &path);
                plan.push((parent, name.clone(), false, alloc::vec![*controller]));
            }
            None => v2_needed.push(controller),
        }
    }
    if !v2_needed.is_empty() {
        let m = all_mounts.iter().find(|m| m.unified).ok_or_else(|| {
            format!(
                "--{} needs the cgroup {} controller, and this host mounts none",
                flag(v2_needed[0]),
                v2_needed[0]
            )
        })?;
        let path = own_path(&proc_cgroup, "").unwrap_or_else(|| String::from("/"));
        let parent = own_dir(m, &path);
        let available = text(&format!("{parent}/cgroup.controllers"))?;
        for controller in &v2_needed {
            if !available.split_whitespace().any(|c| c == *controller) {
                return Err(format!(
                    "--{}: the cgroup {controller} controller is not available in {parent} \
                     (run junction in a cgroup that delegates it)",
                    flag(controller)
                ));
            }
            let enable = format!("+{controller}");
            write_file(&format!("{parent}/cgroup.subtree_control"), &enable).map_err(|e| {
                format!(
                    "--{}: cannot enable the {controller} controller below {parent}: {} \
                     (a cgroup with processes cannot; run junction in a leaf cgroup of its own)",
                    flag(controller),
                    e.message()
                )
            })?;
        }
        plan.push((parent, name.clone(), true, v2_needed));
    }

    for (parent, name, unified, owned) in &plan {
        sweep_stale(parent);
        let dir = format!("{parent}/{name}");
        let mut cdir = dir.as_bytes().to_vec();
        cdir.push(0);
        host::mkdirat(-100, &cdir, 0o755)
            .map_err(|e| format!("cannot create the cgroup {dir}: {}", e.message()))?;
        PLACED.lock().push(Placed {
            dir: dir.clone(),
            parent: parent.clone(),
        });
        for (controller, file, value) in settings(limits, *unified) {
            if !owned.contains(&controller) {
                continue;
            }
            let path = format!("{dir}/{file}");
            if optional(file) && !exists(&path) {
                continue;
            }
            write_file(&path, &value)
                .map_err(|e| format!("cannot set {path} to {value}: {}", e.message()))?;
        }
        write_file(&format!("{dir}/cgroup.procs"), &format!("{pid}"))
            .map_err(|e| format!("cannot move into the cgroup {dir}: {}", e.message()))?;
    }
    Ok(())
}

/// For `--info`: where each controller the limits need is, and whether the kernel may
/// make cgroups there.
pub fn describe() -> (bool, String) {
    let read = |path: &str| {
        super::read_host_file(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let all_mounts = mounts(&read("/proc/self/mountinfo"));
    let proc_cgroup = read("/proc/self/cgroup");
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (controller, option) in [
        ("memory", "--memory"),
        ("cpu", "--cpus"),
        ("pids", "--pids"),
    ] {
        let v1 = all_mounts
            .iter()
            .find(|m| !m.unified && m.controllers.iter().any(|c| c == controller));
        let place = match v1 {
            Some(m) => own_path(&proc_cgroup, controller).map(|p| (own_dir(m, &p), "v1")),
            None => all_mounts.iter().find(|m| m.unified).and_then(|m| {
                let dir = own_dir(m, &own_path(&proc_cgroup, "")?);
                read(&format!("{dir}/cgroup.controllers"))
                    .split_whitespace()
                    .any(|c| c == controller)
                    .then_some((dir, "v2"))
            }),
        };
        match place {
            Some((dir, version)) if writable(&dir) => {
                found.push(format!("{option} ({controller}, cgroup {version})"))
            }
            Some((dir, _)) => missing.push(format!("{option} ({dir} is not writable)")),
            None => missing.push(format!("{option} (no {controller} controller)")),
        }
    }
    let mut detail = String::new();
    if !found.is_empty() {
        detail.push_str(&format!("available: {}", found.join(", ")));
    }
    if !missing.is_empty() {
        if !detail.is_empty() {
            detail.push_str("; ");
        }
        detail.push_str(&format!("not available: {}", missing.join(", ")));
    }
    (missing.is_empty(), detail)
}

fn writable(dir: &str) -> bool {
    let mut cdir = dir.as_bytes().to_vec();
    cdir.push(0);
    const W_OK: u64 = 2;
    // SAFETY: faccessat2 reads the NUL-terminated path only.
    unsafe {
        host::call(
            junction_abi::SYS_FACCESSAT2,
            host::args!(-100i64, cdir.as_ptr(), W_OK, 0),
        )
    }
    .is_ok()
}

fn flag(controller: &str) -> &'static str {
    match controller {
        "memory" => "memory",
        "cpu" => "cpus",
        _ => "pids",
    }
}

/// Removes `junction-<pid>` cgroups under `parent` whose process is gone (a kill left them).
fn sweep_stale(parent: &str) {
    let mut cparent = parent.as_bytes().to_vec();
    cparent.push(0);
    const O_DIRECTORY_CLOEXEC: u64 = 0o200000 | 0o2000000;
    let Ok(fd) = host::openat2(-100, &cparent, O_DIRECTORY_CLOEXEC, 0, 0) else {
        return;
    };
    let mut names: Vec<String> = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = host::getdents64(fd, &mut buf) {
        if n == 0 {
            break;
        }
        let mut at = 0;
        while at + 19 <= n {
            let reclen = u16::from_le_bytes([buf[at + 16], buf[at + 17]]) as usize;
            let raw = &buf[at + 19..at + reclen];
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            if let Ok(name) = core::str::from_utf8(&raw[..end]) {
                names.push(String::from(name));
            }
            at += reclen.max(1);
        }
    }
    let _ = host::close(fd);
    for name in names {
        let Some(pid) = name
            .strip_prefix("junction-")
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if super::read_host_file(&format!("/proc/{pid}/stat")).is_ok() {
            continue;
        }
        let mut cdir = format!("{parent}/{name}").into_bytes();
        cdir.push(0);
        // Fails harmlessly when something still runs in it.
        let _ = host::unlinkat(-100, &cdir, AT_REMOVEDIR);
    }
}

const AT_REMOVEDIR: u32 = 0x200;

/// At exit: back to the parent cgroups and remove the instance's own (best effort: a
/// cgroup that still has processes stays until the next sweep).
pub fn release() {
    let placed = core::mem::take(&mut *PLACED.lock());
    let pid = host::getpid();
    for p in placed.iter().rev() {
        let _ = write_file(&format!("{}/cgroup.procs", p.parent), &format!("{pid}"));
        let mut cdir = p.dir.as_bytes().to_vec();
        cdir.push(0);
        let _ = host::unlinkat(-100, &cdir, AT_REMOVEDIR);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_cpus_parse() {
        assert_eq!(parse_bytes("64M"), Some(64 << 20));
        assert_eq!(parse_bytes("1g"), Some(1 << 30));
        assert_eq!(parse_bytes("4096"), Some(4096));
        for bad in ["", "M", "-1", "0", "1.5G", "12Q", "99999999999999G"] {
            assert_eq!(parse_bytes(bad), None, "{bad}");
        }
        assert_eq!(parse_cpus("0.5"), Some(50_000));
        assert_eq!(parse_cpus("2"), Some(200_000));
        assert_eq!(parse_cpus(".25"), Some(25_000));
        for bad in ["", ".", "0", "0.001", "-1", "1.2.3", "abc", "0.000001"] {
            assert_eq!(parse_cpus(bad), None, "{bad}");
        }
    }

    #[test]
    fn mountinfo_and_own_paths() {
        let info = "\
30 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
31 25 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 25 0:28 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
40 1 8:1 / / rw - ext4 /dev/sda1 rw
";
        let m = mounts(info);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].controllers, ["rw", "memory"]);
        assert!(m[2].unified);
        let proc_cgroup = "4:memory:/box/a\n1:cpu:/\n0::/user.slice\n";
        assert_eq!(own_path(proc_cgroup, "memory").as_deref(), Some("/box/a"));
        assert_eq!(own_path(proc_cgroup, "").as_deref(), Some("/user.slice"));
        assert_eq!(own_dir(&m[0], "/box/a"), "/sys/fs/cgroup/memory/box/a");
        assert_eq!(own_dir(&m[1], "/"), "/sys/fs/cgroup/cpu/");
    }
}
