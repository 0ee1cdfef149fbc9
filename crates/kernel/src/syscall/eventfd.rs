//! eventfd and eventfd2: a counter file served in the kernel (crate::fs::eventfd).

use alloc::boxed::Box;
use alloc::sync::Arc;

use junction_abi::{self as abi, Errno};

use super::{fd, Args};
use crate::fs::anon_inode;
use crate::fs::eventfd::EventFd;
use crate::fs::file::{OpenFile, O_NONBLOCK, O_RDWR};

const EFD_SEMAPHORE: u64 = abi::EFD_SEMAPHORE;
const EFD_NONBLOCK: u64 = abi::EFD_NONBLOCK;
const EFD_CLOEXEC: u64 = abi::EFD_CLOEXEC;

pub fn eventfd(a: &Args) -> Result<u64, Errno> {
    eventfd2(&[a[0], 0, 0, 0, 0, 0])
}

pub fn eventfd2(a: &Args) -> Result<u64, Errno> {
    let (initial, flags) = (a[0] as u32, u64::from(a[1] as u32));
    if flags & !(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    let status = if flags & EFD_NONBLOCK != 0 {
        O_NONBLOCK
    } else {
        0
    };
    let file = OpenFile::new(
        Box::new(EventFd::new(initial, flags & EFD_SEMAPHORE != 0)),
        O_RDWR | status,
        anon_inode::name("eventfd"),
    );
    fd::install(Arc::new(file), flags & EFD_CLOEXEC != 0)
}
