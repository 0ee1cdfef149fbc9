//! sendmsg, recvmsg, sendmmsg and recvmmsg: the app's msghdr is read field by field into
//! kernel memory, its iovecs checked, its control messages copied and translated
//! (crate::net::cmsg) before the host sees them.

use alloc::vec;
use alloc::vec::Vec;

use junction_abi::{structs::Iovec, Errno};

use super::socket::{destination, read_addr, sock, socket_file, write_addr};
use super::Args;
use crate::fs::file::OpenFile;
use crate::fs::socket::{Socket, MSG_CMSG_CLOEXEC, MSG_DONTWAIT};
use crate::host::{
    self,
    net::{Message, SockAddr},
};
use crate::net::{addr, cmsg};
use crate::readiness::{self, Deadline};
use crate::{state, user};

/// Linux's UIO_MAXIOV.
const IOV_MAX: u64 = 1024;
/// Linux's default optmem_max: larger control buffers are refused (ENOBUFS).
const CONTROL_MAX: usize = 20480;
const MSGHDR_SIZE: u64 = 56;
const MMSGHDR_SIZE: u64 = 64;
const MSG_WAITFORONE: u32 = 0x10000;

/// The fields of the app's struct msghdr.
#[derive(Debug, Clone, Copy)]
struct Header {
    name: u64,
    namelen: u32,
    iov: u64,
    iovlen: u64,
    control: u64,
    controllen: u64,
}

fn read_header(at: u64) -> Result<Header, Errno> {
    let k = state::lock();
    let word = |offset: u64| user::read::<u64>(&k.vm.vmas, at + offset);
    Ok(Header {
        name: word(0)?,
        namelen: user::read::<u32>(&k.vm.vmas, at + 8)?,
        iov: word(16)?,
        iovlen: word(24)?,
        control: word(32)?,
        controllen: word(40)?,
    })
}

/// The app's iovecs, each checked (writable for receiving), as host iovecs.
fn checked_iovecs(h: &Header, writable: bool) -> Result<Vec<Iovec>, Errno> {
    if h.iovlen > IOV_MAX {
        return Err(Errno::EMSGSIZE);
    }
    let k = state::lock();
    let mut out = Vec::with_capacity(h.iovlen as usize);
    for i in 0..h.iovlen {
        let v: Iovec = user::read(&k.vm.vmas, h.iov + i * 16)?;
        if (v.iov_len as i64) < 0 {
            return Err(Errno::EINVAL);
        }
        let len = v.iov_len as usize;
        let ptr = if writable {
            user::slice_mut(&k.vm.vmas, v.iov_base, len)?.as_mut_ptr() as u64
        } else {
            user::slice(&k.vm.vmas, v.iov_base, len)?.as_ptr() as u64
        };
        out.push(Iovec {
            iov_base: ptr,
            iov_len: len as u64,
        });
    }
    Ok(out)
}

fn send_one(file: &OpenFile, socket: &Socket, h: &Header, flags: u32) -> Result<usize, Errno> {
    let iov = checked_iovecs(h, false)?;
    let (mut target, hold) = if h.name != 0 && h.namelen > 0 {
        let app = read_addr(h.name, u64::from(h.namelen))?;
        let (target, hold) = destination(socket, &app)?;
        (Some(target), hold)
    } else {
        (None, None)
    };
    let close_hold = || {
        if let Some(fd) = hold {
            let _ = host::close(fd);
        }
    };
    if h.controllen as usize > CONTROL_MAX {
        close_hold();
        return Err(Errno::ENOBUFS);
    }
    let prepared = (|| {
        let k = state::lock();
        let mut control = user::slice(&k.vm.vmas, h.control, h.controllen as usize)?.to_vec();
        let held = cmsg::to_host(&k, &mut control)?;
        Ok((control, held))
    })();
    let result = prepared.and_then(|(mut control, held)| {
        let n = socket.send(file, target.as_mut(), &iov, &mut control, flags);
        drop(held);
        n
    });
    close_hold();
    result
}

fn recv_one(
    file: &OpenFile,
    socket: &Socket,
    at: u64,
    h: &Header,
    flags: u32,
) -> Result<usize, Errno> {
    let iov = checked_iovecs(h, true)?;
    let mut from = SockAddr::empty();
    let mut control = vec![0u8; (h.controllen as usize).min(CONTROL_MAX)];
    let mut msg = Message {
        name: (h.name != 0).then_some(&mut from),
        iov: &iov,
        control: &mut control,
        flags: 0,
        control_len: 0,
    };
    let n = socket.recv(file, &mut msg, flags)?;
    let (mut msg_flags, control_len) = (msg.flags, msg.control_len);
    msg_flags |= cmsg::to_app(&mut control[..control_len], flags & MSG_CMSG_CLOEXEC != 0);
    if h.name != 0 {
        write_addr(h.name, at + 8, &addr::to_instance(&from))?;
    }
    let k = state::lock();
    if control_len > 0 {
        user::slice_mut(&k.vm.vmas, h.control, control_len)?
            .copy_from_slice(&control[..control_len]);
    }
    user::write(&k.vm.vmas, at + 40, &(control_len as u64))?;
    user::write(&k.vm.vmas, at + 48, &msg_flags)?;
    Ok(n)
}

/// readv/writev on a socket: one message over all the iovecs (a datagram is not split
/// across reads). None for other files.
pub fn socket_vectored(a: &Args, receive: bool) -> Option<Result<u64, Errno>> {
    let file = socket_file(a[0]).ok()?;
    let h = Header {
        name: 0,
        namelen: 0,
        iov: a[1],
        iovlen: a[2],
        control: 0,
        controllen: 0,
    };
    Some((|| {
        if h.iovlen > IOV_MAX {
            return Err(Errno::EINVAL);
        }
        let socket = sock(&file)?;
        let iov = checked_iovecs(&h, receive)?;
        let n = if receive {
            let mut msg = Message {
                name: None,
                iov: &iov,
                control: &mut [],
                flags: 0,
                control_len: 0,
            };
            socket.recv(&file, &mut msg, 0)?
        } else {
            socket.send(&file, None, &iov, &mut [], 0)?
        };
        Ok(n as u64)
    })())
}

pub fn sendmsg(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    let h = read_header(a[1])?;
    send_one(&file, sock(&file)?, &h, a[2] as u32).map(|n| n as u64)
}

pub fn recvmsg(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    let h = read_header(a[1])?;
    recv_one(&file, sock(&file)?, a[1], &h, a[2] as u32).map(|n| n as u64)
}

/// sendmmsg/recvmmsg: one message at a time, each length written to its msg_len. An error
/// after the first message ends the batch with the count so far, as in Linux.
fn batch(
    vec_addr: u64,
    count: u64,
    mut one: impl FnMut(u64, &Header, usize) -> Result<usize, Errno>,
) -> Result<u64, Errno> {
    let count = count.min(IOV_MAX);
    let mut done = 0;
    while done < count {
        let at = vec_addr + done * MMSGHDR_SIZE;
        let result = read_header(at).and_then(|h| one(at, &h, done as usize));
        match result {
            Ok(n) => {
                user::write(&state::lock().vm.vmas, at + MSGHDR_SIZE, &(n as u32))?;
                done += 1;
            }
            Err(Errno::EAGAIN) if done > 0 => break,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(done)
}

pub fn sendmmsg(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    let socket = sock(&file)?;
    let flags = a[3] as u32;
    batch(a[1], u64::from(a[2] as u32), |_, h, _| {
        send_one(&file, socket, h, flags)
    })
}

/// recvmmsg: MSG_WAITFORONE makes every message after the first non-blocking; the timeout
/// is checked after each message (as Linux does).
pub fn recvmmsg(a: &Args) -> Result<u64, Errno> {
    let file = socket_file(a[0])?;
    let socket = sock(&file)?;
    let flags = a[3] as u32;
    let deadline = if a[4] == 0 {
        None
    } else {
        let ts = user::read(&state::lock().vm.vmas, a[4])?;
        Some(Deadline::after(Some(readiness::timespec_ns(&ts)?)))
    };
    batch(a[1], u64::from(a[2] as u32), |at, h, index| {
        if index > 0 && deadline.is_some_and(|d| d.remaining() == Some(0)) {
            return Err(Errno::EAGAIN);
        }
        let mut flags = flags & !MSG_WAITFORONE;
        if index > 0 && a[3] as u32 & MSG_WAITFORONE != 0 {
            flags |= MSG_DONTWAIT;
        }
        recv_one(&file, socket, at, h, flags)
    })
}
