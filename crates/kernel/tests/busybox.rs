//! busybox-static applets, natively and under the kernel: a static (non-PIE) binary with its
//! own libc. Only applets that start no other process (fork/exec is not served yet).

mod common;

use common::{ready, scrambled_numbers, Fixture, Matrix, Run, FRUIT};

const BUSYBOX: &str = "/bin/busybox";

fn fixture(name: &str) -> Fixture {
    let f = Fixture::new(name);
    f.file("fruit.txt", FRUIT);
    f.file("numbers.txt", scrambled_numbers(50_000));
    f.file("tree/a/f1", "one\n");
    f.file("tree/a/b/f2", scrambled_numbers(3000));
    f.file("tree/c/f3", "three\n");
    f.symlink("../a/f1", "tree/c/link");
    f.dir("tree/d");
    f
}

#[test]
fn applets_match_native() {
    if !ready(&[BUSYBOX]) {
        return;
    }
    let f = fixture("busybox-applets");
    let mut m = Matrix::new();
    let bb = |applet: &str| Run::new(BUSYBOX).args([applet]).cwd(&f.root);
    m.check(bb("ls").args(["tree"]));
    m.check(bb("ls").args(["-la", "tree"]));
    m.check(bb("ls").args(["-lR", "tree"]));
    m.check(bb("ls").args(["missing"]).status(1));
    m.check(bb("cat").args(["fruit.txt", "tree/a/f1"]));
    m.check(bb("cat").args(["-"]).stdin(FRUIT));
    m.check(bb("cat").args(["missing"]).status(1));
    m.check(bb("sort").args(["fruit.txt"]));
    m.check(bb("sort").args(["-n", "-r", "numbers.txt"]));
    m.check(bb("sort").args(["-t,", "-k2", "-n"]).stdin(FRUIT));
    m.check(bb("uniq").args(["-c", "fruit.txt"]));
    m.check(bb("sha256sum").args(["fruit.txt", "numbers.txt"]));
    m.check(bb("sha1sum").args(["fruit.txt"]));
    m.check(bb("sha512sum").stdin(FRUIT));
    m.check(bb("md5sum").args(["fruit.txt", "numbers.txt"]));
    m.check(bb("wc").args(["fruit.txt", "numbers.txt"]));
    m.check(bb("wc").args(["-l"]).stdin_file(f.path("numbers.txt")));
    m.check(bb("seq").args(["5", "2", "20"]));
    m.check(bb("seq").args(["-s", ":", "-w", "1", "10"]));
    m.check(bb("head").args(["-n", "2", "fruit.txt"]));
    m.check(bb("tail").args(["-n", "3", "numbers.txt"]));
    m.check(
        bb("tail")
            .args(["-c", "12"])
            .stdin_file(f.path("numbers.txt")),
    );
    m.check(bb("tr").args(["a-z", "A-Z"]).stdin(FRUIT));
    m.check(bb("cut").args(["-d,", "-f1,3", "fruit.txt"]));
    m.check(bb("expr").args(["6", "*", "7"]));
    m.check(bb("expr").args(["length", "hello", "+", "1"]));
    m.check(bb("expr").args(["1", "=", "2"]).status(1));
    m.check(bb("basename").args(["/a/b/c.txt", ".txt"]));
    m.check(bb("dirname").args(["/a/b/c.txt"]));
    m.check(bb("printf").args(["%05d|%s|%x\n", "42", "x", "255"]));
    m.check(bb("echo").args(["-n", "no newline"]));
    m.check(bb("sed").args(["-n", "s/an/AN/gp", "fruit.txt"]));
    m.check(bb("awk").args(["-F,", "{ s += $2 } END { print s, NR }", "fruit.txt"]));
    m.check(bb("grep").args(["-n", "-E", "p(ea|ur)", "fruit.txt"]));
    m.check(bb("grep").args(["-c", "nothing", "fruit.txt"]).status(1));
    m.check(bb("od").args(["-A", "x", "-t", "x1", "-c", "tree/a/f1"]));
    m.check(bb("hexdump").args(["-C", "fruit.txt"]));
    m.check(bb("find").args(["tree"]));
    m.check(bb("find").args(["tree", "-type", "f", "-name", "f*"]));
    m.check(bb("du").args(["-a", "tree"]));
    m.check(bb("stat").args(["-c", "%n %s %f %h %u", "fruit.txt", "tree", "tree/c/link"]));
    m.check(bb("date").args(["-u", "-d", "@1700000000"]));
    m.check(bb("date").args(["-u", "-d", "@1700000000", "+%Y-%m-%d %H:%M:%S"]));
    m.check(bb("env").env(&[("A", "1"), ("B", "2")]));
    m.check(bb("uname").args(["-m", "-s"]));
    m.check(bb("gzip").args(["-c", "fruit.txt"]));
    m.check(bb("bzip2").args(["-c", "fruit.txt"]));
    m.check(Run::new(BUSYBOX).args(["--list"]));
    m.check(Run::new(BUSYBOX).args(["no-such-applet"]).status(127));
    m.finish();
}

/// A compressed stream made under the kernel must come back whole under the kernel.
#[test]
fn gzip_round_trip() {
    if !ready(&[BUSYBOX]) {
        return;
    }
    let f = fixture("busybox-gzip");
    let original = std::fs::read(f.path("numbers.txt")).expect("input");
    let mut m = Matrix::new();
    let packed = m.check(
        Run::new(BUSYBOX)
            .args(["gzip", "-c", "numbers.txt"])
            .cwd(&f.root),
    );
    if let Some(packed) = packed {
        let unpacked = m.check(
            Run::new(BUSYBOX)
                .args(["gzip", "-d", "-c"])
                .stdin(packed.stdout),
        );
        if let Some(unpacked) = unpacked {
            if unpacked.stdout != original {
                m.fail("busybox gzip -d did not give the original back".into());
            }
        }
    }
    m.finish();
}

// getgroups(2): busybox id prints "can't get groups" when it fails.
#[test]
fn id_lists_groups() {
    if !ready(&[BUSYBOX]) {
        return;
    }
    let mut m = Matrix::new();
    m.check(Run::new(BUSYBOX).args(["id"]));
    m.check(Run::new(BUSYBOX).args(["id", "-G"]));
    m.finish();
}
