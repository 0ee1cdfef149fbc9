//! socket, socketpair, bind, listen, accept/accept4, connect, getsockname, getpeername,
//! setsockopt, getsockopt, shutdown, sendto and recvfrom: forwarding to host sockets the
//! kernel owns (crate::fs::socket). Addresses and options are copied between the app and
//! kernel memory here; unix names are translated by crate::net::addr.

use alloc::boxed::Box;
use alloc::format;
use alloc::sync::Arc;
use alloc::vec;

use junction_abi::{structs::Iovec, Errno};

use super::{fd, Args};
use crate::fs::fdtable::FdEntry;
use crate::fs::file::{OpenFile, O_NONBLOCK, O_RDWR};
use crate::fs::socket::{Socket, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM, SOL_SOCKET};
use crate::host::{
    self,
    net::{self as hnet, Message, SockAddr, ADDR_MAX},
};
use crate::net::addr::{self, AF_UNIX};
use crate::{state, user};

const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
const SOCK_NONBLOCK: u32 = 0o4000;
const SOCK_CLOEXEC: u32 = 0o2000000;
const SOCK_TYPE_MASK: u32 = 0xf;
const MAX_RW: usize = 0x7fff_f000;

/// The open file and socket behind `fd` (ENOTSOCK for other files).
pub(super) fn socket_file(fd: u64) -> Result<Arc<OpenFile>, Errno> {
    let file = state::lock().fds.file(fd as i32)?;
    if file.kind::<Socket>().is_none() {
        return Err(Errno::ENOTSOCK);
    }
    Ok(file)
}

pub(super) fn sock(file: &OpenFile) -> Result<&Socket, Errno> {
    file.kind::<Socket>().ok_or(Errno::ENOTSOCK)
}

/// The app's socket address at `addr`, `len` bytes, copied into kernel memory.
pub(super) fn read_addr(addr: u64, len: u64) -> Result<SockAddr, Errno> {
    let len = len as i32;
    if len < 0 || len as usize > ADDR_MAX {
        return Err(Errno::EINVAL);
    }
    let k = state::lock();
    SockAddr::from_bytes(user::slice(&k.vm.vmas, addr, len as usize)?)
}

/// Writes `value` to the app's address buffer `addr` whose size is at `len_addr` (both
/// may be null): as much as fits, and the full length.
pub(super) fn write_addr(addr: u64, len_addr: u64, value: &SockAddr) -> Result<(), Errno> {
    if len_addr == 0 {
        return Ok(());
    }
    let k = state::lock();
    let room: i32 = user::read(&k.vm.vmas, len_addr)?;
    if room < 0 {
        return Err(Errno::EINVAL);
    }
    let n = (room as usize).min(value.len);
    if n > 0 {
        user::slice_mut(&k.vm.vmas, addr, n)?.copy_from_slice(&value.as_bytes()[..n]);
    }
    user::write(&k.vm.vmas, len_addr, &(value.len as u32))
}

/// A socket's open file: "socket:[ino]" as /proc/self/fd shows it.
fn open_file(socket: Socket, nonblocking: bool) -> Arc<OpenFile> {
    let ino = host::fstat(socket.host_fd()).map_or(0, |st| st.st_ino);
    let flags = O_RDWR | if nonblocking { O_NONBLOCK } else { 0 };
    Arc::new(OpenFile::new(
        Box::new(socket),
        flags,
        format!("socket:[{ino}]"),
    ))
}

/// Splits socket()'s type argument: (type, nonblocking, cloexec).
fn split_type(raw: u64) -> Result<(u32, bool, bool), Errno> {
    let raw = raw as u32;
    if raw & !(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    Ok((
        raw & SOCK_TYPE_MASK,
        raw & SOCK_NONBLOCK != 0,
        raw & SOCK_CLOEXEC != 0,
    ))
}

fn check_family(family: u64, kind: u32) -> Result<u16, Errno> {
    let family = family as u16;
    if !matches!(family, AF_UNIX | AF_INET | AF_INET6) {
        return Err(Errno::EAFNOSUPPORT);
    }
    if family == AF_UNIX && !matches!(kind, SOCK_STREAM | SOCK_DGRAM | SOCK_SEQPACKET) {
        return Err(Errno::ESOCKTNOSUPPORT);
    }
    Ok(family)
}

pub fn socket(a: &Args) -> Result<u64, Errno> {
    if a[0] > u64::from(u16::MAX) {
        return Err(Errno::EAFNOSUPPORT);
    }
    let (kind, nonblocking, cloexec) = split_type(a[1])?;
    let family = check_family(a[0], kind)?;
    let socket = Socket::open(family, kind, a[2] as u32)?;
    fd::install(open_file(socket, nonblocking), cloexec)
}

pub fn socketpair(a: &Args) -> Result<u64, Errno> {
    if a[0] > u64::from(u16::MAX) {
        return Err(Errno::EAFNOSUPPORT);
    }
    let (kind, nonblocking, cloexec) = split_type(a[1])?;
    let family = check_family(a[0], kind)?;
    let (x, y) = hnet::socketpair(
        u32::from(family),
        kind | SOCK_NONBLOCK | SOCK_CLOEXEC,
        a[2] as u32,
    )?;
    let (x, y) = (
        open_file(Socket::from_host(x, family, kind), nonblocking),
        open_file(Socket::from_host(y, family, kind), nonblocking),
    );
    let mut k = state::lock();
    let first = k.fds.insert(FdEntry { file: x, cloexec })?;
    let second = match k.fds.insert(FdEntry { file: y, cloexec }) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = k.fds.remove(first);
            return Err(e);
        }
    };
    let pair = u64::from(first as u32) | (u64::from(second as u32) << 32);
    if let Err(e) = user::write(&k.vm.vmas, a[3], &pair) {
        let _ = k.fds.remove(first);
        let _ = k.fds.remove(second);
        return Err(e);
    }
    Ok(0)
}

pub fn bind(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    let socket = sock(&file)?;
    let app = read_addr(a[1], a[2])?;
    if socket.family != AF_UNIX || app.family() != AF_UNIX {
        return hnet::bind(socket.host_fd(), &app).map(|()| 0);
    }
    let bound = {
        let k = state::lock();
        addr::bind_name(&k, &app, 0o777 & !k.umask)?
    };
    let Some(bound) = bound else {
        // Unnamed: the host picks an abstract name (autobind).
        return hnet::bind(socket.host_fd(), &app).map(|()| 0);
    };
    if let Err(e) = hnet::bind(socket.host_fd(), &bound.host) {
        addr::undo(&state::lock(), &bound);
        return Err(e);
    }
    let host_form = hnet::getsockname(socket.host_fd())?;
    socket.keep(addr::record(bound, host_form, &app)?);
    Ok(0)
}

pub fn listen(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    hnet::listen(sock(&file)?.host_fd(), a[1] as i32).map(|()| 0)
}

fn do_accept(a: &Args, flags: u64) -> Result<u64, Errno> {
    let flags = flags as u32;
    if flags & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    let file = socket_file(a[0])?;
    let listener = sock(&file)?;
    let (host_fd, peer) = listener.accept(&file)?;
    let socket = Socket::from_host(host_fd, listener.family, listener.kind);
    for name in listener.names() {
        socket.keep(name);
    }
    let new = open_file(socket, flags & SOCK_NONBLOCK != 0);
    // Written first: on a fault the new socket is closed, as Linux drops it.
    if a[1] != 0 {
        write_addr(a[1], a[2], &addr::to_instance(&peer))?;
    }
    fd::install(new, flags & SOCK_CLOEXEC != 0)
}

pub fn accept(a: &Args) -> Result<u64, Errno> {
    do_accept(a, 0)
}

pub fn accept4(a: &Args) -> Result<u64, Errno> {
    do_accept(a, a[3])
}

/// The host address for an app's destination address: unix names are translated, with
/// an O_PATH fd to close after the call.
pub(super) fn destination(
    socket: &Socket,
    app: &SockAddr,
) -> Result<(SockAddr, Option<i32>), Errno> {
    if socket.family == AF_UNIX && app.family() == AF_UNIX {
        addr::connect_name(&state::lock(), app)
    } else {
        Ok((*app, None))
    }
}

pub fn connect(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    let socket = sock(&file)?;
    let app = read_addr(a[1], a[2])?;
    let (target, hold) = destination(socket, &app)?;
    let result = socket.connect(&file, &target);
    if let Some(fd) = hold {
        let _ = host::close(fd);
    }
    result?;
    if socket.family == AF_UNIX {
        // The peer's name stays the instance's while this socket is open.
        if let Some(name) = hnet::getpeername(socket.host_fd())
            .ok()
            .and_then(|peer| addr::find(&peer))
        {
            socket.keep(name);
        }
    }
    Ok(0)
}

fn name_of(a: &Args, get: fn(i32) -> Result<SockAddr, Errno>) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    let host_addr = get(sock(&file)?.host_fd())?;
    write_addr(a[1], a[2], &addr::to_instance(&host_addr)).map(|()| 0)
}

pub fn getsockname(a: &Args) -> Result<u64, Errno> {
    name_of(a, hnet::getsockname)
}

pub fn getpeername(a: &Args) -> Result<u64, Errno> {
    name_of(a, hnet::getpeername)
}

/// Options whose value holds app pointers or app fd numbers the host cannot use: socket
/// filters (a sock_fprog points at its program) and BPF programs (an fd).
fn refused_option(level: i32, name: i32) -> bool {
    const SO_ATTACH_FILTER: i32 = 26;
    const SO_ATTACH_BPF: i32 = 50;
    const SO_ATTACH_REUSEPORT_CBPF: i32 = 51;
    const SO_ATTACH_REUSEPORT_EBPF: i32 = 52;
    level == SOL_SOCKET
        && matches!(
            name,
            SO_ATTACH_FILTER | SO_ATTACH_BPF | SO_ATTACH_REUSEPORT_CBPF | SO_ATTACH_REUSEPORT_EBPF
        )
}

/// Options that would give the app a host fd number (a pidfd of the peer): answered as a
/// Linux without them answers (ENOPROTOOPT). Pidfds are the next issue's (processes).
fn pidfd_option(level: i32, name: i32) -> bool {
    const SO_PASSPIDFD: i32 = 76;
    const SO_PEERPIDFD: i32 = 77;
    level == SOL_SOCKET && matches!(name, SO_PASSPIDFD | SO_PEERPIDFD)
}

/// Option values are small (an int, a timeval, TCP_INFO); multicast source filters and
/// SO_PEERGROUPS are the large ones. Larger values are refused (EINVAL) rather than cut.
const OPT_MAX: usize = 65536;

pub fn setsockopt(a: &Args) -> Result<u64, Errno> {
    let (level, name, len) = (a[1] as i32, a[2] as i32, a[4] as i32);
    let file = socket_file(a[0])?;
    let socket = sock(&file)?;
    if len < 0 || len as usize > OPT_MAX {
        return Err(Errno::EINVAL);
    }
    if refused_option(level, name) {
        return Err(Errno::EOPNOTSUPP);
    }
    if pidfd_option(level, name) {
        return Err(Errno::ENOPROTOOPT);
    }
    let value = {
        let k = state::lock();
        user::slice(&k.vm.vmas, a[3], len as usize)?.to_vec()
    };
    hnet::setsockopt(socket.host_fd(), level, name, &value).map(|()| 0)
}

pub fn getsockopt(a: &Args) -> Result<u64, Errno> {
    const SO_PEERCRED: i32 = 17;
    const SO_PEERNAME: i32 = 28;
    let (level, name) = (a[1] as i32, a[2] as i32);
    let file = socket_file(a[0])?;
    let socket = sock(&file)?;
    let room: i32 = user::read(&state::lock().vm.vmas, a[4])?;
    if room < 0 {
        return Err(Errno::EINVAL);
    }
    if level == SOL_SOCKET && name == SO_PEERNAME {
        return peer_name_option(socket, a[3], a[4], room as usize);
    }
    if pidfd_option(level, name) {
        return Err(Errno::ENOPROTOOPT);
    }
    let mut value = vec![0u8; (room as usize).min(OPT_MAX)];
    let len = hnet::getsockopt(socket.host_fd(), level, name, &mut value)?;
    if level == SOL_SOCKET && name == SO_PEERCRED && len >= 4 {
        let pid = i32::from_ne_bytes([value[0], value[1], value[2], value[3]]);
        value[..4].copy_from_slice(&crate::net::cmsg::virtual_pid(pid).to_ne_bytes());
    }
    let k = state::lock();
    let n = len.min(value.len());
    user::slice_mut(&k.vm.vmas, a[3], n)?.copy_from_slice(&value[..n]);
    user::write(&k.vm.vmas, a[4], &(len as u32)).map(|()| 0)
}

/// SO_PEERNAME: the peer's address as getpeername gives it back (the instance's name), by
/// Linux's rule for this option: the room must not exceed the name (EINVAL), and exactly
/// the room is copied.
fn peer_name_option(socket: &Socket, at: u64, len_at: u64, room: usize) -> Result<u64, Errno> {
    let peer = hnet::getpeername(socket.host_fd()).map_err(|_| Errno::ENOTCONN)?;
    let app = addr::to_instance(&peer);
    if app.len < room {
        return Err(Errno::EINVAL);
    }
    let k = state::lock();
    user::slice_mut(&k.vm.vmas, at, room)?.copy_from_slice(&app.as_bytes()[..room]);
    user::write(&k.vm.vmas, len_at, &(room as u32)).map(|()| 0)
}

pub fn shutdown(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    hnet::shutdown(sock(&file)?.host_fd(), a[1] as i32).map(|()| 0)
}

/// One checked app buffer as a host iovec.
fn one_iov(base: u64, len: u64, writable: bool) -> Result<[Iovec; 1], Errno> {
    let len = (len as usize).min(MAX_RW);
    let k = state::lock();
    let ptr = if writable {
        user::slice_mut(&k.vm.vmas, base, len)?.as_mut_ptr() as u64
    } else {
        user::slice(&k.vm.vmas, base, len)?.as_ptr() as u64
    };
    Ok([Iovec {
        iov_base: ptr,
        iov_len: len as u64,
    }])
}

pub fn sendto(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    let socket = sock(&file)?;
    let iov = one_iov(a[1], a[2], false)?;
    let (mut target, hold) = if a[4] != 0 {
        let app = read_addr(a[4], a[5])?;
        let (target, hold) = destination(socket, &app)?;
        (Some(target), hold)
    } else {
        (None, None)
    };
    let result = socket.send(&file, target.as_mut(), &iov, &mut [], a[3] as u32);
    if let Some(fd) = hold {
        let _ = host::close(fd);
    }
    result.map(|n| n as u64)
}

pub fn recvfrom(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    let socket = sock(&file)?;
    let iov = one_iov(a[1], a[2], true)?;
    let mut from = SockAddr::empty();
    let mut msg = Message {
        name: (a[4] != 0).then_some(&mut from),
        iov: &iov,
        control: &mut [],
        flags: 0,
        control_len: 0,
    };
    let n = socket.recv(&file, &mut msg, a[3] as u32)?;
    if a[4] != 0 {
        write_addr(a[4], a[5], &addr::to_instance(&from))?;
    }
    Ok(n as u64)
}
