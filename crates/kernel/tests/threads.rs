//! Threads: tests/programs/threads.c, futex.c, Node's worker threads and a Go program run
//! natively and under the kernel (stdout, stderr and status compared), and the interception
//! of a second thread's calls: its forbidden calls are refused without reaching the host and
//! its calls are counted.

use std::process::Command;

mod common;

use common::{available, build_c, scratch, stats_row, Matrix, Run, KERNEL};

/// Both programs are run several times: thread start and exit races show up as flakes.
const REPEAT: usize = 5;

#[test]
fn pthreads_as_natively() {
    if !available() {
        return;
    }
    let Some(program) = build_c("threads", &["-pthread"]) else {
        return;
    };
    let mut m = Matrix::new();
    for _ in 0..REPEAT {
        m.check(Run::new(program.to_str().unwrap_or_default()));
    }
    m.finish();
}

#[test]
fn futexes_as_natively() {
    if !available() {
        return;
    }
    let Some(program) = build_c("futex", &["-pthread"]) else {
        return;
    };
    let mut m = Matrix::new();
    for _ in 0..REPEAT {
        m.check(Run::new(program.to_str().unwrap_or_default()));
    }
    m.finish();
}

/// The same programs with every site on the SIGSYS path.
#[test]
fn threads_without_rewriting() {
    if !available() {
        return;
    }
    let (Some(threads), Some(futex)) = (
        build_c("threads", &["-pthread"]),
        build_c("futex", &["-pthread"]),
    ) else {
        return;
    };
    let mut m = Matrix::new();
    for program in [threads, futex] {
        m.check(Run::new(program.to_str().unwrap_or_default()).kernel_options(["--no-rewrite"]));
    }
    m.finish();
}

#[test]
fn second_thread_is_intercepted() {
    if !available() {
        return;
    }
    let Some(program) = build_c("forbidden", &["-pthread"]) else {
        return;
    };
    let json = scratch().join("thread-forbidden-stats.json");
    let out = Command::new(KERNEL)
        .arg("--stats-json")
        .arg(&json)
        .arg("--")
        .arg(&program)
        .arg("thread")
        .current_dir(scratch())
        .output()
        .expect("kernel run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = std::fs::read_to_string(&json).expect("stats json");
    let names = [
        "mount",
        "umount2",
        "reboot",
        "kexec_load",
        "bpf",
        "init_module",
        "ptrace",
    ];
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), names.len(), "{stdout}");
    for (line, name) in lines.iter().zip(names) {
        assert_eq!(*line, format!("{name} EPERM"));
        assert_eq!(stats_row(&stats, name), Some((1, 0)), "{name}: {stats}");
    }
    // getppid is called only by the second thread: all five calls reached the kernel.
    assert_eq!(stats_row(&stats, "getppid"), Some((5, 0)), "{stats}");
    assert!(
        stats_row(&stats, "clone3").is_some_and(|(calls, _)| calls >= 1),
        "{stats}"
    );
}

const NODE: &str = "/usr/bin/node";

/// Node starts V8's platform threads and libuv's thread pool at once; a worker thread
/// posts a message back, and pbkdf2 runs on the pool.
const NODE_THREADS: &str = r#"
const { Worker } = require('worker_threads');
const crypto = require('crypto');
const w = new Worker('require("worker_threads").parentPort.postMessage(6 * 7)', { eval: true });
w.on('message', (m) => {
  console.log('worker says', m);
  w.terminate();
  let left = 4;
  for (let i = 0; i < 4; i++)
    crypto.pbkdf2('pw', 'salt', 1000, 8, 'sha256', (e, key) => {
      if (--left === 0) console.log('pool done', key.toString('hex'));
    });
});
"#;

#[test]
fn node_worker_threads_and_pool() {
    if !common::ready(&[NODE]) {
        return;
    }
    let mut m = Matrix::new();
    m.check(Run::new(NODE).args(["-e", NODE_THREADS]));
    m.finish();
}

const GO: &str = "/usr/local/go/bin/go";

/// tests/programs/goroutines built with the Go toolchain (static, no cgo), or None with a
/// SKIP line where Go is not installed.
fn build_go(name: &str) -> Option<std::path::PathBuf> {
    if !common::installed(GO) {
        return None;
    }
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs")
        .join(name);
    let binary = scratch().join(name);
    let out = Command::new(GO)
        .args(["build", "-o"])
        .arg(&binary)
        .arg(".")
        .current_dir(&source)
        .env("CGO_ENABLED", "0")
        .env("GOCACHE", scratch().join("go-cache"))
        .env("GOFLAGS", "-modcacherw")
        .env("GOPATH", scratch().join("go-path"))
        .output()
        .expect("go build");
    assert!(
        out.status.success(),
        "go build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(binary)
}

#[test]
fn go_runtime_threads() {
    if !available() {
        return;
    }
    let Some(program) = build_go("goroutines") else {
        return;
    };
    let mut m = Matrix::new();
    m.check(Run::new(program.to_str().unwrap_or_default()));
    m.check(Run::new(program.to_str().unwrap_or_default()).kernel_options(["--no-rewrite"]));
    m.finish();
}

#[test]
fn exit_ends_one_thread_and_the_last_sets_the_status() {
    if !available() {
        return;
    }
    let Some(program) = build_c("thread_exit", &["-pthread"]) else {
        return;
    };
    let mut m = Matrix::new();
    m.check(Run::new(program.to_str().unwrap_or_default()).status(5));
    m.finish();
}

#[test]
fn process_signal_reaches_a_thread_that_does_not_block_it() {
    use std::os::unix::process::ExitStatusExt;
    if !available() {
        return;
    }
    let Some(program) = build_c("thread_kill", &["-pthread"]) else {
        return;
    };
    let native = Command::new(&program).output().expect("native run");
    let kernel = Command::new(KERNEL)
        .arg("--")
        .arg(&program)
        .current_dir(scratch())
        .output()
        .expect("kernel run");
    assert_eq!(
        native.status.signal(),
        Some(10),
        "the native run died by SIGUSR1"
    );
    assert_eq!(kernel.status.signal(), native.status.signal());
    assert_eq!(
        String::from_utf8_lossy(&kernel.stdout),
        String::from_utf8_lossy(&native.stdout)
    );
}
