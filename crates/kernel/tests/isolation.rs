//! `--root DIR` is the only file system the app sees: `..`, symlinks (absolute and
//! relative, made before or by the app), `/proc/self/root`, `/proc/self/cwd` and the
//! kernel's own mounts cannot leave it. Each escape is compared with the same program run
//! natively under chroot(2) into the same directory — what Linux gives a sandboxed process.
//! Needs root (for the native chroot) and busybox-static (its applets run in-process).

mod common;

use std::os::unix::fs::symlink;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output};

use common::{ready, Fixture, KERNEL};

const BUSYBOX: &str = "/bin/busybox";

/// A root with busybox, a file inside, and a secret file beside the root (outside it),
/// named by every kind of link the test tries.
fn sandbox(name: &str) -> (Fixture, String) {
    let f = Fixture::new(name);
    f.file("secret.txt", "the secret outside the root\n");
    f.file("root/inside.txt", "inside the root\n");
    f.dir("root/rw");
    f.dir("root/bin");
    std::fs::copy(BUSYBOX, f.path("root/bin/busybox")).expect("copy busybox into the root");
    let secret = f.arg("secret.txt");
    symlink(&secret, f.path("root/absolute")).expect("symlink");
    symlink("../secret.txt", f.path("root/relative")).expect("symlink");
    symlink("..", f.path("root/up")).expect("symlink");
    symlink(&secret, f.path("root/rw/out")).expect("symlink");
    let root = f.arg("root");
    (f, root)
}

/// The native side needs chroot(2), which needs root; says SKIP otherwise.
fn can_chroot() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1).map(String::from));
    if euid.as_deref() == Some("0") {
        return true;
    }
    eprintln!("SKIP: comparing with chroot(2) needs root");
    false
}

fn native_in_chroot(root: &str, args: &[&str]) -> Output {
    let root = root.to_string();
    let mut command = Command::new("/bin/busybox");
    command.args(args);
    // SAFETY: chroot and chdir are async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            std::os::unix::fs::chroot(&root)?;
            std::env::set_current_dir("/")
        });
    }
    command.output().expect("run busybox under chroot")
}

fn under_kernel(root: &str, extra: &[&str], args: &[&str]) -> Output {
    Command::new(KERNEL)
        .args(["--root", root])
        .args(extra)
        .arg("--")
        .arg("/bin/busybox")
        .args(args)
        .output()
        .expect("run the kernel")
}

fn show(out: &Output) -> String {
    format!(
        "status {:?}\nstdout {}stderr {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn dot_dot_and_symlinks_stay_in_the_root_as_under_chroot() {
    if !ready(&[BUSYBOX]) || !can_chroot() {
        return;
    }
    let (f, root) = sandbox("isolation-paths");
    for path in [
        "/inside.txt",
        "/../secret.txt",
        "../secret.txt",
        "/bin/../../secret.txt",
        "/absolute",
        "/relative",
        "/up/secret.txt",
        "/up/up/inside.txt",
    ] {
        let native = native_in_chroot(&root, &["cat", path]);
        let kernel = under_kernel(&root, &[], &["cat", path]);
        assert_eq!(show(&kernel), show(&native), "cat {path}");
    }
    // The secret never shows up, and the control did.
    let control = under_kernel(&root, &[], &["cat", "/inside.txt"]);
    assert_eq!(
        String::from_utf8_lossy(&control.stdout),
        "inside the root\n"
    );
    drop(f);
}

#[test]
fn a_symlink_in_a_writable_path_does_not_write_outside() {
    if !ready(&[BUSYBOX]) || !can_chroot() {
        return;
    }
    let (f, root) = sandbox("isolation-write");
    // The app makes its own link too (climbing above the root), then writes through both
    // with shell builtins (no fork) and reads back what it wrote.
    let steps: [&[&str]; 3] = [
        &["ln", "-s", "../../../rw/escaped", "/rw/made"],
        &[
            "sh",
            "-c",
            "echo pwned > /rw/out; echo $?; echo pwned > /rw/made; echo $?",
        ],
        &["cat", "/rw/made", "/rw/escaped"],
    ];
    let mut native = Vec::new();
    for step in steps {
        native.push(show(&native_in_chroot(&root, step)));
    }
    for name in ["root/rw/made", "root/rw/escaped"] {
        std::fs::remove_file(f.path(name)).expect("undo the native run");
    }
    let mut kernel = Vec::new();
    for step in steps {
        kernel.push(show(&under_kernel(&root, &["--rw", "/rw"], step)));
    }
    assert_eq!(kernel, native);
    assert_eq!(
        std::fs::read_to_string(f.path("secret.txt")).expect("the secret"),
        "the secret outside the root\n"
    );
    assert_eq!(
        std::fs::read_to_string(f.path("root/rw/escaped")).expect("written inside"),
        "pwned\n"
    );
}

#[test]
fn proc_links_and_kernel_mounts_stay_in_the_root() {
    if !ready(&[BUSYBOX]) {
        return;
    }
    let (f, root) = sandbox("isolation-proc");
    // The magic links work, and name the instance's root...
    let out = under_kernel(
        &root,
        &[],
        &[
            "cat",
            "/proc/self/root/inside.txt",
            "/proc/self/cwd/inside.txt",
        ],
    );
    assert_eq!(
        show(&out),
        "status Some(0)\nstdout inside the root\ninside the root\nstderr "
    );
    let out = under_kernel(&root, &[], &["readlink", "/proc/self/root"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "/\n");
    // ...and `..` past them, or past /dev, /proc and /tmp, is still the root: the secret
    // file is not there, as under chroot.
    for path in [
        "/proc/self/root/../secret.txt",
        "/proc/self/cwd/../secret.txt",
        "/proc/self/root/absolute",
        "/proc/../secret.txt",
        "/dev/../secret.txt",
        "/dev/fd/../../secret.txt",
        "/tmp/../secret.txt",
    ] {
        let out = under_kernel(&root, &[], &["cat", path]);
        assert_eq!(
            show(&out),
            format!("status Some(1)\nstdout stderr cat: can't open '{path}': No such file or directory\n"),
            "cat {path}"
        );
    }
    drop(f);
}
