//! Acceptance points 2 and 3 of the kernel issue, and the kernel-served file systems:
//! served calls make no host calls, privileged calls are refused without reaching the host,
//! the seccomp filter is on, and /proc and the /tmp tmpfs behave as natively. Needs Linux
//! with syscall user dispatch (5.11+) and gcc; skips with a message where either is missing.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

mod common;

use common::{available, build_c, scratch, stats_row, KERNEL};

fn run(args: &[&str]) -> Output {
    Command::new(KERNEL)
        .args(args)
        .current_dir(scratch())
        .output()
        .expect("kernel run")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn served_calls_make_no_host_calls() {
    if !available() {
        return;
    }
    // Static: no dynamic loader whose own reads and closes would count as host calls.
    let Some(program) = build_c("served", &["-static"]) else {
        return;
    };
    let json = scratch().join("served-stats.json");
    let out = run(&[
        "--stats-json",
        json.to_str().unwrap_or_default(),
        "--",
        program.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stats = std::fs::read_to_string(&json).expect("stats json");
    for name in [
        "getpid",
        "gettid",
        "clock_gettime",
        "rt_sigprocmask",
        "dup",
        "close",
        "fcntl",
        "pipe2",
        "write",
        "read",
    ] {
        let (calls, host_calls) =
            stats_row(&stats, name).unwrap_or_else(|| panic!("{name} missing from {stats}"));
        assert!(calls >= 3, "{name} was called {calls} times: {stats}");
        assert_eq!(host_calls, 0, "{name} made host calls: {stats}");
    }
}

#[test]
fn privileged_calls_are_refused_and_never_reach_the_host() {
    if !available() {
        return;
    }
    let Some(program) = build_c("forbidden", &[]) else {
        return;
    };
    let program = program.to_str().unwrap_or_default();
    // Natively (as root here) the host runs each call and refuses it for its arguments:
    // at least some answers are not EPERM. Under the kernel every answer is EPERM.
    let native = Command::new(program).output().expect("native run");
    let native_text = text(&native.stdout);
    assert!(
        native_text.lines().any(|l| !l.ends_with(" EPERM")),
        "the native run should show the host's own answers:\n{native_text}"
    );
    let json = scratch().join("forbidden-stats.json");
    let out = run(&[
        "--stats-json",
        json.to_str().unwrap_or_default(),
        "--",
        program,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(String::from).collect();
    let names = [
        "mount",
        "umount2",
        "reboot",
        "kexec_load",
        "bpf",
        "init_module",
        "ptrace",
    ];
    assert_eq!(lines.len(), names.len(), "{lines:?}");
    let stats = std::fs::read_to_string(&json).expect("stats json");
    for (line, name) in lines.iter().zip(names) {
        assert_eq!(line, &format!("{name} EPERM"));
        assert_eq!(
            stats_row(&stats, name),
            Some((1, 0)),
            "{name}: one call, no host call: {stats}"
        );
    }
}

#[test]
fn seccomp_filter_is_installed() {
    if !available() {
        return;
    }
    // The instance's own view.
    let out = run(&["--", "/bin/cat", "/proc/self/status"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status = text(&out.stdout);
    assert!(status.contains("\nSeccomp:\t2\n"), "{status}");
    assert!(status.contains("\nPid:\t2\n"), "virtual pid: {status}");
    // The host's view of the same process while it runs: the filter is really there. Once
    // cat has echoed a line, the app runs, so the kernel has installed its filter.
    let mut child = Command::new(KERNEL)
        .args(["--", "/bin/cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"ready\n").expect("write");
    let mut line = [0u8; 6];
    child
        .stdout
        .as_mut()
        .expect("stdout")
        .read_exact(&mut line)
        .expect("echo");
    let host_status = std::fs::read_to_string(format!("/proc/{}/status", child.id()));
    drop(stdin);
    let _ = child.wait();
    let host_status = host_status.expect("host /proc status");
    assert!(host_status.contains("\nSeccomp:\t2\n"), "{host_status}");
    // And without the filter the instance says so.
    let out = run(&["--no-seccomp", "--", "/bin/cat", "/proc/self/status"]);
    assert!(text(&out.stdout).contains("\nSeccomp:\t0\n"));
}

/// Runs a Python script natively and under the kernel; stdout, stderr and status must match.
fn same_python(script: &str) {
    let native = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .current_dir(scratch())
        .output()
        .expect("native python3");
    let under = run(&["--", "/usr/bin/python3", "-c", script]);
    assert_eq!(text(&under.stderr), text(&native.stderr), "stderr");
    assert_eq!(text(&under.stdout), text(&native.stdout), "stdout");
    assert_eq!(under.status.code(), native.status.code(), "status");
}

#[test]
fn proc_self_matches_native() {
    if !available() {
        return;
    }
    same_python(
        "import os\n\
         print(os.readlink('/proc/self/exe'))\n\
         print(open('/proc/self/cmdline', 'rb').read())\n\
         print(open('/proc/self/comm').read().strip())\n\
         print(os.readlink('/proc/self/cwd') == os.getcwd())\n\
         print(os.stat('/proc/self').st_ino == os.stat('/proc/%d' % os.getpid()).st_ino)\n\
         fd = os.open('/etc/hostname', os.O_RDONLY)\n\
         print(os.readlink('/proc/self/fd/%d' % fd), str(fd) in os.listdir('/proc/self/fd'))\n\
         maps = open('/proc/self/maps').read()\n\
         print('[stack]' in maps, '[vdso]' in maps, os.path.realpath('/usr/bin/python3') in maps)\n\
         print(open('/proc/meminfo').read().startswith('MemTotal:'))\n\
         print('processor' in open('/proc/cpuinfo').read())\n\
         print(os.statvfs('/proc').f_bsize > 0)\n",
    );
}

#[test]
fn tmp_files_work_as_natively() {
    if !available() {
        return;
    }
    // Natively this runs in the host's /tmp; under the kernel in the instance's tmpfs.
    same_python(
        "import os, shutil, tempfile, mmap, sqlite3\n\
         d = tempfile.mkdtemp(prefix='junction-test-')\n\
         os.makedirs(d + '/a/b')\n\
         with open(d + '/a/b/f.txt', 'w') as f: f.write('line\\n' * 500)\n\
         print(sorted(os.listdir(d + '/a')), os.path.getsize(d + '/a/b/f.txt'))\n\
         os.rename(d + '/a/b/f.txt', d + '/a/g.txt')\n\
         print(sorted(os.listdir(d + '/a')), os.listdir(d + '/a/b'))\n\
         with open(d + '/a/g.txt', 'r+b') as f:\n\
         \x20   m = mmap.mmap(f.fileno(), 0); m[0:1] = b'L'; m.flush(); m.close()\n\
         print(open(d + '/a/g.txt').read(5))\n\
         with tempfile.TemporaryFile(dir=d) as t:\n\
         \x20   t.write(b'unnamed'); t.seek(0); print(t.read())\n\
         db = sqlite3.connect(d + '/db.sqlite')\n\
         db.execute('create table t(x)'); db.executemany('insert into t values (?)', [(i,) for i in range(100)])\n\
         db.commit(); print(db.execute('select sum(x) from t').fetchone()); db.close()\n\
         for bad in [lambda: os.rmdir(d + '/a'), lambda: os.mkdir(d + '/a'), lambda: open(d + '/nope')]:\n\
         \x20   try: bad()\n\
         \x20   except OSError as e: print(type(e).__name__, e.errno)\n\
         print(os.statvfs(d).f_bsize)\n\
         shutil.rmtree(d); print(os.path.exists(d))\n",
    );
}
