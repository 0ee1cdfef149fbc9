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

/// `--bind HOST:PATH` against a read-only bind mount in a mount namespace of its own
/// (unshare -m): the files are there, read-only whatever `--rw` says, `..` and symlinks
/// inside cannot leave the bound directory, and /proc/self/fd names the instance path.
#[test]
fn a_bind_is_read_only_and_confined_like_a_bind_mount() {
    const PYTHON: &str = "/usr/bin/python3";
    if !ready(&[PYTHON, "/usr/bin/unshare", "/usr/bin/mount"]) || !can_chroot() {
        return;
    }
    if !std::path::Path::new("/srv").is_dir() {
        eprintln!("SKIP: no /srv on this host to bind over");
        return;
    }
    let f = Fixture::new("isolation-bind");
    f.file("secret.txt", "outside\n");
    f.file("bound/token", "s3cr3t\n");
    symlink("../secret.txt", f.path("bound/relative")).expect("symlink");
    symlink(f.arg("secret.txt"), f.path("bound/absolute")).expect("symlink");
    let code = r#"
import os, errno
def show(name, call):
    try:
        print(name, call())
    except OSError as e:
        print(name, errno.errorcode[e.errno])
show('read', lambda: open('/srv/token').read().strip())
show('fd name', lambda: os.readlink('/proc/self/fd/%d' % os.open('/srv/token', os.O_RDONLY)))
show('create', lambda: open('/srv/new', 'w'))
show('write', lambda: open('/srv/token', 'a'))
show('mkdir', lambda: os.mkdir('/srv/d'))
show('unlink', lambda: os.unlink('/srv/token'))
show('list', lambda: sorted(os.listdir('/srv')))
show('relative link', lambda: open('/srv/relative').read())
show('up and back', lambda: open('/srv/../srv/token').read().strip())
"#;
    let bound = f.arg("bound");
    let native = Command::new("/usr/bin/unshare")
        .args(["-m", "sh", "-c"])
        .arg(format!(
            "mount --bind {bound} /srv && mount -o remount,bind,ro /srv && exec {PYTHON} -c \"$0\""
        ))
        .arg(code)
        .output()
        .expect("run natively in a mount namespace");
    let kernel = Command::new(KERNEL)
        .args([
            "--rw",
            "/srv",
            "--bind",
            &format!("{bound}:/srv"),
            "--",
            PYTHON,
            "-c",
            code,
        ])
        .output()
        .expect("run the kernel");
    assert_eq!(show(&kernel), show(&native));
    assert!(String::from_utf8_lossy(&kernel.stdout).contains("read s3cr3t"));
    // The absolute link names a host path: inside the bind it is confined to it.
    let out = Command::new(KERNEL)
        .args(["--bind", &format!("{bound}:/srv"), "--", PYTHON, "-c"])
        .arg("import errno\ntry: open('/srv/absolute')\nexcept OSError as e: print(errno.errorcode[e.errno])")
        .output()
        .expect("run the kernel");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ENOENT\n");
}
