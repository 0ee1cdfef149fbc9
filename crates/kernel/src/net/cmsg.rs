//! Control messages (SCM_RIGHTS, SCM_CREDENTIALS) between the app's numbers and the host's.
//!
//! Sending: an fd in SCM_RIGHTS must stand for a host object, so sockets and host files
//! pass their host fd; kernel-only objects (pipes, eventfds, epoll, tmpfs and /proc files)
//! have none to pass and the send fails with EOPNOTSUPP. A pid in SCM_CREDENTIALS is the
//! instance's and becomes the host's. Receiving: host fds become new entries of the fd
//! table; pids become virtual (the instance's own, or 0 for processes outside it, as Linux
//! reports a pid from another pid namespace).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use junction_abi::Errno;

use crate::fs::fdtable::FdEntry;
use crate::fs::file::{OpenFile, O_ACCMODE, O_APPEND, O_NONBLOCK, O_RDWR};
use crate::fs::host_file::HostFile;
use crate::fs::socket::Socket;
use crate::host;
use crate::state::{self, Kernel, INSTANCE_PID};

const SOL_SOCKET: i32 = 1;
const SCM_RIGHTS: i32 = 1;
const SCM_CREDENTIALS: i32 = 2;
const HEADER: usize = 16;
pub const MSG_CTRUNC: i32 = 0x8;
const S_IFMT: u32 = 0o170000;
const S_IFSOCK: u32 = 0o140000;

/// One control message: where its data lies in the buffer, with its level and type.
struct Cmsg {
    level: i32,
    kind: i32,
    data: core::ops::Range<usize>,
}

fn align(n: usize) -> usize {
    (n + 7) & !7
}

/// The control messages in `buf`, as CMSG_FIRSTHDR/CMSG_NXTHDR walk them.
fn walk(buf: &[u8]) -> Vec<Cmsg> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + HEADER <= buf.len() {
        let word = |o: usize, n: usize| &buf[at + o..at + o + n];
        let len = u64::from_ne_bytes(word(0, 8).try_into().unwrap_or([0; 8])) as usize;
        if len < HEADER || len > buf.len() - at {
            break;
        }
        out.push(Cmsg {
            level: i32::from_ne_bytes(word(8, 4).try_into().unwrap_or([0; 4])),
            kind: i32::from_ne_bytes(word(12, 4).try_into().unwrap_or([0; 4])),
            data: at + HEADER..at + len,
        });
        at += align(len);
    }
    out
}

fn ints(buf: &[u8], range: core::ops::Range<usize>) -> impl Iterator<Item = (usize, i32)> + '_ {
    range
        .clone()
        .step_by(4)
        .filter(move |&i| i + 4 <= range.end)
        .map(move |i| {
            (
                i,
                i32::from_ne_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]),
            )
        })
}

/// A host pid as the instance sees it.
pub fn virtual_pid(host_pid: i32) -> i32 {
    if host_pid == host::getpid() {
        INSTANCE_PID
    } else {
        0
    }
}

/// The host fd an app file can be passed as, if any.
fn passable(file: &OpenFile) -> Option<i32> {
    if let Some(socket) = file.kind::<Socket>() {
        return Some(socket.host_fd());
    }
    file.kind::<HostFile>().and_then(|_| file.ops.host_fd())
}

/// Rewrites the app's control bytes for the host's sendmsg. The open files are returned
/// too: they must stay open until the host call is done.
pub fn to_host(k: &Kernel, buf: &mut [u8]) -> Result<Vec<Arc<OpenFile>>, Errno> {
    let mut held = Vec::new();
    for cmsg in walk(buf) {
        if cmsg.level != SOL_SOCKET {
            continue;
        }
        match cmsg.kind {
            SCM_RIGHTS => {
                let fds: Vec<(usize, i32)> = ints(buf, cmsg.data.clone()).collect();
                for (at, fd) in fds {
                    let file = k.fds.file(fd)?;
                    let host_fd = passable(&file).ok_or(Errno::EOPNOTSUPP)?;
                    buf[at..at + 4].copy_from_slice(&host_fd.to_ne_bytes());
                    held.push(file);
                }
            }
            SCM_CREDENTIALS if cmsg.data.len() >= 4 => {
                let at = cmsg.data.start;
                let pid = i32::from_ne_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]]);
                // Linux refuses a pid that is not the sender's without privileges; with them,
                // one that does not exist (no other pid exists in the instance).
                if pid != INSTANCE_PID {
                    let privileged = crate::start::host_aux().euid == 0;
                    return Err(if privileged {
                        Errno::ESRCH
                    } else {
                        Errno::EPERM
                    });
                }
                buf[at..at + 4].copy_from_slice(&host::getpid().to_ne_bytes());
            }
            _ => {}
        }
    }
    Ok(held)
}

/// An open file for a host fd received in SCM_RIGHTS (closed on error).
fn adopt(fd: i32) -> Result<Arc<OpenFile>, Errno> {
    let st = match host::fstat(fd) {
        Ok(st) => st,
        Err(e) => {
            let _ = host::close(fd);
            return Err(e);
        }
    };
    let flags = host::fcntl(fd, 3 /* F_GETFL */, 0).unwrap_or(O_RDWR as usize) as u32;
    let status = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
    if st.st_mode & S_IFMT == S_IFSOCK {
        let socket = match Socket::adopt(fd) {
            Ok(s) => s,
            Err(e) => {
                let _ = host::close(fd);
                return Err(e);
            }
        };
        return Ok(Arc::new(OpenFile::new(
            Box::new(socket),
            status,
            alloc::format!("socket:[{}]", st.st_ino),
        )));
    }
    let file = HostFile::open(fd).inspect_err(|_| {
        let _ = host::close(fd);
    })?;
    Ok(Arc::new(OpenFile::new(
        Box::new(file),
        status,
        String::from("(received)"),
    )))
}

/// Rewrites the host's control bytes from recvmsg for the app: received host fds become
/// fd-table entries (close-on-exec with MSG_CMSG_CLOEXEC); pids become virtual. Returns
/// MSG_CTRUNC when some fds could not be installed (they are closed, as Linux does).
pub fn to_app(buf: &mut [u8], cloexec: bool) -> i32 {
    let mut flags = 0;
    for cmsg in walk(buf) {
        if cmsg.level != SOL_SOCKET {
            continue;
        }
        match cmsg.kind {
            SCM_RIGHTS => {
                let fds: Vec<(usize, i32)> = ints(buf, cmsg.data.clone()).collect();
                for (at, host_fd) in fds {
                    let installed = adopt(host_fd)
                        .and_then(|file| state::lock().fds.insert(FdEntry { file, cloexec }));
                    match installed {
                        Ok(fd) => buf[at..at + 4].copy_from_slice(&fd.to_ne_bytes()),
                        Err(_) => {
                            flags |= MSG_CTRUNC;
                            buf[at..at + 4].copy_from_slice(&(-1i32).to_ne_bytes());
                        }
                    }
                }
            }
            SCM_CREDENTIALS if cmsg.data.len() >= 4 => {
                let at = cmsg.data.start;
                let pid = i32::from_ne_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]]);
                buf[at..at + 4].copy_from_slice(&virtual_pid(pid).to_ne_bytes());
            }
            _ => {}
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmsg(level: i32, kind: i32, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&((HEADER + data.len()) as u64).to_ne_bytes());
        out.extend_from_slice(&level.to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(data);
        out.resize(align(out.len()), 0);
        out
    }

    #[test]
    fn walks_aligned_messages_and_stops_at_a_bad_length() {
        let mut buf = cmsg(
            SOL_SOCKET,
            SCM_RIGHTS,
            &[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0],
        );
        buf.extend(cmsg(0, 8, &[9; 12]));
        let found = walk(&buf);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].data, 16..28);
        assert_eq!(found[1].data.start, 32 + 16);
        let fds: Vec<i32> = ints(&buf, found[0].data.clone()).map(|(_, v)| v).collect();
        assert_eq!(fds, [1, 2, 3]);
        buf[32] = 200;
        assert_eq!(walk(&buf).len(), 1);
    }
}
