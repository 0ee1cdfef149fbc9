//! The one way handlers touch app memory: every range is checked against the VMA map
//! (mapped, with the protection the access needs) before it is read or written, so a bad
//! pointer from the app is EFAULT, never a kernel crash.

use alloc::vec::Vec;
use core::sync::atomic::AtomicU32;

use junction_abi::Errno;

use crate::mm::vma::{VmaMap, PROT_READ, PROT_WRITE};

/// Plain data that may be copied to and from app memory byte for byte.
///
/// # Safety
/// Every bit pattern must be a valid value and the type must have no padding that the
/// kernel would leak uninitialised (the ABI structs spell their padding out as fields).
pub unsafe trait Pod: Copy {}

macro_rules! pod {
    ($($t:ty),*) => { $(
        // SAFETY: integer or ABI struct with explicit padding fields.
        unsafe impl Pod for $t {}
    )* };
}
pod!(u8, u16, u32, u64, i32, i64, usize, [u8; 16]);
use junction_abi::structs as s;
pod!(
    s::Timespec,
    s::Timeval,
    s::Timezone,
    s::Stat,
    s::Statx,
    s::Rlimit,
    s::Rusage,
    s::Utsname,
    s::Sysinfo,
    s::Tms,
    s::Pollfd,
    s::Iovec,
    s::StackT,
    s::KernelSigaction,
    s::FdPair,
    s::EpollEvent,
    s::LinuxDirent64,
    s::Winsize,
    s::Statfs,
    s::OpenHow
);

fn check(vm: &VmaMap, addr: u64, len: usize, prot: u32) -> Result<(), Errno> {
    if len == 0 {
        return Ok(());
    }
    let end = addr.checked_add(len as u64).ok_or(Errno::EFAULT)?;
    if vm.covers(addr, end, prot) {
        Ok(())
    } else {
        Err(Errno::EFAULT)
    }
}

/// The app's bytes at `[addr, addr+len)`, borrowed for the duration of the call.
pub fn slice(vm: &VmaMap, addr: u64, len: usize) -> Result<&'static [u8], Errno> {
    check(vm, addr, len, PROT_READ)?;
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: the range is mapped readable app memory in our address space (checked above).
    // Another app thread could unmap it during the call; docs/design/threads.md has that gap.
    Ok(unsafe { core::slice::from_raw_parts(addr as *const u8, len) })
}

/// The app's writable bytes at `[addr, addr+len)`.
pub fn slice_mut(vm: &VmaMap, addr: u64, len: usize) -> Result<&'static mut [u8], Errno> {
    check(vm, addr, len, PROT_WRITE)?;
    if len == 0 {
        return Ok(&mut []);
    }
    // SAFETY: as `slice`, checked writable.
    Ok(unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, len) })
}

pub fn read<T: Pod>(vm: &VmaMap, addr: u64) -> Result<T, Errno> {
    check(vm, addr, core::mem::size_of::<T>(), PROT_READ)?;
    // SAFETY: checked readable; T is Pod; unaligned app pointers are allowed.
    Ok(unsafe { core::ptr::read_unaligned(addr as *const T) })
}

pub fn write<T: Pod>(vm: &VmaMap, addr: u64, value: &T) -> Result<(), Errno> {
    check(vm, addr, core::mem::size_of::<T>(), PROT_WRITE)?;
    // SAFETY: checked writable; T is Pod.
    unsafe { core::ptr::write_unaligned(addr as *mut T, *value) };
    Ok(())
}

/// A checked pointer for the app's `T` at `addr`, for a writer that fills it in place (may
/// be unaligned). Valid while the app's mappings do not change.
pub fn out_ptr<T: Pod>(vm: &VmaMap, addr: u64) -> Result<*mut T, Errno> {
    check(vm, addr, core::mem::size_of::<T>(), PROT_WRITE)?;
    Ok(addr as *mut T)
}

/// The app's 32-bit futex word at `addr` for atomic access (4-byte aligned, writable, as
/// Linux demands of a futex word the kernel changes: EINVAL unaligned, EFAULT unmapped).
pub fn atomic_u32(vm: &VmaMap, addr: u64) -> Result<&'static AtomicU32, Errno> {
    if addr % 4 != 0 {
        return Err(Errno::EINVAL);
    }
    check(vm, addr, 4, PROT_READ | PROT_WRITE)?;
    // SAFETY: checked mapped read-write and aligned; the app and the kernel change the word
    // only atomically.
    Ok(unsafe { AtomicU32::from_ptr(addr as *mut u32) })
}

/// A NUL-terminated string of at most `max` bytes (without the NUL): ENAMETOOLONG past it.
pub fn cstring(vm: &VmaMap, addr: u64, max: usize) -> Result<Vec<u8>, Errno> {
    if addr == 0 {
        return Err(Errno::EFAULT);
    }
    let mut out = Vec::new();
    let mut at = addr;
    loop {
        // Read up to the end of the mapping (or page) holding `at`.
        let vma = vm
            .find(at)
            .filter(|v| v.prot & PROT_READ != 0)
            .ok_or(Errno::EFAULT)?;
        let chunk_end = vma.end.min(at.saturating_add((max + 1 - out.len()) as u64));
        // SAFETY: [at, chunk_end) lies inside one readable mapping.
        let bytes =
            unsafe { core::slice::from_raw_parts(at as *const u8, (chunk_end - at) as usize) };
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            out.extend_from_slice(&bytes[..nul]);
            return Ok(out);
        }
        out.extend_from_slice(bytes);
        if out.len() > max {
            return Err(Errno::ENAMETOOLONG);
        }
        at = chunk_end;
    }
}

/// A path argument: at most PATH_MAX bytes with its NUL.
pub fn path(vm: &VmaMap, addr: u64) -> Result<Vec<u8>, Errno> {
    cstring(vm, addr, 4095)
}
