//! Host socket calls: the sockets the instance opens are host sockets the kernel owns
//! (forwarding, crate::fs::socket). Every buffer handed to the host here is kernel memory,
//! or app memory the caller has checked (`crate::user`).

use junction_abi::{self as abi, structs::Iovec, Errno};

use super::{args, call};

/// The largest socket address (struct sockaddr_storage).
pub const ADDR_MAX: usize = 128;

/// A socket address in kernel memory, as the host reads and writes it.
#[derive(Debug, Clone, Copy)]
pub struct SockAddr {
    pub bytes: [u8; ADDR_MAX],
    pub len: usize,
}

impl SockAddr {
    pub const fn empty() -> Self {
        SockAddr {
            bytes: [0; ADDR_MAX],
            len: 0,
        }
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Errno> {
        let mut addr = SockAddr::empty();
        addr.bytes
            .get_mut(..bytes.len())
            .ok_or(Errno::EINVAL)?
            .copy_from_slice(bytes);
        addr.len = bytes.len();
        Ok(addr)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len.min(ADDR_MAX)]
    }

    pub fn family(&self) -> u16 {
        if self.len < 2 {
            return 0;
        }
        u16::from_ne_bytes([self.bytes[0], self.bytes[1]])
    }
}

pub fn socket(family: u32, kind: u32, protocol: u32) -> Result<i32, Errno> {
    // SAFETY: no pointers.
    unsafe { call(abi::SYS_SOCKET, args!(family, kind, protocol)) }.map(|fd| fd as i32)
}

pub fn socketpair(family: u32, kind: u32, protocol: u32) -> Result<(i32, i32), Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: fds is a writable int[2].
    unsafe {
        call(
            abi::SYS_SOCKETPAIR,
            args!(family, kind, protocol, fds.as_mut_ptr()),
        )
    }?;
    Ok((fds[0], fds[1]))
}

pub fn bind(fd: i32, addr: &SockAddr) -> Result<(), Errno> {
    // SAFETY: addr is kernel memory of its length.
    unsafe { call(abi::SYS_BIND, args!(fd, addr.bytes.as_ptr(), addr.len)) }.map(|_| ())
}

pub fn connect(fd: i32, addr: &SockAddr) -> Result<(), Errno> {
    // SAFETY: addr is kernel memory of its length.
    unsafe { call(abi::SYS_CONNECT, args!(fd, addr.bytes.as_ptr(), addr.len)) }.map(|_| ())
}

pub fn listen(fd: i32, backlog: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    unsafe { call(abi::SYS_LISTEN, args!(fd, backlog)) }.map(|_| ())
}

/// accept4 with the peer's address.
pub fn accept4(fd: i32, flags: u32) -> Result<(i32, SockAddr), Errno> {
    let mut addr = SockAddr::empty();
    let mut len = ADDR_MAX as u32;
    // SAFETY: addr and len are writable kernel memory; len says how big addr is.
    let new = unsafe {
        call(
            abi::SYS_ACCEPT4,
            args!(fd, addr.bytes.as_mut_ptr(), &mut len as *mut u32, flags),
        )
    }?;
    addr.len = (len as usize).min(ADDR_MAX);
    Ok((new as i32, addr))
}

fn name_call(nr: usize, fd: i32) -> Result<SockAddr, Errno> {
    let mut addr = SockAddr::empty();
    let mut len = ADDR_MAX as u32;
    // SAFETY: as accept4.
    unsafe { call(nr, args!(fd, addr.bytes.as_mut_ptr(), &mut len as *mut u32)) }?;
    addr.len = (len as usize).min(ADDR_MAX);
    Ok(addr)
}

pub fn getsockname(fd: i32) -> Result<SockAddr, Errno> {
    name_call(abi::SYS_GETSOCKNAME, fd)
}

pub fn getpeername(fd: i32) -> Result<SockAddr, Errno> {
    name_call(abi::SYS_GETPEERNAME, fd)
}

pub fn setsockopt(fd: i32, level: i32, name: i32, value: &[u8]) -> Result<(), Errno> {
    // SAFETY: value is readable for its length.
    unsafe {
        call(
            abi::SYS_SETSOCKOPT,
            args!(fd, level, name, value.as_ptr(), value.len()),
        )
    }
    .map(|_| ())
}

/// getsockopt into `value`; the length the host reports.
pub fn getsockopt(fd: i32, level: i32, name: i32, value: &mut [u8]) -> Result<usize, Errno> {
    let mut len = value.len() as u32;
    // SAFETY: value is writable for `len` bytes.
    unsafe {
        call(
            abi::SYS_GETSOCKOPT,
            args!(fd, level, name, value.as_mut_ptr(), &mut len as *mut u32),
        )
    }?;
    Ok(len as usize)
}

pub fn shutdown(fd: i32, how: i32) -> Result<(), Errno> {
    // SAFETY: no pointers.
    unsafe { call(abi::SYS_SHUTDOWN, args!(fd, how)) }.map(|_| ())
}

/// One message for sendmsg/recvmsg, all in kernel memory but the data, which the iovecs
/// point at (kernel buffers or app memory the caller checked).
#[derive(Debug)]
pub struct Message<'a> {
    pub name: Option<&'a mut SockAddr>,
    pub iov: &'a [Iovec],
    pub control: &'a mut [u8],
    /// recvmsg: the msg_flags the host set; the control length it used.
    pub flags: i32,
    pub control_len: usize,
}

#[repr(C)]
struct HostMsghdr {
    name: *mut u8,
    namelen: u32,
    iov: *const Iovec,
    iovlen: usize,
    control: *mut u8,
    controllen: usize,
    flags: i32,
}

impl Message<'_> {
    fn header(&mut self) -> HostMsghdr {
        let (name, namelen) = match self.name.as_deref_mut() {
            Some(addr) if addr.len > 0 => (addr.bytes.as_mut_ptr(), addr.len as u32),
            _ => (core::ptr::null_mut(), 0),
        };
        HostMsghdr {
            name,
            namelen,
            iov: self.iov.as_ptr(),
            iovlen: self.iov.len(),
            control: if self.control.is_empty() {
                core::ptr::null_mut()
            } else {
                self.control.as_mut_ptr()
            },
            controllen: self.control.len(),
            flags: 0,
        }
    }
}

pub fn sendmsg(fd: i32, msg: &mut Message<'_>, flags: u32) -> Result<usize, Errno> {
    let header = msg.header();
    // SAFETY: the header and everything it points to are kernel memory or checked app
    // memory, alive for the call.
    unsafe {
        call(
            abi::SYS_SENDMSG,
            args!(fd, &header as *const HostMsghdr, flags),
        )
    }
}

/// recvmsg: `msg.name` (its `len` is the room, set to the length received), the control
/// bytes and the flags are filled in.
pub fn recvmsg(fd: i32, msg: &mut Message<'_>, flags: u32) -> Result<usize, Errno> {
    if let Some(addr) = msg.name.as_deref_mut() {
        addr.len = ADDR_MAX;
    }
    let mut header = msg.header();
    // SAFETY: as sendmsg; the host writes only within the lengths the header gives.
    let n = unsafe {
        call(
            abi::SYS_RECVMSG,
            args!(fd, &mut header as *mut HostMsghdr, flags),
        )
    }?;
    if let Some(addr) = msg.name.as_deref_mut() {
        addr.len = (header.namelen as usize).min(ADDR_MAX);
    }
    msg.flags = header.flags;
    msg.control_len = header.controllen.min(msg.control.len());
    Ok(n)
}
