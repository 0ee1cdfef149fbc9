//! Real, unmodified programs run natively and under the kernel in the same test: stdout,
//! stderr and exit status must match. Needs Linux with syscall user dispatch (5.11+).

use std::process::{Command, Output};

const KERNEL: &str = env!("CARGO_BIN_EXE_junction-kernel");

fn native(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .expect("native run")
}

fn under_kernel(program: &str, args: &[&str]) -> Output {
    Command::new(KERNEL)
        .arg("--")
        .arg(program)
        .args(args)
        .output()
        .expect("kernel run")
}

fn available() -> bool {
    let out = Command::new(KERNEL)
        .arg("--info")
        .output()
        .expect("kernel --info");
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        eprintln!("SKIP: this machine cannot run the kernel:\n{text}");
        return false;
    }
    true
}

fn same(program: &str, args: &[&str]) {
    let a = native(program, args);
    let b = under_kernel(program, args);
    assert_eq!(
        String::from_utf8_lossy(&b.stdout),
        String::from_utf8_lossy(&a.stdout),
        "stdout of {program} {args:?}"
    );
    assert_eq!(
        String::from_utf8_lossy(&b.stderr),
        String::from_utf8_lossy(&a.stderr),
        "stderr of {program} {args:?}"
    );
    assert_eq!(
        b.status.code(),
        a.status.code(),
        "status of {program} {args:?}"
    );
}

#[test]
fn coreutils_match_native() {
    if !available() {
        return;
    }
    same("/bin/true", &[]);
    same("/bin/false", &[]);
    same("/bin/echo", &["hello", "world"]);
    same("/bin/cat", &["/etc/passwd"]);
    same("/usr/bin/ls", &["/usr/lib/x86_64-linux-gnu/gconv"]);
    same("/usr/bin/seq", &["1", "1000"]);
    same("/usr/bin/sha256sum", &["/etc/passwd"]);
    same("/usr/bin/wc", &["-l", "/etc/passwd"]);
    same("/usr/bin/ls", &["/nonexistent"]);
}

#[test]
fn python_matches_native() {
    if !available() {
        return;
    }
    same(
        "/usr/bin/python3",
        &["-c", "import json, re, hashlib, zlib, decimal\nprint(json.dumps({'h': hashlib.sha256(b'x').hexdigest(), 'z': len(zlib.compress(b'a'*1000)), 'd': str(decimal.Decimal(1)/7), 'r': re.findall(r'\\d+', 'a1b22c333')}))"],
    );
}

#[test]
fn bad_programs_fail_like_a_shell() {
    let missing = under_kernel("/nonexistent/program", &[]);
    assert_eq!(missing.status.code(), Some(127));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr),
        "junction: /nonexistent/program: No such file or directory\n"
    );
    let not_exec = under_kernel("/etc/passwd", &[]);
    assert_eq!(not_exec.status.code(), Some(126));
    assert_eq!(String::from_utf8_lossy(&not_exec.stderr).lines().count(), 1);
}

#[test]
fn served_calls_make_no_host_calls() {
    if !available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("junction-stats-{}", std::process::id()));
    let json = dir.with_extension("json");
    let out = Command::new(KERNEL)
        .args(["--stats-json", json.to_str().unwrap_or_default(), "--", "/usr/bin/python3", "-c", "import os; os.getpid(); r, w = os.pipe(); os.write(w, b'x'); os.read(r, 1); os.dup(r); os.close(r)"])
        .output()
        .expect("kernel run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&json).expect("stats json");
    let _ = std::fs::remove_file(&json);
    for name in ["getpid", "pipe2", "fcntl", "write", "close"] {
        let row = text
            .split("{\"nr\"")
            .find(|r| r.contains(&format!("\"name\":\"{name}\"")))
            .unwrap_or_else(|| panic!("{name} in {text}"));
        if name != "close" {
            assert!(
                row.contains("\"hostCalls\":0"),
                "{name} made host calls: {row}"
            );
        }
    }
}
