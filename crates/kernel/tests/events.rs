//! eventfd, epoll, select and poll: tests/programs/events.c and a Python script run natively
//! and under the kernel in the same test; stdout, stderr and exit status must match.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

mod common;

use common::{available, build_c, KERNEL};

/// events.c built with gcc, or None (with a SKIP line) without gcc.
fn compile() -> Option<PathBuf> {
    build_c("events", &[])
}

/// Runs `program` natively or under the kernel; `feed` lines go to its stdin, each after a
/// pause, and stdin is closed after the last (with no lines, stdin is /dev/null).
fn run(under_kernel: bool, program: &Path, args: &[&str], feed: &[&str]) -> Output {
    let mut command = if under_kernel {
        let mut c = Command::new(KERNEL);
        c.arg("--").arg(program);
        c
    } else {
        Command::new(program)
    };
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command.stdin(if feed.is_empty() {
        Stdio::null()
    } else {
        Stdio::piped()
    });
    let mut child = command.spawn().expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        for line in feed {
            std::thread::sleep(Duration::from_millis(500));
            stdin.write_all(line.as_bytes()).expect("write to stdin");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("wait")
}

fn same(program: &Path, args: &[&str], feed: &[&str]) {
    let native = run(false, program, args, feed);
    let kernel = run(true, program, args, feed);
    let what = format!("{} {args:?}", program.display());
    assert_eq!(
        String::from_utf8_lossy(&kernel.stdout),
        String::from_utf8_lossy(&native.stdout),
        "stdout of {what}"
    );
    assert_eq!(
        String::from_utf8_lossy(&kernel.stderr),
        String::from_utf8_lossy(&native.stderr),
        "stderr of {what}"
    );
    assert_eq!(
        kernel.status.code(),
        native.status.code(),
        "status of {what}"
    );
    assert_eq!(
        native.status.code(),
        Some(0),
        "events.c itself failed: {what}"
    );
}

#[test]
fn events_program_matches_native() {
    if !available() {
        return;
    }
    let Some(binary) = compile() else {
        return;
    };
    same(&binary, &[], &[]);
    // Waits on a host fd: stdin is a pipe the test writes to after a pause.
    same(&binary, &["stdin"], &["hello\n", "world\n"]);
    let _ = std::fs::remove_dir_all(binary.parent().unwrap_or(Path::new("/nonexistent")));
}

const PYTHON: &str = r#"
import os, select, selectors, time
r, w = os.pipe()
e = os.eventfd(0, os.EFD_NONBLOCK)
name = {r: "pipe", w: "pipe-w", e: "eventfd"}
show = lambda events: sorted((name[fd], mask) for fd, mask in events)
ep = select.epoll()
ep.register(r, select.EPOLLIN)
ep.register(e, select.EPOLLIN | select.EPOLLET)
print("epoll idle", show(ep.poll(0)))
os.write(w, b"x")
os.eventfd_write(e, 3)
print("epoll both", show(ep.poll(0)))
print("epoll again (eventfd is edge-triggered)", show(ep.poll(0)))
print("eventfd_read", os.eventfd_read(e))
start = time.monotonic()
print("epoll 50 ms, pipe still ready", show(ep.poll(0.05)))
ep.unregister(r)
print("epoll 50 ms, nothing", show(ep.poll(0.05)), time.monotonic() - start >= 0.05)
ep.close()
sel = selectors.DefaultSelector()
print("selector", type(sel).__name__)
sel.register(r, selectors.EVENT_READ, "pipe")
sel.register(e, selectors.EVENT_READ, "eventfd")
print("selector ready", sorted(key.data for key, _ in sel.select(0.01)))
os.read(r, 1)
print("selector idle", sorted(key.data for key, _ in sel.select(0.02)))
sel.close()
os.eventfd_write(e, 1)
rl, wl, xl = select.select([r, e], [w], [r], 0.01)
print("select", sorted(map(name.get, rl)), sorted(map(name.get, wl)), xl)
p = select.poll()
p.register(r, select.POLLIN)
p.register(w, select.POLLOUT)
p.register(e, select.POLLIN)
print("poll", show(p.poll(0)))
"#;

#[test]
fn python_selectors_match_native() {
    if !available() {
        return;
    }
    let python = Path::new("/usr/bin/python3");
    if !python.exists() {
        eprintln!("SKIP: /usr/bin/python3 is not installed");
        return;
    }
    same(python, &["-c", PYTHON], &[]);
}

/// Waits that find something ready, and everything around them, never leave user space.
#[test]
fn ready_waits_make_no_host_calls() {
    if !available() {
        return;
    }
    let json = common::scratch().join(format!("junction-events-stats-{}.json", std::process::id()));
    let script = "import os, select\n\
        e = os.eventfd(0); r, w = os.pipe(); ep = select.epoll()\n\
        ep.register(e, select.EPOLLIN); ep.register(r, select.EPOLLIN | select.EPOLLET)\n\
        os.eventfd_write(e, 1); os.write(w, b'x')\n\
        assert len(ep.poll(0)) == 2\n\
        assert select.select([r], [w], [], 0)[0] == [r]\n\
        os.eventfd_read(e)";
    let out = Command::new(KERNEL)
        .arg("--stats-json")
        .arg(&json)
        .args(["--", "/usr/bin/python3", "-c", script])
        .output()
        .expect("kernel run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&json).expect("stats json");
    let _ = std::fs::remove_file(&json);
    for name in [
        "eventfd2",
        "epoll_create1",
        "epoll_ctl",
        "epoll_wait",
        "pselect6",
    ] {
        let row = text
            .split("{\"nr\"")
            .find(|r| r.contains(&format!("\"name\":\"{name}\"")))
            .unwrap_or_else(|| panic!("{name} in {text}"));
        assert!(
            row.contains("\"hostCalls\":0"),
            "{name} made host calls: {row}"
        );
    }
}
