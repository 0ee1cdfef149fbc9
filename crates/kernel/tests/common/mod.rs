//! What the program tests share: a [`Run`] is one program with its arguments, stdin,
//! environment and working directory; [`Matrix::check`] runs it natively and under the
//! kernel and compares what a user sees (stdout, stderr, exit status, and optionally the
//! files it left behind). A [`Fixture`] is a fresh directory of input files per test.
//!
//! Fixtures live in [`scratch`] (Cargo's target/tmp), never under /tmp: the instance's /tmp
//! is a tmpfs of its own, and inputs must stay visible to both runs.

// Each test crate uses a different part of this module.
#![allow(dead_code)]

use std::ffi::OsString;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

pub const KERNEL: &str = env!("CARGO_BIN_EXE_junction-kernel");

/// Long enough for a debug-built kernel on a busy two-core machine; a hang must still end.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Moves the test process into [`scratch`]: both runs inherit its working directory, which
/// must exist in the instance (a checkout under /tmp would not).
pub fn enter_scratch() {
    std::env::set_current_dir(scratch()).expect("enter the scratch directory");
}

/// Whether this machine can run the kernel at all (syscall user dispatch, Linux 5.11+).
/// Also enters [`scratch`], so every test that asks starts from a directory the instance has.
pub fn available() -> bool {
    enter_scratch();
    let out = Command::new(KERNEL)
        .arg("--info")
        .output()
        .expect("kernel --info");
    if !out.status.success() {
        eprintln!(
            "SKIP: this machine cannot run the kernel:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        return false;
    }
    true
}

/// Whether `program` exists; says SKIP when it does not (.ci/run installs them all).
pub fn installed(program: &str) -> bool {
    if Path::new(program).exists() {
        return true;
    }
    eprintln!("SKIP: {program} is not installed");
    false
}

/// Where tests put their inputs and programs, created if missing: Cargo's target/tmp, so
/// both runs see them. Never under /tmp, which the instance replaces with its own tmpfs: for
/// a checkout under /tmp, /var/tmp is used instead (or $JUNCTION_TEST_SCRATCH if set).
pub fn scratch() -> PathBuf {
    let target_tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = match std::env::var_os("JUNCTION_TEST_SCRATCH") {
        Some(dir) => PathBuf::from(dir),
        None if target_tmp.starts_with("/tmp") => PathBuf::from("/var/tmp/junction-kernel-tests"),
        None => target_tmp,
    };
    fs::create_dir_all(&dir).expect("test scratch directory");
    dir
}

/// Builds tests/programs/NAME.c with gcc into target/tmp (visible to the instance: its /tmp
/// is its own tmpfs); None, after a SKIP line, where gcc is missing.
pub fn build_c(name: &str, extra: &[&str]) -> Option<PathBuf> {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs")
        .join(format!("{name}.c"));
    let binary = scratch().join(name);
    let out = match Command::new("gcc")
        .args(["-O2", "-Wall", "-o"])
        .arg(&binary)
        .arg(&source)
        .args(extra)
        .output()
    {
        Ok(out) => out,
        Err(_) => {
            eprintln!(
                "SKIP: gcc is not installed, so {} cannot be built",
                source.display()
            );
            return None;
        }
    };
    assert!(
        out.status.success(),
        "gcc {}:\n{}",
        source.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(binary)
}

/// Both checks a program test starts with.
pub fn ready<S: AsRef<str>>(programs: &[S]) -> bool {
    available() && programs.iter().all(|p| installed(p.as_ref()))
}

/// A fresh directory of inputs for one test, removed afterwards unless the test failed.
#[derive(Debug)]
pub struct Fixture {
    pub root: PathBuf,
}

impl Fixture {
    /// One per test function: tests run in parallel, and a listing must not see another
    /// test's files come and go between its two runs.
    pub fn new(name: &str) -> Fixture {
        let root = scratch().join(format!("{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).expect("fixture directory");
        Fixture { root }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The path as a string, for arguments.
    pub fn arg(&self, rel: &str) -> String {
        self.path(rel).to_string_lossy().into_owned()
    }

    pub fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("fixture directory");
        }
        let mut file = fs::File::create(&path).expect("fixture file");
        file.write_all(contents.as_ref()).expect("fixture file");
        // Written back now, so block counts (du, ls -s) cannot change between the two runs.
        file.sync_all().expect("fixture file");
        path
    }

    pub fn dir(&self, rel: &str) -> PathBuf {
        let path = self.path(rel);
        fs::create_dir_all(&path).expect("fixture directory");
        path
    }

    pub fn symlink(&self, target: &str, rel: &str) -> PathBuf {
        let path = self.path(rel);
        std::os::unix::fs::symlink(target, &path).expect("fixture symlink");
        path
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if !thread::panicking() {
            let _ = fs::remove_dir_all(&self.root);
        }
    }
}

/// A fixed text with repeats, mixed case, commas and a blank line: input for the filters.
pub const FRUIT: &str = "pear,3,green\napple,12,red\nbanana,7,yellow\napple,12,red\n\
Cherry,40,red\npear,3,green\npear,5,brown\nkiwi,9,green\n\nfig,1,purple\nélan,2,blue\n";

/// 1..=n in a scrambled but fixed order, one per line (7919 is prime to 200003).
pub fn scrambled_numbers(n: u64) -> String {
    (1..=n)
        .map(|i| format!("{}\n", i * 7919 % 200_003))
        .collect()
}

enum Input {
    Null,
    Bytes(Vec<u8>),
    File(PathBuf),
}

/// One program invocation, made the same way natively and under the kernel.
pub struct Run {
    program: String,
    args: Vec<OsString>,
    cwd: Option<PathBuf>,
    stdin: Input,
    env: Option<Vec<(String, String)>>,
    kernel_options: Vec<OsString>,
    native_status: i32,
    reset: Option<Box<dyn Fn()>>,
    observe: Option<Box<dyn Fn() -> String>>,
}

impl Run {
    pub fn new(program: &str) -> Run {
        Run {
            program: program.to_string(),
            args: Vec::new(),
            cwd: None,
            stdin: Input::Null,
            env: None,
            kernel_options: Vec::new(),
            native_status: 0,
            reset: None,
            observe: None,
        }
    }

    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Run {
        self.cwd = Some(dir.into());
        self
    }

    /// stdin is a pipe fed with these bytes.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Run {
        self.stdin = Input::Bytes(bytes.into());
        self
    }

    /// stdin is this file, opened by the test (a seekable fd, unlike a pipe).
    pub fn stdin_file(mut self, path: impl Into<PathBuf>) -> Run {
        self.stdin = Input::File(path.into());
        self
    }

    /// Exactly this environment for both runs (the kernel passes its own on by default).
    pub fn env(mut self, vars: &[(&str, &str)]) -> Run {
        self.env = Some(
            vars.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        self
    }

    /// Options for the kernel run only (before `--`), e.g. `--rw DIR`.
    pub fn kernel_options<I, S>(mut self, options: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.kernel_options
            .extend(options.into_iter().map(Into::into));
        self
    }

    /// The exit status the native run must have: a different one is a bug of the test.
    pub fn status(mut self, code: i32) -> Run {
        self.native_status = code;
        self
    }

    /// Called before each of the two runs, so both start from the same files.
    pub fn reset(mut self, f: impl Fn() + 'static) -> Run {
        self.reset = Some(Box::new(f));
        self
    }

    /// Called after each run; the two results must match (files the program wrote).
    pub fn observe(mut self, f: impl Fn() -> String + 'static) -> Run {
        self.observe = Some(Box::new(f));
        self
    }

    fn describe(&self) -> String {
        let mut s = self.program.clone();
        for a in &self.args {
            let a = a.to_string_lossy();
            let short: String = a.chars().take(60).collect();
            if short.len() < a.len() || short.contains(char::is_whitespace) {
                s.push_str(&format!(" {short:?}"));
            } else {
                s.push(' ');
                s.push_str(&short);
            }
        }
        s
    }

    fn command(&self, under_kernel: bool) -> Command {
        let mut cmd = if under_kernel {
            let mut c = Command::new(KERNEL);
            c.args(&self.kernel_options).arg("--").arg(&self.program);
            c
        } else {
            Command::new(&self.program)
        };
        cmd.args(&self.args);
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        if let Some(vars) = &self.env {
            cmd.env_clear().envs(vars.iter().map(|(k, v)| (k, v)));
        }
        cmd
    }

    fn execute(&self, under_kernel: bool) -> Outcome {
        if let Some(reset) = &self.reset {
            reset();
        }
        let mut cmd = self.command(under_kernel);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        match &self.stdin {
            Input::Null => cmd.stdin(Stdio::null()),
            Input::Bytes(_) => cmd.stdin(Stdio::piped()),
            Input::File(path) => cmd.stdin(fs::File::open(path).expect("stdin file")),
        };
        let mut child = cmd.spawn().expect("spawn");
        // Feed stdin and drain stdout/stderr on their own threads: any of them can block.
        let feeder = match (&self.stdin, child.stdin.take()) {
            (Input::Bytes(bytes), Some(mut pipe)) => {
                let bytes = bytes.clone();
                // A program may exit without reading everything: EPIPE is not an error here.
                Some(thread::spawn(move || drop(pipe.write_all(&bytes))))
            }
            _ => None,
        };
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut buf);
                }
                buf
            })
        };
        let out = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let err = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let deadline = Instant::now() + TIMEOUT;
        let mut pause = Duration::from_millis(1);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{} did not finish in {TIMEOUT:?}{}",
                    self.describe(),
                    if under_kernel {
                        " under the kernel"
                    } else {
                        ""
                    }
                );
            }
            thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        };
        if let Some(f) = feeder {
            let _ = f.join();
        }
        Outcome {
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
            status,
            observed: self.observe.as_ref().map(|f| f()).unwrap_or_default(),
        }
    }
}

/// What one run showed.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: ExitStatus,
    pub observed: String,
}

fn status_text(status: &ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => format!("{status:?}"),
    }
}

/// Where two outputs first differ, with what follows: outputs can be megabytes, or binary.
fn difference(what: &str, native: &[u8], kernel: &[u8]) -> Option<String> {
    if native == kernel {
        return None;
    }
    let sizes = format!(
        "{} bytes native, {} under the kernel",
        native.len(),
        kernel.len()
    );
    if std::str::from_utf8(native).is_err() || std::str::from_utf8(kernel).is_err() {
        let at = native
            .iter()
            .zip(kernel)
            .take_while(|(a, b)| a == b)
            .count();
        let hex = |data: &[u8]| -> String {
            let end = data.len().min(at + 24);
            let bytes: Vec<String> = data[at.min(end)..end]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if bytes.is_empty() {
                String::from("(end)")
            } else {
                bytes.join(" ")
            }
        };
        return Some(format!(
            "  {what}: first difference at byte {at} ({sizes})\n    native: {}\n    kernel: {}",
            hex(native),
            hex(kernel)
        ));
    }
    let n: Vec<&[u8]> = native.split(|&b| b == b'\n').collect();
    let k: Vec<&[u8]> = kernel.split(|&b| b == b'\n').collect();
    let line = n.iter().zip(&k).take_while(|(a, b)| a == b).count();
    let show = |lines: &[&[u8]]| -> String {
        let shown: String = lines
            .iter()
            .skip(line)
            .take(5)
            .map(|l| {
                let text = String::from_utf8_lossy(l);
                let short: String = text.chars().take(200).collect();
                format!("      | {short}\n")
            })
            .collect();
        if shown.is_empty() {
            String::from("      (no more output: the last line has no newline)\n")
        } else {
            shown
        }
    };
    Some(format!(
        "  {what}: first difference at line {} ({sizes})\n    native:\n{}    kernel:\n{}",
        line + 1,
        show(&n),
        show(&k)
    ))
}

/// Collects the comparisons of one test and fails at the end with every difference.
#[derive(Debug, Default)]
pub struct Matrix {
    failures: Vec<String>,
}

impl Matrix {
    pub fn new() -> Matrix {
        Matrix::default()
    }

    /// Runs `run` both ways; returns the native outcome when they matched.
    pub fn check(&mut self, run: Run) -> Option<Outcome> {
        let native = run.execute(false);
        if native.status.code() != Some(run.native_status) {
            self.failures.push(format!(
                "{}: the native run gave {} (expected exit {}), so the test is wrong:\n{}",
                run.describe(),
                status_text(&native.status),
                run.native_status,
                String::from_utf8_lossy(&native.stderr)
            ));
            return None;
        }
        let kernel = run.execute(true);
        let mut problems: Vec<String> = [
            difference("stdout", &native.stdout, &kernel.stdout),
            difference("stderr", &native.stderr, &kernel.stderr),
            difference(
                "the files it left",
                native.observed.as_bytes(),
                kernel.observed.as_bytes(),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        if native.status != kernel.status {
            problems.push(format!(
                "  status: native {}, kernel {}",
                status_text(&native.status),
                status_text(&kernel.status)
            ));
        }
        if problems.is_empty() {
            Some(native)
        } else {
            self.failures
                .push(format!("{}:\n{}", run.describe(), problems.join("\n")));
            None
        }
    }

    /// Records a failure found by the test itself (e.g. a round trip that lost data).
    pub fn fail(&mut self, message: String) {
        self.failures.push(message);
    }

    pub fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} case(s) differ natively and under the kernel:\n\n{}",
            self.failures.len(),
            self.failures.join("\n\n")
        );
    }
}

/// The names, sizes, modes and contents of the files below `dir`, sorted: what a program
/// left behind, in a form two runs can be compared by.
pub fn tree_summary(dir: &Path) -> String {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        use std::os::unix::fs::PermissionsExt;
        let Ok(entries) = fs::read_dir(dir) else {
            out.push(format!("{prefix}: missing"));
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            let Ok(meta) = fs::symlink_metadata(e.path()) else {
                continue;
            };
            let mode = meta.permissions().mode() & 0o7777;
            if meta.file_type().is_symlink() {
                let target = fs::read_link(e.path()).unwrap_or_default();
                out.push(format!("{name} -> {}", target.display()));
            } else if meta.is_dir() {
                out.push(format!("{name}/ {mode:o}"));
                walk(&e.path(), &format!("{name}/"), out);
            } else {
                let data = fs::read(e.path()).unwrap_or_default();
                let text = if data.len() <= 200 {
                    format!("{:?}", String::from_utf8_lossy(&data))
                } else {
                    format!("{} bytes, fnv {:016x}", data.len(), fnv(&data))
                };
                out.push(format!("{name} {mode:o} {text}"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.join("\n")
}

/// FNV-1a: enough to tell two file contents apart in a summary.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The row of `name` in a --stats-json file: (calls, host calls).
pub fn stats_row(json: &str, name: &str) -> Option<(u64, u64)> {
    let row = json
        .split("{\"nr\"")
        .find(|r| r.contains(&format!("\"name\":\"{name}\"")))?;
    let field = |key: &str| -> Option<u64> {
        let at = row.find(&format!("\"{key}\":"))? + key.len() + 3;
        row[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    Some((field("calls")?, field("hostCalls")?))
}
