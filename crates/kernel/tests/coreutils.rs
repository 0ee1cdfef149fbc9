//! GNU coreutils, natively and under the kernel: stdout, stderr and exit status must match.

mod common;

use common::{ready, scrambled_numbers, Fixture, Matrix, Run, FRUIT};

/// Inputs: a text to filter, a big scrambled list, and a small tree with a symlink, an empty
/// directory and a name with a space.
fn fixture(name: &str) -> Fixture {
    let f = Fixture::new(name);
    f.file("fruit.txt", FRUIT);
    f.file("numbers.txt", scrambled_numbers(200_000));
    f.file("tree/a/f1", "one\n");
    f.file("tree/a/b/f2", scrambled_numbers(5000));
    f.file("tree/a/b/big.bin", vec![7u8; 100_000]);
    f.file("tree/c/f3", "three\n");
    f.file("tree/c/with space.txt", "x");
    f.symlink("../a/f1", "tree/c/link");
    f.dir("tree/d");
    f
}

fn tool(name: &str) -> String {
    format!("/usr/bin/{name}")
}

#[test]
fn listing_and_reading() {
    if !ready(&["/usr/bin/ls", "/usr/bin/cat"]) {
        return;
    }
    let f = fixture("coreutils-listing");
    let mut m = Matrix::new();
    let ls = || Run::new("/usr/bin/ls").cwd(&f.root);
    m.check(Run::new("/usr/bin/ls").args(["/usr/lib/x86_64-linux-gnu/gconv"]));
    m.check(ls().args(["tree"]));
    m.check(ls().args(["-1", "tree/c"]));
    m.check(ls().args(["-R", "tree"]));
    m.check(ls().args(["-a", "tree"]));
    m.check(ls().args(["-i", "tree/a"]));
    m.check(ls().args(["-s", "tree/a/b"]));
    m.check(ls().args(["-d", "tree", "tree/c/link"]));
    m.check(ls().args(["-F", "tree/c"]));
    m.check(ls().args(["--quoting-style=shell", "tree/c"]));
    m.check(ls().args(["tree/nonexistent"]).status(2));
    let cat = || Run::new("/usr/bin/cat").cwd(&f.root);
    m.check(Run::new("/bin/cat").args(["/etc/passwd"]));
    m.check(cat().args(["fruit.txt", "tree/a/f1", "fruit.txt"]));
    m.check(cat().args(["-n", "-E", "fruit.txt"]));
    m.check(cat().args(["-", "tree/a/f1"]).stdin(FRUIT));
    m.check(cat().args(["numbers.txt"]));
    m.check(cat().stdin_file(f.path("numbers.txt")));
    m.check(cat().args(["tree/a/f1", "missing", "tree/c/f3"]).status(1));
    m.check(cat().args(["tree"]).status(1));
    m.finish();
}

#[test]
fn text_filters() {
    let names = ["sort", "uniq", "wc", "head", "tail", "tr", "cut"];
    if !ready(&names.map(tool)) {
        return;
    }
    let f = fixture("coreutils-filters");
    let mut m = Matrix::new();
    let run = |name: &str| Run::new(&tool(name)).cwd(&f.root);
    m.check(run("sort").args(["fruit.txt"]));
    m.check(run("sort").args(["-t,", "-k2,2n", "-k1,1", "fruit.txt"]));
    m.check(run("sort").args(["-u", "-r", "fruit.txt"]));
    m.check(run("sort").args(["-f", "-s", "-t,", "-k1,1"]).stdin(FRUIT));
    // Big enough that sort wants helper threads: without them it must sort alone.
    m.check(run("sort").args(["-n", "numbers.txt"]));
    m.check(run("sort").args(["numbers.txt"]));
    m.check(run("sort").args(["-c", "fruit.txt"]).status(1));
    m.check(run("uniq").args(["fruit.txt"]));
    m.check(run("uniq").args(["-c", "fruit.txt"]));
    m.check(run("uniq").args(["-d", "-i"]).stdin(FRUIT));
    m.check(run("uniq").args(["-u", "-f", "0", "-s", "2", "fruit.txt"]));
    m.check(run("wc").args(["fruit.txt", "numbers.txt", "tree/a/b/big.bin"]));
    m.check(run("wc").args(["-l", "-w", "-c", "-m", "-L"]).stdin(FRUIT));
    m.check(run("wc").args(["-l"]).stdin_file(f.path("numbers.txt")));
    m.check(run("wc").args(["missing"]).status(1));
    m.check(run("head").args(["-n", "3", "fruit.txt"]));
    m.check(run("head").args(["-c", "25", "numbers.txt"]));
    m.check(run("head").args(["-n", "-199990", "numbers.txt"]));
    m.check(run("head").args(["-n", "2", "fruit.txt", "tree/a/b/f2"]));
    m.check(
        run("head")
            .args(["-n", "4"])
            .stdin_file(f.path("numbers.txt")),
    );
    m.check(run("tail").args(["-n", "3", "fruit.txt"]));
    m.check(run("tail").args(["-c", "30", "numbers.txt"]));
    m.check(run("tail").args(["-n", "+199995", "numbers.txt"]));
    m.check(run("tail").args(["-n", "2"]).stdin(FRUIT));
    // A seekable stdin: tail seeks to the end instead of reading it all.
    m.check(
        run("tail")
            .args(["-n", "2"])
            .stdin_file(f.path("numbers.txt")),
    );
    m.check(run("tr").args(["a-z", "A-Z"]).stdin(FRUIT));
    m.check(run("tr").args(["-d", "0-9,"]).stdin(FRUIT));
    m.check(run("tr").args(["-s", "p"]).stdin(FRUIT));
    m.check(run("tr").args(["-c", "-d", "a-z\n"]).stdin(FRUIT));
    m.check(
        run("tr")
            .args(["[:lower:]", "[:upper:]"])
            .stdin_file(f.path("fruit.txt")),
    );
    m.check(run("cut").args(["-d,", "-f2", "fruit.txt"]));
    m.check(run("cut").args(["-d,", "-f1,3", "--output-delimiter=:", "fruit.txt"]));
    m.check(run("cut").args(["-c", "2-4"]).stdin(FRUIT));
    m.check(
        run("cut")
            .args(["-b", "1-3", "-s", "-d,", "-f1", "fruit.txt"])
            .status(1),
    );
    m.finish();
}

#[test]
fn numbers_and_checksums() {
    let names = ["seq", "sha256sum", "md5sum", "printf"];
    if !ready(&names.map(tool)) {
        return;
    }
    let f = fixture("coreutils-sums");
    f.file(
        "sums.sha256",
        format!(
            "{}  fruit.txt\n",
            "0000000000000000000000000000000000000000000000000000000000000000"
        ),
    );
    let mut m = Matrix::new();
    let run = |name: &str| Run::new(&tool(name)).cwd(&f.root);
    m.check(run("seq").args(["1", "1000"]));
    m.check(run("seq").args(["1", "3", "100"]));
    m.check(run("seq").args(["-w", "8", "12"]));
    m.check(run("seq").args(["-s,", "-f", "%.2f", "0", "0.25", "3"]));
    m.check(run("seq").args(["10", "-1", "1"]));
    m.check(run("seq").args(["1", "x"]).status(1));
    m.check(run("sha256sum").args(["fruit.txt", "numbers.txt", "tree/a/b/big.bin"]));
    m.check(run("sha256sum").args(["-"]).stdin(FRUIT));
    m.check(run("sha256sum").args(["--tag", "tree/a/f1"]));
    m.check(run("md5sum").args(["fruit.txt", "numbers.txt", "tree/a/b/big.bin"]));
    m.check(run("md5sum").stdin_file(f.path("numbers.txt")));
    // The checkers read the list they are given: the lists are made by the native tools.
    for (sum, list) in [("sha256sum", "list.sha256"), ("md5sum", "list.md5")] {
        let native = std::process::Command::new(tool(sum))
            .args(["fruit.txt", "numbers.txt", "tree/c/f3"])
            .current_dir(&f.root)
            .output()
            .expect("native checksum");
        f.file(list, native.stdout);
        m.check(run(sum).args(["-c", list]));
    }
    m.check(run("sha256sum").args(["-c", "sums.sha256"]).status(1));
    m.check(run("printf").args([
        "%s|%5d|%-4s|%o|%x|%e|%g\n",
        "a",
        "42",
        "b",
        "8",
        "255",
        "3.5",
        "0.0001",
    ]));
    m.check(run("printf").args(["%q %b\n", "a b", "tab\\there"]));
    m.check(run("printf").args(["%s-%s\n", "1", "2", "3"]));
    m.check(run("printf").args(["%d\n", "zz"]).status(1));
    m.finish();
}

#[test]
fn dates_and_environment() {
    if !ready(&["/usr/bin/date", "/usr/bin/env"]) {
        return;
    }
    let mut m = Matrix::new();
    let date = || Run::new("/usr/bin/date");
    m.check(date().args(["-d", "@1700000000", "-u"]));
    m.check(date().args([
        "-u",
        "-d",
        "@1700000000",
        "+%Y-%m-%d %H:%M:%S %j %a %b %s %Z",
    ]));
    m.check(date().args(["-u", "-d", "@1700000000", "-R"]));
    m.check(date().args(["-u", "-d", "@1700000000", "--iso-8601=ns"]));
    m.check(date().args(["-u", "-d", "2024-02-29 12:00", "+%s %A"]));
    // The zone comes from TZ and /usr/share/zoneinfo, read the same way both times.
    m.check(
        date()
            .args(["-d", "@1700000000"])
            .env(&[("TZ", "America/New_York")]),
    );
    m.check(
        date()
            .args(["-d", "@1700000000"])
            .env(&[("TZ", "Asia/Kolkata"), ("LC_ALL", "C")]),
    );
    m.check(date().args(["-d", "not a date"]).status(1));
    // env prints the environment the kernel handed on: exactly the one it was given.
    m.check(Run::new("/usr/bin/env").env(&[("A", "1"), ("B", "two words"), ("EMPTY", "")]));
    m.check(Run::new("/usr/bin/env").env(&[]));
    m.check(
        Run::new("/usr/bin/env")
            .args(["-0"])
            .env(&[("A", "1"), ("B", "2")]),
    );
    m.check(
        Run::new("/usr/bin/env")
            .args(["-u", "B", "C=3"])
            .env(&[("A", "1"), ("B", "2")]),
    );
    // The test's own environment, inherited by both runs.
    m.check(Run::new("/usr/bin/env"));
    m.finish();
}

#[test]
fn stat_find_du() {
    if !ready(&["/usr/bin/stat", "/usr/bin/find", "/usr/bin/du"]) {
        return;
    }
    let f = fixture("coreutils-tree");
    let mut m = Matrix::new();
    let run = |name: &str| Run::new(&tool(name)).cwd(&f.root);
    // No access times: reading a file between the two runs may move them.
    m.check(run("stat").args([
        "-c",
        "%n %s %f %u %g %h %i %Y %F",
        "fruit.txt",
        "tree",
        "tree/c/link",
    ]));
    m.check(run("stat").args(["-c", "%N %b %B %o", "tree/c/link", "tree/a/b/big.bin"]));
    m.check(run("stat").args(["-L", "-c", "%n %s %F", "tree/c/link"]));
    m.check(run("stat").args(["--printf", "%n\\t%s\\n", "tree/d", "tree/c/with space.txt"]));
    m.check(run("stat").args(["missing"]).status(1));
    m.check(run("find").args(["tree"]));
    m.check(run("find").args(["tree", "-name", "f*", "-type", "f"]));
    m.check(run("find").args(["tree", "-printf", "%p %s %y %m %l %d\n"]));
    m.check(run("find").args(["tree", "-mindepth", "2", "-maxdepth", "2"]));
    m.check(run("find").args(["tree", "-empty"]));
    m.check(run("find").args(["tree", "-size", "+10k"]));
    m.check(run("find").args(["tree", "-newer", "tree/a/f1", "-o", "-type", "l"]));
    m.check(run("find").args(["-L", "tree", "-type", "f"]));
    m.check(run("find").args(["/", "-maxdepth", "1", "-name", "etc"]));
    m.check(run("find").args(["tree", "missing"]).status(1));
    m.check(run("du").args(["-a", "tree"]));
    m.check(run("du").args(["-s", "-b", "tree"]));
    m.check(run("du").args(["-h", "--max-depth=1", "tree"]));
    m.check(run("du").args(["--apparent-size", "-c", "tree/a", "fruit.txt"]));
    m.check(run("du").args(["-L", "tree/c"]));
    m.check(run("du").args(["missing"]).status(1));
    m.finish();
}

// `sort` keeps at most -S bytes in memory and spills the rest into temporary files.
#[test]
fn sort_spills_into_a_writable_directory() {
    if !ready(&["/usr/bin/sort"]) {
        return;
    }
    let f = fixture("coreutils-spill");
    f.dir("spill");
    let mut m = Matrix::new();
    m.check(
        Run::new("/usr/bin/sort")
            .args([
                "-n",
                "-S",
                "1M",
                "-T",
                &f.arg("spill"),
                &f.arg("numbers.txt"),
            ])
            .kernel_options(["--rw", &f.arg("spill")]),
    );
    m.finish();
}

// Needs the tmpfs at /tmp: sort's temporary files go to /tmp when TMPDIR is unset.
#[test]
fn sort_spills_into_tmp() {
    if !ready(&["/usr/bin/sort"]) {
        return;
    }
    let f = fixture("coreutils-spill-tmp");
    let mut m = Matrix::new();
    m.check(
        Run::new("/usr/bin/sort")
            .args(["-n", "-S", "1M", "numbers.txt"])
            .cwd(&f.root)
            .env(&[("LC_ALL", "C")]),
    );
    m.finish();
}

// Needs xattrs: `ls -l` asks lgetxattr("security.selinux") and getxattr("system.posix_acl_*")
// for every name and prints ENOSYS as an error; Linux answers ENODATA.
#[test]
fn long_listing() {
    if !ready(&["/usr/bin/ls"]) {
        return;
    }
    let f = fixture("coreutils-ls-l");
    let mut m = Matrix::new();
    let ls = || Run::new("/usr/bin/ls").cwd(&f.root);
    m.check(ls().args(["-la", "tree"]));
    m.check(ls().args(["-lR", "tree"]));
    m.check(ls().args(["-la", "--time-style=+%s", "tree/c", "fruit.txt"]));
    m.check(ls().args(["-lan", "tree/a/b"]));
    m.check(Run::new("/usr/bin/ls").args(["-la", "/usr/lib/x86_64-linux-gnu/gconv"]));
    m.finish();
}

// stat(1)'s default format shows the birth time: statx passes the host's through
// (src/syscall/stat.rs).
#[test]
fn stat_default_format() {
    if !ready(&["/usr/bin/stat"]) {
        return;
    }
    // Files nothing else reads, so their access times stay put between the runs.
    let f = Fixture::new("coreutils-stat");
    f.file("s/file", "data\n");
    f.dir("s/dir");
    let link = f.symlink("file", "s/link");
    // stat reads the link to print "-> file", which moves its access time once (relatime:
    // while it is not after the modification time). Read it here until it has moved, so
    // both runs see the same time; the clock behind file times is coarse, hence the wait.
    let moved = || {
        let meta = std::fs::symlink_metadata(&link).expect("the fixture's link");
        meta.accessed().ok() > meta.modified().ok()
    };
    for _ in 0..100 {
        std::fs::read_link(&link).expect("read the fixture's link");
        if moved() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let mut m = Matrix::new();
    m.check(
        Run::new("/usr/bin/stat")
            .args(["s/file", "s/dir", "s/link"])
            .cwd(&f.root),
    );
    m.check(
        Run::new("/usr/bin/stat")
            .args(["-c", "%w %W", "s/file"])
            .cwd(&f.root),
    );
    m.finish();
}

// Needs statfs. Only the file system's fixed facts: free counts move between the runs.
#[test]
fn stat_file_system() {
    if !ready(&["/usr/bin/stat"]) {
        return;
    }
    let f = fixture("coreutils-statfs");
    let mut m = Matrix::new();
    m.check(
        Run::new("/usr/bin/stat")
            .args(["-f", "-c", "%n %T %s %S %l", "tree", "/"])
            .cwd(&f.root),
    );
    m.finish();
}

// Needs readlink(2) to fail with EINVAL on a name that is not a symlink: the kernel's
// readlinkat(fd, "") on an O_PATH fd gives ENOENT there (src/fs/vfs.rs), and glibc's
// realpath() takes ENOENT as "no such file".
#[test]
fn realpath_resolves_links() {
    if !ready(&["/usr/bin/realpath", "/usr/bin/readlink"]) {
        return;
    }
    let f = fixture("coreutils-realpath");
    let mut m = Matrix::new();
    m.check(
        Run::new("/usr/bin/realpath")
            .args(["tree/c/link", "tree/a/../c"])
            .cwd(&f.root),
    );
    m.check(
        Run::new("/usr/bin/readlink")
            .args(["-f", "tree/c/link"])
            .cwd(&f.root),
    );
    m.check(
        Run::new("/usr/bin/readlink")
            .args(["tree/a/f1"])
            .cwd(&f.root)
            .status(1),
    );
    m.finish();
}
