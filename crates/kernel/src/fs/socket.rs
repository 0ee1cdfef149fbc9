//! Sockets: kernel-owned open files, each forwarding to a host socket the kernel owns.
//!
//! The host socket is always non-blocking; whether a call blocks is the open file's
//! O_NONBLOCK (or the call's MSG_DONTWAIT), so fcntl and FIONBIO, served in the kernel,
//! need no host call. A call that must block waits with a host ppoll on that one socket,
//! without the kernel's state lock, for at most the socket's SO_RCVTIMEO/SO_SNDTIMEO.
//!
//! Edge-triggered epoll needs wake-ups, which the host does not show the kernel. A socket
//! counts as wake-ups the readiness it saw turn on, and forgets readiness when a call of
//! its own found the socket drained (EAGAIN or a short transfer): data that arrives after a
//! read drained the socket is a new edge even if no wait looked in between.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use junction_abi::{
    structs::{Iovec, Pollfd, Stat, Statfs, Timespec},
    Errno,
};

use super::file::{
    pseudo_statfs, FileOps, OpenFile, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLPRI, POLLRDHUP,
    POLLRDNORM, POLLWRNORM, POLL_ASKABLE,
};
use crate::host::{
    self,
    net::{self as hnet, Message, SockAddr},
};
use crate::net::addr::Name;
use crate::readiness::{Deadline, WakeCounter, Wakeups};
use crate::sync::SpinLock;

pub const SOCK_STREAM: u32 = 1;
pub const SOCK_DGRAM: u32 = 2;
pub const SOCK_SEQPACKET: u32 = 5;
pub const SOL_SOCKET: i32 = 1;
pub const SO_ERROR: i32 = 4;
const SO_RCVTIMEO: i32 = 20;
const SO_SNDTIMEO: i32 = 21;
pub const MSG_PEEK: u32 = 0x2;
pub const MSG_DONTWAIT: u32 = 0x40;
pub const MSG_WAITALL: u32 = 0x100;
pub const MSG_NOSIGNAL: u32 = 0x4000;
pub const MSG_CMSG_CLOEXEC: u32 = 0x4000_0000;
const SOCK_NONBLOCK: u32 = 0o4000;
const SOCK_CLOEXEC: u32 = 0o2000000;
const SOCKFS_MAGIC: i64 = 0x534F_434B;

#[derive(Debug)]
pub struct Socket {
    fd: i32,
    pub family: u16,
    /// SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET.
    pub kind: u32,
    /// Unix names of the instance this socket is bound to or connected with (kept
    /// translatable while it is open, crate::net::addr).
    names: SpinLock<Vec<Arc<Name>>>,
    /// Readiness as last seen (by a poll, or cleared by a call that found it drained).
    observed: AtomicU32,
    /// Readiness turning on, counted as wake-ups for edge-triggered epoll.
    wakeups: WakeCounter,
}

const READABLE: u32 = POLLIN | POLLRDNORM | POLLPRI | POLLRDHUP;
const WRITABLE: u32 = POLLOUT | POLLWRNORM;

impl Drop for Socket {
    fn drop(&mut self) {
        let _ = host::close(self.fd);
    }
}

/// Time-limited waits of one call: the limit is the socket's timeout option, read the
/// first time the call has to wait.
struct Waiter {
    option: i32,
    deadline: Option<Deadline>,
}

impl Waiter {
    fn new(option: i32) -> Self {
        Waiter {
            option,
            deadline: None,
        }
    }

    /// Waits until the socket may be ready for `events`; EAGAIN once the timeout passed.
    fn wait(&mut self, socket: &Socket, events: u32) -> Result<(), Errno> {
        let deadline = match self.deadline {
            Some(d) => d,
            None => {
                let d = Deadline::after(socket.timeout(self.option)?);
                self.deadline = Some(d);
                d
            }
        };
        let remaining = deadline.remaining();
        if remaining == Some(0) {
            return Err(Errno::EAGAIN);
        }
        let timeout = remaining.map(crate::readiness::ns_timespec);
        let mut fds = [Pollfd {
            fd: socket.fd,
            events: events as u16 as i16,
            revents: 0,
        }];
        match host::ppoll(&mut fds, timeout.as_ref()) {
            Ok(_) | Err(Errno::EINTR) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// Drops the first `n` bytes of `iov` (after a short transfer).
fn advance(iov: &mut Vec<Iovec>, mut n: usize) {
    while let Some(first) = iov.first_mut() {
        let len = first.iov_len as usize;
        if n < len {
            first.iov_base += n as u64;
            first.iov_len -= n as u64;
            return;
        }
        n -= len;
        iov.remove(0);
    }
}

fn total_len(iov: &[Iovec]) -> usize {
    iov.iter().map(|v| v.iov_len as usize).sum()
}

impl Socket {
    /// Wraps a non-blocking host socket.
    pub fn from_host(fd: i32, family: u16, kind: u32) -> Self {
        Socket {
            fd,
            family,
            kind,
            names: SpinLock::new(Vec::new()),
            observed: AtomicU32::new(0),
            wakeups: WakeCounter::new(),
        }
    }

    /// A new host socket: `kind` without SOCK_NONBLOCK/SOCK_CLOEXEC (the kernel adds its
    /// own).
    pub fn open(family: u16, kind: u32, protocol: u32) -> Result<Self, Errno> {
        let fd = hnet::socket(
            u32::from(family),
            kind | SOCK_NONBLOCK | SOCK_CLOEXEC,
            protocol,
        )?;
        Ok(Socket::from_host(fd, family, kind))
    }

    /// Wraps a host socket received in SCM_RIGHTS: family and type asked of the host, made
    /// non-blocking.
    pub fn adopt(fd: i32) -> Result<Self, Errno> {
        const SO_TYPE: i32 = 3;
        const SO_DOMAIN: i32 = 39;
        let int_opt = |name| {
            let mut v = [0u8; 4];
            hnet::getsockopt(fd, SOL_SOCKET, name, &mut v).map(|_| u32::from_ne_bytes(v))
        };
        let kind = int_opt(SO_TYPE)?;
        let family = int_opt(SO_DOMAIN)? as u16;
        let flags = host::fcntl(fd, 3 /* F_GETFL */, 0)? as u64;
        host::fcntl(fd, 4 /* F_SETFL */, flags | u64::from(SOCK_NONBLOCK))?;
        Ok(Socket::from_host(fd, family, kind))
    }

    /// A call of ours found the socket drained (`bits` off): readiness seen again later is
    /// a new edge.
    fn drained(&self, bits: u32) {
        self.observed.fetch_and(!bits, Ordering::AcqRel);
    }

    pub fn host_fd(&self) -> i32 {
        self.fd
    }

    /// Keeps `name` translatable while this socket is open.
    pub fn keep(&self, name: Arc<Name>) {
        self.names.lock().push(name);
    }

    /// The names this socket keeps (an accepted socket keeps its listener's).
    pub fn names(&self) -> Vec<Arc<Name>> {
        self.names.lock().clone()
    }

    /// SO_RCVTIMEO or SO_SNDTIMEO in nanoseconds; None: no limit.
    fn timeout(&self, option: i32) -> Result<Option<u64>, Errno> {
        let mut tv = [0u8; 16];
        hnet::getsockopt(self.fd, SOL_SOCKET, option, &mut tv)?;
        let sec = i64::from_ne_bytes(tv[..8].try_into().unwrap_or([0; 8]));
        let usec = i64::from_ne_bytes(tv[8..].try_into().unwrap_or([0; 8]));
        let ns = (sec.max(0) as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(usec.max(0) as u64 * 1000);
        Ok((ns > 0).then_some(ns))
    }

    /// The wait after an EAGAIN: the socket is drained of `bits` first.
    fn wait_after(&self, waiter: &mut Waiter, bits: u32) -> Result<(), Errno> {
        self.drained(bits);
        let events = if bits == READABLE { POLLIN } else { POLLOUT };
        waiter.wait(self, events)
    }

    fn blocks(file: &OpenFile, flags: u32) -> bool {
        !file.nonblocking() && flags & MSG_DONTWAIT == 0
    }

    /// accept4 on the host: the new host socket and the peer's host address.
    pub fn accept(&self, file: &OpenFile) -> Result<(i32, SockAddr), Errno> {
        let mut waiter = Waiter::new(SO_RCVTIMEO);
        loop {
            match hnet::accept4(self.fd, SOCK_NONBLOCK | SOCK_CLOEXEC) {
                Err(Errno::EAGAIN) => {
                    self.drained(READABLE);
                    if !Self::blocks(file, 0) {
                        return Err(Errno::EAGAIN);
                    }
                    waiter.wait(self, POLLIN)?;
                }
                other => return other,
            }
        }
    }

    /// connect: a blocking connect waits for the outcome (SO_ERROR), as Linux does.
    pub fn connect(&self, file: &OpenFile, addr: &SockAddr) -> Result<(), Errno> {
        let mut waiter = Waiter::new(SO_SNDTIMEO);
        loop {
            match hnet::connect(self.fd, addr) {
                Err(Errno::EINPROGRESS) if Self::blocks(file, 0) => {
                    loop {
                        match waiter.wait(self, POLLOUT) {
                            Err(Errno::EAGAIN) => return Err(Errno::EINPROGRESS),
                            Err(e) => return Err(e),
                            Ok(()) => {}
                        }
                        if self.poll() & (POLLOUT | POLLERR | POLLHUP) != 0 {
                            break;
                        }
                    }
                    let mut err = [0u8; 4];
                    hnet::getsockopt(self.fd, SOL_SOCKET, SO_ERROR, &mut err)?;
                    let code = i32::from_ne_bytes(err);
                    if let Some(e) = Errno::from_raw(code).filter(|_| code != 0) {
                        return Err(e);
                    }
                    // Connect once more, as a blocking connect ends in Linux: the socket
                    // is then marked connected (a later connect says EISCONN).
                    return match hnet::connect(self.fd, addr) {
                        Ok(()) | Err(Errno::EISCONN) => Ok(()),
                        Err(e) => Err(e),
                    };
                }
                // A unix listener whose backlog is full.
                Err(Errno::EAGAIN) if Self::blocks(file, 0) => waiter.wait(self, POLLOUT)?,
                other => return other,
            }
        }
    }

    /// sendmsg: a blocking send on a stream socket sends everything, unless SO_SNDTIMEO
    /// runs out or an error comes (then the count so far, if any); EPIPE raises SIGPIPE
    /// unless MSG_NOSIGNAL.
    pub fn send(
        &self,
        file: &OpenFile,
        name: Option<&mut SockAddr>,
        iov: &[Iovec],
        control: &mut [u8],
        flags: u32,
    ) -> Result<usize, Errno> {
        let blocks = Self::blocks(file, flags);
        let host_flags = flags | MSG_DONTWAIT | MSG_NOSIGNAL;
        let mut rest = iov.to_vec();
        let wanted = total_len(iov);
        let mut sent = 0;
        let mut name = name;
        let mut waiter = Waiter::new(SO_SNDTIMEO);
        loop {
            let mut msg = Message {
                name: name.as_deref_mut(),
                iov: &rest,
                control: if sent == 0 { &mut *control } else { &mut [] },
                flags: 0,
                control_len: 0,
            };
            match hnet::sendmsg(self.fd, &mut msg, host_flags) {
                Ok(n) => {
                    if n < total_len(&rest) {
                        self.drained(WRITABLE);
                    }
                    sent += n;
                    if !blocks || self.kind != SOCK_STREAM || sent >= wanted {
                        return Ok(sent);
                    }
                    advance(&mut rest, n);
                }
                Err(Errno::EAGAIN) if blocks => match self.wait_after(&mut waiter, WRITABLE) {
                    Ok(()) => {}
                    Err(e) if sent == 0 => return Err(e),
                    Err(_) => return Ok(sent),
                },
                Err(Errno::EAGAIN) => {
                    self.drained(WRITABLE);
                    return if sent > 0 {
                        Ok(sent)
                    } else {
                        Err(Errno::EAGAIN)
                    };
                }
                Err(_) if sent > 0 => return Ok(sent),
                Err(Errno::EPIPE) => {
                    if flags & MSG_NOSIGNAL == 0 {
                        crate::syscall::signal::raise_sigpipe();
                    }
                    return Err(Errno::EPIPE);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// recvmsg: `msg` gets the host's name, control bytes and flags. MSG_WAITALL on a
    /// blocking stream socket keeps receiving until the buffers are full or the stream ends.
    pub fn recv(&self, file: &OpenFile, msg: &mut Message<'_>, flags: u32) -> Result<usize, Errno> {
        let blocks = Self::blocks(file, flags);
        let host_flags = (flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC) & !MSG_WAITALL;
        let wanted = total_len(msg.iov);
        let mut rest = msg.iov.to_vec();
        let mut got = 0;
        let mut waiter = Waiter::new(SO_RCVTIMEO);
        loop {
            let mut part = Message {
                name: msg.name.as_deref_mut(),
                iov: &rest,
                control: if got == 0 { &mut *msg.control } else { &mut [] },
                flags: 0,
                control_len: 0,
            };
            match hnet::recvmsg(self.fd, &mut part, host_flags) {
                Ok(n) => {
                    // A short read drained the socket; end of file (0) is no drain: it stays.
                    if n > 0 && n < total_len(&rest) && flags & MSG_PEEK == 0 {
                        self.drained(READABLE);
                    }
                    if got == 0 {
                        msg.control_len = part.control_len;
                    }
                    // The host echoes the MSG_CMSG_CLOEXEC the kernel always asks for.
                    msg.flags |= (part.flags & !(MSG_CMSG_CLOEXEC as i32))
                        | (flags & MSG_CMSG_CLOEXEC) as i32;
                    got += n;
                    let more = blocks
                        && flags & MSG_WAITALL != 0
                        && flags & MSG_PEEK == 0
                        && self.kind == SOCK_STREAM
                        && n > 0
                        && got < wanted;
                    if !more {
                        return Ok(got);
                    }
                    advance(&mut rest, n);
                }
                Err(Errno::EAGAIN) if blocks => match self.wait_after(&mut waiter, READABLE) {
                    Ok(()) => {}
                    Err(e) if got == 0 => return Err(e),
                    Err(_) => return Ok(got),
                },
                Err(Errno::EAGAIN) => {
                    self.drained(READABLE);
                    return if got > 0 { Ok(got) } else { Err(Errno::EAGAIN) };
                }
                Err(_) if got > 0 => return Ok(got),
                Err(e) => return Err(e),
            }
        }
    }
}

impl FileOps for Socket {
    fn read(&self, file: &OpenFile, buf: &mut [u8]) -> Result<usize, Errno> {
        let iov = [Iovec {
            iov_base: buf.as_mut_ptr() as u64,
            iov_len: buf.len() as u64,
        }];
        let mut msg = Message {
            name: None,
            iov: &iov,
            control: &mut [],
            flags: 0,
            control_len: 0,
        };
        self.recv(file, &mut msg, 0)
    }

    fn write(&self, file: &OpenFile, buf: &[u8]) -> Result<usize, Errno> {
        let iov = [Iovec {
            iov_base: buf.as_ptr() as u64,
            iov_len: buf.len() as u64,
        }];
        self.send(file, None, &iov, &mut [], 0)
    }

    fn stat(&self) -> Result<Stat, Errno> {
        host::fstat(self.fd)
    }

    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(pseudo_statfs(SOCKFS_MAGIC))
    }

    fn poll(&self) -> u32 {
        let mut fds = [Pollfd {
            fd: self.fd,
            events: POLL_ASKABLE as u16 as i16,
            revents: 0,
        }];
        let zero = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let now = match host::ppoll(&mut fds, Some(&zero)) {
            Ok(_) => fds[0].revents as u16 as u32,
            Err(_) => 0,
        };
        let turned_on = now & !self.observed.swap(now, Ordering::AcqRel);
        if turned_on & READABLE != 0 {
            self.wakeups.wake_readers();
        }
        if turned_on & WRITABLE != 0 {
            self.wakeups.wake_writers();
        }
        if turned_on & (POLLHUP | POLLERR) != 0 {
            self.wakeups.wake_everyone();
        }
        now
    }

    fn can_poll(&self) -> bool {
        true
    }

    fn wakeups(&self) -> Option<Wakeups> {
        Some(self.wakeups.get())
    }

    fn host_fd(&self) -> Option<i32> {
        Some(self.fd)
    }

    fn ioctl(&self, request: u64, arg: u64, vm: &crate::mm::vma::VmaMap) -> Result<usize, Errno> {
        const SIOCOUTQ: u64 = 0x5411;
        const FIONREAD: u64 = 0x541b;
        const SIOCATMARK: u64 = 0x8905;
        match request {
            SIOCOUTQ | FIONREAD | SIOCATMARK => {
                let mut value = 0i32;
                let n = host::ioctl(self.fd, request, &mut value as *mut i32 as usize)?;
                crate::user::write(vm, arg, &value)?;
                Ok(n)
            }
            _ => Err(Errno::ENOTTY),
        }
    }
}
