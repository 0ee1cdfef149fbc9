//! `--memory`, `--cpus`, `--pids`: the instance's own cgroup. Needs root and a writable
//! cgroup controller (v1 or v2); says SKIP where there is none.

mod common;

use std::fs;
use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use common::{available, build_c, KERNEL};

/// Whether the kernel can set limits here; says SKIP (with its message) where it cannot.
fn limits_work() -> bool {
    if !available() {
        return false;
    }
    let out = Command::new(KERNEL)
        .args([
            "--memory",
            "256M",
            "--cpus",
            "1",
            "--pids",
            "100",
            "--",
            "/bin/true",
        ])
        .output()
        .expect("run the kernel");
    if !out.status.success() {
        eprintln!(
            "SKIP: this machine gives no cgroup for limits: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return false;
    }
    true
}

/// The host directory of the v1 hierarchy with `controller`, or the v2 one, holding this
/// process's cgroup (as the kernel picks it).
fn own_cgroup_dir(controller: &str) -> Option<PathBuf> {
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").ok()?;
    let cgroups = fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut unified = None;
    for line in mountinfo.lines() {
        let (left, right) = line.split_once(" - ")?;
        let fields: Vec<&str> = left.split(' ').collect();
        let tail: Vec<&str> = right.split(' ').collect();
        let (root, point) = (fields[3], fields[4]);
        let own = |list: &str| {
            cgroups.lines().find_map(|l| {
                let mut p = l.splitn(3, ':');
                let (_, names, path) = (p.next()?, p.next()?, p.next()?);
                let hit = if list.is_empty() {
                    names.is_empty()
                } else {
                    names.split(',').any(|n| n == list)
                };
                hit.then(|| {
                    path.strip_prefix(root.trim_end_matches('/'))
                        .unwrap_or(path)
                        .to_string()
                })
            })
        };
        if tail[0] == "cgroup" && tail[2].split(',').any(|o| o == controller) {
            return Some(PathBuf::from(format!("{point}{}", own(controller)?)));
        }
        if tail[0] == "cgroup2" {
            unified = Some(PathBuf::from(format!("{point}{}", own("")?)));
        }
    }
    unified
}

fn kernel(args: &[&str]) -> Output {
    Command::new(KERNEL)
        .args(args)
        .output()
        .expect("run the kernel")
}

/// Runs `program args` natively in a fresh cgroup with `memory.*` set to `bytes` (made by
/// this test, as the kernel makes its own).
fn native_with_memory(program: &str, args: &[&str], bytes: u64) -> Output {
    let parent = own_cgroup_dir("memory").expect("a memory cgroup");
    let dir = parent.join(format!("junction-test-{}", std::process::id()));
    fs::create_dir(&dir).expect("create a test cgroup");
    let unified = dir.join("memory.max").exists();
    let limit = if unified {
        "memory.max"
    } else {
        "memory.limit_in_bytes"
    };
    fs::write(dir.join(limit), bytes.to_string()).expect("set the memory limit");
    let swap = dir.join(if unified {
        "memory.swap.max"
    } else {
        "memory.memsw.limit_in_bytes"
    });
    if swap.exists() {
        let _ = fs::write(
            &swap,
            if unified {
                "0".to_string()
            } else {
                bytes.to_string()
            },
        );
    }
    let procs = dir.join("cgroup.procs");
    let mut command = Command::new(program);
    command.args(args);
    // SAFETY: the closure only opens, writes and closes a file (async-signal-safe calls).
    unsafe {
        command.pre_exec(move || fs::write(&procs, "0").map_err(std::io::Error::other));
    }
    let out = command.output().expect("run natively");
    let _ = fs::remove_dir(&dir);
    out
}

#[test]
fn memory_limit_ends_a_runaway_allocation_like_linux() {
    if !limits_work() {
        return;
    }
    let Some(alloc) = build_c("alloc", &[]) else {
        return;
    };
    let alloc = alloc.to_str().expect("utf-8 path");
    let small = kernel(&["--memory", "64M", "--", alloc, "16"]);
    assert!(small.status.success(), "{small:?}");
    assert_eq!(String::from_utf8_lossy(&small.stdout), "touched 16 MiB\n");

    let runaway = kernel(&["--memory", "64M", "--", alloc, "512"]);
    let native = native_with_memory(alloc, &["512"], 64 << 20);
    assert_eq!(native.status.signal(), Some(9), "native: {native:?}");
    assert_eq!(
        runaway.status.signal(),
        Some(9),
        "under the kernel: {runaway:?}"
    );
    assert_eq!(runaway.stdout, native.stdout);
}

#[test]
fn cpu_and_pid_limits_are_set_and_removed_at_exit() {
    if !limits_work() {
        return;
    }
    // cat blocks on its stdin, so the instance can be looked at while it runs.
    let mut child = Command::new(KERNEL)
        .args(["--cpus", "0.5", "--pids", "30", "--", "/bin/cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the kernel");
    let pid = child.id();
    let name = format!("junction-{pid}");
    // The cgroups are made before the program is loaded: wait until cat reads stdin.
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"x").expect("write to cat");
    let mut first = [0u8; 1];
    std::io::Read::read_exact(child.stdout.as_mut().expect("stdout"), &mut first)
        .expect("cat echoes");
    let cgroup = fs::read_to_string(format!("/proc/{pid}/cgroup")).expect("its cgroups");
    assert!(cgroup.contains(&name), "not in its own cgroup:\n{cgroup}");

    let cpu = own_cgroup_dir("cpu").expect("a cpu cgroup").join(&name);
    let quota = match fs::read_to_string(cpu.join("cpu.max")) {
        Ok(max) => max,
        Err(_) => format!(
            "{} {}",
            fs::read_to_string(cpu.join("cpu.cfs_quota_us"))
                .expect("quota")
                .trim(),
            fs::read_to_string(cpu.join("cpu.cfs_period_us"))
                .expect("period")
                .trim()
        ),
    };
    assert_eq!(quota.trim(), "50000 100000");
    let pids = own_cgroup_dir("pids").expect("a pids cgroup").join(&name);
    assert_eq!(
        fs::read_to_string(pids.join("pids.max"))
            .expect("pids.max")
            .trim(),
        "30"
    );

    drop(stdin);
    let status = child.wait().expect("wait");
    assert!(status.success());
    assert!(!cpu.exists(), "{} left behind", cpu.display());
    assert!(!pids.exists(), "{} left behind", pids.display());
}

#[test]
fn bad_limits_are_one_line_errors() {
    for (args, message) in [
        (
            ["--memory", "lots"],
            "junction: --memory lots: expected a size in bytes, e.g. 512M (see --help)\n",
        ),
        (
            ["--cpus", "0"],
            "junction: --cpus 0: expected a number of CPUs of at least 0.01, e.g. 0.5 (see --help)\n",
        ),
    ] {
        let out = kernel(&[args[0], args[1], "--", "/bin/true"]);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&out.stderr), message);
    }
}
