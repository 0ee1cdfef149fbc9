//! The kernel's command line.

use alloc::string::String;
use alloc::vec::Vec;

pub const USAGE: &str = "\
usage: junction-kernel [OPTIONS] [--] PROGRAM [ARGS...]
       junction-kernel --info [--json]

Runs PROGRAM under the Junction kernel, its syscalls served in user space.

options:
  --root DIR        the instance's file system root (read-only unless --rw); default /
  --rw PATH         make PATH (an instance path) writable; repeatable
  --bind HOST:PATH  show the host directory HOST, read-only, at PATH (an existing
                    directory of the root); repeatable
  --env K=V         set an environment variable for the program; repeatable
  --clear-env       start from an empty environment instead of the kernel's own
  --host-tmp        /tmp is the root's own /tmp (read-only unless --rw /tmp), not the
                    instance's in-memory tmpfs
  --cwd DIR         the program's working directory (an instance path); default /
                    with --root, else the current directory
  --trace           print every syscall, strace-like, to stderr, with how it was served
  --trace-file FILE write the trace to FILE instead
  --stats           at exit, print per-syscall counts, host calls and time to stderr
  --stats-json FILE write the same statistics as JSON to FILE
  --memory BYTES    limit the instance's memory (K, M, G suffixes); past it the host's
                    OOM killer ends it, as it would a native process in such a cgroup
  --cpus N          limit the instance to N CPUs' worth of time (e.g. 0.5, 2)
  --pids N          limit the instance's processes and threads to N
  --no-rewrite      keep every syscall site on the SIGSYS path (no call rewriting)
  --no-seccomp      do not install the seccomp filter (debugging only)
  --info            print what this machine allows and exit; --json for JSON
  --help, --version
";

#[derive(Debug, Default)]
pub struct Options {
    pub root: Option<String>,
    pub rw: Vec<String>,
    /// --bind: (host directory, instance path).
    pub binds: Vec<(String, String)>,
    pub env: Vec<Vec<u8>>,
    pub clear_env: bool,
    pub host_tmp: bool,
    pub cwd: Option<String>,
    pub trace: bool,
    pub trace_file: Option<String>,
    pub stats: bool,
    pub stats_json: Option<String>,
    /// --memory, --cpus, --pids (enforced with a cgroup: `start::limits`).
    pub limits: super::limits::Limits,
    pub rewrite: bool,
    pub seccomp: bool,
    pub info: bool,
    pub json: bool,
    pub help: bool,
    pub version: bool,
    /// PROGRAM and its arguments.
    pub argv: Vec<Vec<u8>>,
}

/// Parses the kernel's arguments (without argv[0]). Errors are one line for the user.
pub fn parse(args: &[&[u8]]) -> Result<Options, String> {
    let mut o = Options {
        rewrite: true,
        seccomp: true,
        ..Options::default()
    };
    let mut i = 0;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    while i < args.len() {
        let arg = args[i];
        let mut value = |name: &str| -> Result<String, String> {
            i += 1;
            args.get(i)
                .map(|v| text(v))
                .ok_or_else(|| alloc::format!("{name} needs a value (see --help)"))
        };
        match arg {
            b"--" => {
                i += 1;
                break;
            }
            b"--root" => o.root = Some(value("--root")?),
            b"--rw" => o.rw.push(value("--rw")?),
            b"--bind" => {
                let v = value("--bind")?;
                match v.split_once(':') {
                    Some((host, path)) if host.starts_with('/') && path.starts_with('/') => {
                        o.binds.push((String::from(host), String::from(path)));
                    }
                    _ => {
                        return Err(alloc::format!(
                            "--bind {v}: expected HOST_DIR:PATH, both absolute (see --help)"
                        ))
                    }
                }
            }
            b"--env" => {
                let v = value("--env")?;
                if !v.contains('=') || v.starts_with('=') {
                    return Err(alloc::format!("--env {v}: expected K=V (see --help)"));
                }
                o.env.push(v.into_bytes());
            }
            b"--clear-env" => o.clear_env = true,
            b"--host-tmp" => o.host_tmp = true,
            b"--cwd" => o.cwd = Some(value("--cwd")?),
            b"--trace" => o.trace = true,
            b"--trace-file" => {
                o.trace = true;
                o.trace_file = Some(value("--trace-file")?);
            }
            b"--stats" => o.stats = true,
            b"--stats-json" => o.stats_json = Some(value("--stats-json")?),
            b"--memory" => {
                let v = value("--memory")?;
                o.limits.memory_bytes = Some(super::limits::parse_bytes(&v).ok_or_else(|| {
                    alloc::format!("--memory {v}: expected a size in bytes, e.g. 512M (see --help)")
                })?);
            }
            b"--cpus" => {
                let v = value("--cpus")?;
                o.limits.cpu_quota_us = Some(super::limits::parse_cpus(&v).ok_or_else(|| {
                    alloc::format!("--cpus {v}: expected a number of CPUs of at least 0.01, e.g. 0.5 (see --help)")
                })?);
            }
            b"--pids" => {
                let v = value("--pids")?;
                o.limits.pids =
                    Some(v.parse::<u64>().ok().filter(|&n| n > 0).ok_or_else(|| {
                        alloc::format!("--pids {v}: expected a positive number (see --help)")
                    })?);
            }
            b"--no-rewrite" => o.rewrite = false,
            b"--no-seccomp" => o.seccomp = false,
            b"--info" => o.info = true,
            b"--json" => o.json = true,
            b"--help" | b"-h" => o.help = true,
            b"--version" => o.version = true,
            other if other.starts_with(b"-") => {
                return Err(alloc::format!(
                    "unknown option {} (see --help)",
                    text(other)
                ));
            }
            _ => break,
        }
        i += 1;
    }
    o.argv = args[i..].iter().map(|a| a.to_vec()).collect();
    if !o.info && !o.help && !o.version && o.argv.is_empty() {
        return Err(String::from("no program given (see --help)"));
    }
    for path in o.rw.iter().chain(o.cwd.iter()) {
        if !path.starts_with('/') {
            return Err(alloc::format!("{path}: instance paths must be absolute"));
        }
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Options, String> {
        let bytes: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        parse(&bytes)
    }

    #[test]
    fn program_and_options() {
        let o = p(&[
            "--root", "/srv", "--rw", "/tmp", "--env", "A=1", "--stats", "ls", "-la",
        ])
        .unwrap();
        assert_eq!(o.root.as_deref(), Some("/srv"));
        assert_eq!(o.rw, ["/tmp"]);
        assert!(o.stats && o.rewrite);
        assert!(!o.limits.any());
        let l = p(&["--memory", "64M", "--cpus", "1.5", "--pids", "20", "ls"]).unwrap();
        assert_eq!(l.limits.memory_bytes, Some(64 << 20));
        assert_eq!(l.limits.cpu_quota_us, Some(150_000));
        assert_eq!(l.limits.pids, Some(20));
        assert_eq!(o.argv, [b"ls".to_vec(), b"-la".to_vec()]);
        let o = p(&["--", "--weird"]).unwrap();
        assert_eq!(o.argv, [b"--weird".to_vec()]);
    }

    #[test]
    fn errors_are_one_line() {
        assert_eq!(p(&[]).unwrap_err(), "no program given (see --help)");
        assert_eq!(
            p(&["--bogus", "ls"]).unwrap_err(),
            "unknown option --bogus (see --help)"
        );
        assert_eq!(
            p(&["--env", "X", "ls"]).unwrap_err(),
            "--env X: expected K=V (see --help)"
        );
        assert_eq!(
            p(&["--root"]).unwrap_err(),
            "--root needs a value (see --help)"
        );
        assert_eq!(
            p(&["--bind", "secrets:/run/s", "ls"]).unwrap_err(),
            "--bind secrets:/run/s: expected HOST_DIR:PATH, both absolute (see --help)"
        );
        assert_eq!(
            p(&["--memory", "lots", "ls"]).unwrap_err(),
            "--memory lots: expected a size in bytes, e.g. 512M (see --help)"
        );
        assert_eq!(
            p(&["--pids", "0", "ls"]).unwrap_err(),
            "--pids 0: expected a positive number (see --help)"
        );
        assert_eq!(
            p(&["--rw", "tmp", "ls"]).unwrap_err(),
            "tmp: instance paths must be absolute"
        );
    }
}
