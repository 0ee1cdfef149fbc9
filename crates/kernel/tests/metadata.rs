//! File metadata calls (symlinks, hard links, chmod, chown, utimensat, truncate):
//! tests/programs/metadata.c natively and under the kernel; stdout, stderr and exit status
//! must match. It works in a fresh directory it makes below its argument.

use std::path::PathBuf;
use std::sync::OnceLock;

mod common;

use common::{build_c, ready, Fixture, Matrix, Run};

/// metadata.c built once (tests run in parallel: a second gcc would replace the binary
/// while the first test runs it); None without gcc.
fn program() -> Option<String> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT
        .get_or_init(|| build_c("metadata", &[]))
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned())
}

/// In /tmp: natively the host's, under the kernel the instance's tmpfs, which serves every
/// call itself.
#[test]
fn in_the_tmpfs() {
    if !ready::<&str>(&[]) {
        return;
    }
    let Some(program) = program() else {
        return;
    };
    let mut m = Matrix::new();
    m.check(Run::new(&program).args(["/tmp"]));
    m.finish();
}

/// In a --rw directory of the root: the calls are forwarded to the host.
#[test]
fn in_a_writable_root_directory() {
    if !ready::<&str>(&[]) {
        return;
    }
    let Some(program) = program() else {
        return;
    };
    let f = Fixture::new("metadata-rw");
    f.dir("rw");
    let mut m = Matrix::new();
    m.check(
        Run::new(&program)
            .args([f.arg("rw")])
            .kernel_options(["--rw", &f.arg("rw")]),
    );
    m.finish();
}

/// Outside --rw paths the root directory is read-only: every change is EROFS, after the
/// errors Linux reports first on a read-only mount (ENOENT for a missing file to change,
/// EEXIST for a taken name, EISDIR for truncate; unlink takes the mount first). Opens for
/// writing and xattr changes are decided by real paths too. Writability
/// goes by a file's real path, so a symlink in a --rw directory lends none to what it
/// names. No native run can give EROFS without a read-only mount, so the answers are
/// written out here.
#[test]
fn read_only_root_paths() {
    const PYTHON: &str = "/usr/bin/python3";
    if !ready(&[PYTHON]) {
        return;
    }
    let f = Fixture::new("metadata-ro");
    f.file("ro.txt", "read-only");
    f.dir("ro-dir");
    f.file("rw/file", "writable");
    f.symlink("../ro.txt", "rw/escape");
    f.symlink("..", "rw/up");
    let code = r#"
import os, errno
def show(name, call):
    try:
        call()
        print(name, 'ok')
    except OSError as e:
        print(name, errno.errorcode[e.errno])
show('chmod ro.txt', lambda: os.chmod('ro.txt', 0o600))
show('chmod missing', lambda: os.chmod('missing', 0o600))
show('chown ro.txt', lambda: os.chown('ro.txt', -1, -1))
show('utime ro.txt', lambda: os.utime('ro.txt'))
show('truncate ro.txt', lambda: os.truncate('ro.txt', 0))
show('truncate ro-dir', lambda: os.truncate('ro-dir', 0))
show('symlink ro-new', lambda: os.symlink('x', 'ro-new'))
show('symlink over ro.txt', lambda: os.symlink('x', 'ro.txt'))
show('mkdir ro-dir', lambda: os.mkdir('ro-dir'))
show('unlink missing', lambda: os.unlink('missing'))
show('link ro.txt rw/new', lambda: os.link('ro.txt', 'rw/new'))
show('link rw/file ro-new', lambda: os.link('rw/file', 'ro-new'))
show('link rw/file rw/file2', lambda: os.link('rw/file', 'rw/file2'))
show('chmod rw/file2', lambda: os.chmod('rw/file2', 0o600))
show('chmod rw/escape', lambda: os.chmod('rw/escape', 0o600))
show('lchown rw/escape', lambda: os.lchown('rw/escape', -1, -1))
show('truncate rw/escape', lambda: os.truncate('rw/escape', 0))
show('symlink rw/up/new', lambda: os.symlink('x', 'rw/up/new'))
show('link rw/escape rw/e2', lambda: os.link('rw/escape', 'rw/e2', follow_symlinks=False))
# With a dir fd, os.link makes linkat(AT_SYMLINK_FOLLOW) (alone it makes link(), which
# does not follow).
here = os.open('.', os.O_RDONLY)
show('linkat rw/escape rw/e3 follow', lambda: os.link('rw/escape', 'rw/e3', src_dir_fd=here))
show('open rw/escape for writing', lambda: open('rw/escape', 'a'))
show('open rw/up/ro.txt for writing', lambda: open('rw/up/ro.txt', 'r+'))
show('create rw/up/new', lambda: open('rw/up/new', 'x'))
show('symlink ../ro-made rw/dangling', lambda: os.symlink('../ro-made', 'rw/dangling'))
show('create through rw/dangling', lambda: open('rw/dangling', 'w'))
show('symlink made rw/dangling2', lambda: os.symlink('made', 'rw/dangling2'))
show('create through rw/dangling2', lambda: open('rw/dangling2', 'w'))
show('create in a missing directory', lambda: open('nodir/x', 'w'))
show('open missing for writing', lambda: open('missing', 'r+'))
show('setxattr rw/escape', lambda: os.setxattr('rw/escape', 'user.k', b'v'))
fd = os.open('ro.txt', os.O_RDONLY)
show('fsetxattr ro.txt', lambda: os.setxattr(fd, 'user.k', b'v'))
show('fchmod ro.txt', lambda: os.fchmod(fd, 0o600))
show('futimens ro.txt', lambda: os.utime(fd))
fd = os.open('rw/escape', os.O_RDONLY)
show('fchown through rw/escape', lambda: os.fchown(fd, -1, -1))
print(oct(os.stat('ro.txt').st_mode), os.stat('rw/file').st_nlink, open('ro.txt').read())
print(sorted(os.listdir('.')), sorted(os.listdir('rw')))
"#;
    let out = std::process::Command::new(common::KERNEL)
        .args(["--rw", &f.arg("rw"), "--", PYTHON, "-c", code])
        .current_dir(&f.root)
        .output()
        .expect("kernel run");
    let want = "\
chmod ro.txt EROFS
chmod missing ENOENT
chown ro.txt EROFS
utime ro.txt EROFS
truncate ro.txt EROFS
truncate ro-dir EISDIR
symlink ro-new EROFS
symlink over ro.txt EEXIST
mkdir ro-dir EEXIST
unlink missing EROFS
link ro.txt rw/new EXDEV
link rw/file ro-new EROFS
link rw/file rw/file2 ok
chmod rw/file2 ok
chmod rw/escape EROFS
lchown rw/escape ok
truncate rw/escape EROFS
symlink rw/up/new EROFS
link rw/escape rw/e2 ok
linkat rw/escape rw/e3 follow EXDEV
open rw/escape for writing EROFS
open rw/up/ro.txt for writing EROFS
create rw/up/new EROFS
symlink ../ro-made rw/dangling ok
create through rw/dangling EROFS
symlink made rw/dangling2 ok
create through rw/dangling2 ok
create in a missing directory ENOENT
open missing for writing ENOENT
setxattr rw/escape EROFS
fsetxattr ro.txt EROFS
fchmod ro.txt EROFS
futimens ro.txt EROFS
fchown through rw/escape EROFS
0o100644 2 read-only
['ro-dir', 'ro.txt', 'rw'] ['dangling', 'dangling2', 'e2', 'escape', 'file', 'file2', 'made', 'up']
";
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        want,
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success());
}
