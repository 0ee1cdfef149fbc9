//! Real, unmodified programs run natively and under the kernel in the same test: stdout,
//! stderr and exit status must match. Needs Linux with syscall user dispatch (5.11+).

use std::process::{Command, Output};

mod common;

use common::{available, ready, Matrix, Run, KERNEL};

fn under_kernel(program: &str, args: &[&str]) -> Output {
    Command::new(KERNEL)
        .arg("--")
        .arg(program)
        .args(args)
        .output()
        .expect("kernel run")
}

// The other program tests, by family: coreutils.rs, busybox.rs, compress.rs, python.rs and
// scripting.rs (perl, lua, sqlite3).

#[test]
fn exit_statuses_and_arguments() {
    if !ready(&["/bin/true", "/bin/false", "/bin/echo"]) {
        return;
    }
    let mut m = Matrix::new();
    m.check(Run::new("/bin/true"));
    m.check(Run::new("/bin/false").status(1));
    m.check(Run::new("/bin/echo").args(["hello", "world"]));
    m.check(Run::new("/bin/echo").args(["-e", "tab\\there", "", "é", "--", "-n"]));
    m.finish();
}

/// --clear-env and --env give the program exactly that environment; --env overrides.
#[test]
fn environment_options() {
    if !ready(&["/usr/bin/env"]) {
        return;
    }
    let env = |cmd: &mut Command| -> String {
        let out = cmd.output().expect("env");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(String::from)
            .collect();
        // Where an overridden variable lands in the list is not part of the contract.
        lines.sort();
        lines.join("\n")
    };
    let native = env(Command::new("/usr/bin/env")
        .env_clear()
        .envs([("A", "1"), ("B", "x=y")]));
    let cleared = env(Command::new(KERNEL)
        .env("INHERITED", "must not pass")
        .args([
            "--clear-env",
            "--env",
            "A=1",
            "--env",
            "B=x=y",
            "--",
            "/usr/bin/env",
        ]));
    assert_eq!(cleared, native);
    let overridden = env(Command::new(KERNEL)
        .env_clear()
        .envs([("A", "0"), ("B", "x=y")])
        .args(["--env", "A=1", "--", "/usr/bin/env"]));
    assert_eq!(overridden, native);
}

#[test]
fn bad_programs_fail_like_a_shell() {
    common::enter_scratch();
    let missing = under_kernel("/nonexistent/program", &[]);
    assert_eq!(missing.status.code(), Some(127));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr),
        "junction: /nonexistent/program: No such file or directory\n"
    );
    // The instance's /tmp is its own tmpfs: a program missing there is missing too.
    let missing_in_tmp = under_kernel("/tmp/nonexistent-program", &[]);
    assert_eq!(missing_in_tmp.status.code(), Some(127));
    assert_eq!(
        String::from_utf8_lossy(&missing_in_tmp.stderr),
        "junction: /tmp/nonexistent-program: No such file or directory\n"
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
