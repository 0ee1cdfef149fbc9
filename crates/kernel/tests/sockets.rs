//! Sockets: tests/programs/sockets.c, Python's socket module and asyncio, run natively and
//! under the kernel (stdout, stderr and status must match); and the instance's unix names
//! in /tmp and abstract names, which the host must not reach.

use std::io::{BufRead, BufReader, Write};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

mod common;

use common::{available, build_c, ready, Fixture, Matrix, Run, KERNEL};

const PYTHON: &str = "/usr/bin/python3";

/// sockets.c, built once: tests run in parallel and must not rebuild a binary another runs.
fn program() -> Option<PathBuf> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| build_c("sockets", &[])).clone()
}

#[test]
fn sockets_program_matches_native() {
    if !available() {
        return;
    }
    let Some(binary) = program() else {
        return;
    };
    let f = Fixture::new("sockets");
    let rw = f.dir("rw");
    let rw = rw.to_string_lossy().into_owned();
    let mut m = Matrix::new();
    m.check(
        Run::new(&binary.to_string_lossy())
            .args([rw.as_str()])
            .kernel_options(["--rw", rw.as_str()]),
    );
    m.finish();
}

const PY_SOCKETS: &str = r#"
import os, select, socket, sys
a, b = socket.socketpair()
a.sendall(b"over a socketpair")
print("pair", b.recv(64))
print("pair family, type", a.family.name, a.type.name)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen()
cli = socket.socket()
cli.setblocking(False)
print("connect_ex", os.strerror(cli.connect_ex(srv.getsockname())))
r, w, _ = select.select([srv], [cli], [], 5)
print("select", len(r), len(w))
conn, peer = srv.accept()
print("peer is the client", peer == cli.getsockname())
for word in [b"alpha", b"beta", b"gamma" * 1000]:
    cli.sendall(word)
    got = b""
    while len(got) < len(word):
        select.select([conn], [], [], 5)
        got += conn.recv(65536)
    conn.sendall(got.upper())
    back = b""
    while len(back) < len(word):
        select.select([cli], [], [], 5)
        back += cli.recv(65536)
    print("echo", len(back), back[:12])
cli.close()
print("eof", conn.recv(10))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b"udp!", u.getsockname())
data, src = u.recvfrom(16)
print("udp", data, src[1] == v.getsockname()[1])
path = "/tmp/junction-py-%d.sock" % os.getpid()
us = socket.socket(socket.AF_UNIX)
us.bind(path)
us.listen()
print("unix name", us.getsockname() == path, os.path.exists(path))
uc = socket.socket(socket.AF_UNIX)
uc.connect(path)
ua, _ = us.accept()
name = os.path.join(sys.argv[1], "file.txt")
with open(name, "w") as f:
    f.write("sent as an fd\n")
fd = os.open(name, os.O_RDONLY)
socket.send_fds(uc, [b"fd"], [fd])
msg, fds, flags, addr = socket.recv_fds(ua, 16, 4)
print("recv_fds", msg, len(fds), flags)
print("through it", os.read(fds[0], 64))
print("peer name", uc.getpeername() == path)
os.unlink(path)
import shutil
big = os.path.join(sys.argv[1], "big.bin")
with open(big, "wb") as f:
    f.write(bytes(range(256)) * 4000)
shutil.copyfile(big, big + ".copy")
print("shutil.copyfile (sendfile)", open(big, "rb").read() == open(big + ".copy", "rb").read())
x, y = socket.socketpair()
with open(big, "rb") as f:
    sent = x.sendfile(f, 1000, 50000)
got = b""
while len(got) < sent:
    got += y.recv(65536)
print("socket.sendfile", sent, got == (bytes(range(256)) * 4000)[1000:51000])
print("socket.getaddrinfo", socket.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM)[0][4])
try:
    socket.socket(socket.AF_UNIX).connect("/tmp/nobody-listens-here")
except OSError as e:
    print("connect", e.strerror)
"#;

#[test]
fn python_socket_module_matches_native() {
    if !ready(&[PYTHON]) {
        return;
    }
    let f = Fixture::new("sockets-python");
    let rw = f.dir("rw");
    let rw = rw.to_string_lossy().into_owned();
    let mut m = Matrix::new();
    m.check(
        Run::new(PYTHON)
            .args(["-c", PY_SOCKETS, rw.as_str()])
            .kernel_options(["--rw", rw.as_str()]),
    );
    m.finish();
}

const PY_ASYNCIO: &str = r#"
import asyncio, os

async def handle(reader, writer):
    while data := await reader.readline():
        writer.write(data.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()

async def talk(reader, writer, words):
    for word in words:
        writer.write(word.encode() + b"\n")
        await writer.drain()
        print(word, "->", (await reader.readline()).decode().strip())
    writer.write_eof()
    print("eof", await reader.read())
    writer.close()
    await writer.wait_closed()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    await talk(*await asyncio.open_connection("127.0.0.1", port), ["hello", "asyncio"])
    server.close()
    await server.wait_closed()
    path = "/tmp/junction-asyncio-%d.sock" % os.getpid()
    server = await asyncio.start_unix_server(handle, path)
    await talk(*await asyncio.open_unix_connection(path), ["over", "unix"])
    server.close()
    await server.wait_closed()
    os.unlink(path)

asyncio.run(main())
print("done")
"#;

#[test]
fn python_asyncio_echo_matches_native() {
    if !ready(&[PYTHON]) {
        return;
    }
    let mut m = Matrix::new();
    m.check(Run::new(PYTHON).args(["-c", PY_ASYNCIO]));
    m.finish();
}

/// SCM_RIGHTS of a kernel-only object (a pipe) is refused under the kernel, and nothing is
/// sent (docs/design/sockets.md); natively it works. Both runs are checked, so the test
/// notices if either changes.
#[test]
fn passing_a_kernel_pipe_is_refused() {
    if !available() {
        return;
    }
    let Some(binary) = program() else {
        return;
    };
    let run = |under_kernel: bool| {
        let mut command = if under_kernel {
            let mut c = Command::new(KERNEL);
            c.arg("--").arg(&binary);
            c
        } else {
            Command::new(&binary)
        };
        let out = command.arg("pass-pipe").output().expect("run");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(
        lines(&run(false)),
        ["sendmsg SCM_RIGHTS of a pipe 1", "the peer got 1"]
    );
    assert_eq!(
        lines(&run(true)),
        [
            "sendmsg SCM_RIGHTS of a pipe -1 EOPNOTSUPP",
            "the peer got -1 EAGAIN"
        ]
    );
}

/// An edge-triggered wait on a socket left readable and writable ends when the peer (the
/// test, from the host) hangs up, natively and under the kernel.
#[test]
fn a_hang_up_ends_an_edge_triggered_wait() {
    if !available() {
        return;
    }
    let Some(binary) = program() else {
        return;
    };
    let f = Fixture::new("sockets-hangup");
    let dir = f.dir("rw");
    let run = |under_kernel: bool| {
        let mut command = if under_kernel {
            let mut c = Command::new(KERNEL);
            c.arg("--rw").arg(&dir).arg("--").arg(&binary);
            c
        } else {
            Command::new(&binary)
        };
        let mut child = command
            .arg("hangup")
            .arg(&dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("read");
        assert_eq!(line, "ready\n");
        let mut peer = UnixStream::connect(dir.join("hangup.sock")).expect("connect");
        peer.write_all(b"x").expect("write");
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(peer);
        let mut rest = String::new();
        for l in out.lines() {
            rest.push_str(&l.expect("line"));
            rest.push('\n');
        }
        assert!(child.wait().expect("wait").success(), "{rest}");
        rest.split('\n')
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let expected = "first edge 1\nthe hang-up 1\nHUP, long before the timeout 1 1\n";
    assert_eq!(run(false), expected, "native");
    assert_eq!(run(true), expected, "under the kernel");
}

/// How many of the instance's two listeners (a path in /tmp, an abstract name) the host
/// reached while `program isolate NAME` ran, natively or under the kernel.
fn reached_from_host(program: &Path, under_kernel: bool) -> (usize, String) {
    let name = format!("junction-isolation-{}-{under_kernel}", std::process::id());
    let mut command = if under_kernel {
        let mut c = Command::new(KERNEL);
        c.arg("--").arg(program);
        c
    } else {
        Command::new(program)
    };
    let mut child = command
        .args(["isolate", &name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("read");
    assert_eq!(line, "bound\n", "the program did not bind");
    let host_path = Path::new("/tmp").join(&name);
    let mut reached = 0;
    let mut held = Vec::new();
    if let Ok(s) = UnixStream::connect(&host_path) {
        reached += 1;
        held.push(s);
    }
    let abstract_name = SocketAddr::from_abstract_name(name.as_bytes()).expect("abstract name");
    if let Ok(s) = UnixStream::connect_addr(&abstract_name) {
        reached += 1;
        held.push(s);
    }
    let visible = host_path.exists();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"done\n")
        .expect("write");
    let mut rest = String::new();
    for l in out.lines() {
        rest.push_str(&l.expect("line"));
        rest.push('\n');
    }
    assert!(
        child.wait().expect("wait").success(),
        "isolate run failed: {rest}"
    );
    (reached, format!("{rest}host /tmp shows it: {visible}"))
}

#[test]
fn unix_names_of_the_instance_are_not_the_hosts() {
    if !available() {
        return;
    }
    let Some(binary) = program() else {
        return;
    };
    // Natively both names are the host's: this is what the check would see if the kernel
    // passed names through.
    let (native, native_report) = reached_from_host(&binary, false);
    assert_eq!(native, 2, "native control run: {native_report}");
    assert!(native_report.contains("reached 2"), "{native_report}");
    let (kernel, report) = reached_from_host(&binary, true);
    assert_eq!(
        kernel, 0,
        "the host reached the instance's sockets: {report}"
    );
    assert_eq!(report, "reached 0\nhost /tmp shows it: false", "{report}");
}
