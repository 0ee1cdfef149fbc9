//! Memory: mmap, munmap, mprotect, mremap, madvise, brk. The kernel chooses every address
//! and keeps the VMA map; the host provides the pages (through the host module).

use junction_abi::Errno;

use super::Args;
use crate::host;
use crate::mm::layout::{page_up, PAGE, WINDOW_START};
use crate::mm::vma::{Backing, Vma};
use crate::mm::{
    self, page_aligned, round_len, Vm, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED,
};
use crate::state;

const MAP_SHARED_VALIDATE: u64 = 0x03;
const MAP_TYPE: u64 = 0x0f;
const MAP_32BIT: u64 = 0x40;
const MAP_FIXED_NOREPLACE: u64 = 0x100000;
/// Flags passed on to the host as they are.
const PASS_FLAGS: u64 = 0x0100 /* GROWSDOWN */ | 0x0800 /* DENYWRITE */ | 0x1000 /* EXECUTABLE */
    | 0x2000 /* LOCKED */ | 0x4000 /* NORESERVE */ | 0x8000 /* POPULATE */ | 0x10000 /* NONBLOCK */
    | 0x20000 /* STACK */ | 0x40000 /* HUGETLB */ | 0x80000 /* SYNC */ | (0x3f << 26) /* huge page size */;
const PROT_MASK: u64 = 7;
const PROT_GROWS: u64 = 0x0100_0000 | 0x0200_0000;

pub fn mmap(a: &Args) -> Result<u64, Errno> {
    let (addr, len, prot, flags, fd, offset) = (a[0], a[1], a[2], a[3], a[4] as i32, a[5]);
    let len = round_len(len)?;
    if prot & !PROT_MASK != 0 || !page_aligned(offset) {
        return Err(Errno::EINVAL);
    }
    let kind = flags & MAP_TYPE;
    if kind != MAP_PRIVATE && kind != MAP_SHARED && kind != MAP_SHARED_VALIDATE {
        return Err(Errno::EINVAL);
    }
    let shared = kind != MAP_PRIVATE;
    let anonymous = flags & MAP_ANONYMOUS != 0;
    let (host_fd, backing, file) = if anonymous {
        (-1, Backing::Anon, None)
    } else {
        let file = state::lock().fds.file(fd)?;
        if !file.readable() {
            return Err(Errno::EACCES);
        }
        if shared && prot & 2 != 0 && !file.writable() {
            return Err(Errno::EACCES);
        }
        let host_fd = file.ops.host_fd().ok_or(Errno::ENODEV)?;
        let st = file.ops.stat()?;
        (
            host_fd,
            Backing::File {
                path: crate::fs::lookup::shown_path(&state::lock(), &file),
                offset,
                dev: st.st_dev,
                ino: st.st_ino,
            },
            Some(file),
        )
    };
    let mut k = state::lock();
    let vm = &mut k.vm;
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    let start = if fixed {
        if !page_aligned(addr) {
            return Err(Errno::EINVAL);
        }
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        if !Vm::allowed(addr, end) {
            return Err(if addr < mm::MIN_APP_ADDR {
                Errno::EPERM
            } else {
                Errno::ENOMEM
            });
        }
        if flags & MAP_FIXED == 0 && vm.vmas.overlaps(addr, end) {
            return Err(Errno::EEXIST);
        }
        addr
    } else {
        let hint = addr & !(PAGE - 1);
        match hint.checked_add(len) {
            Some(end)
                if hint != 0
                    && Vm::allowed(hint, end)
                    && !vm.vmas.overlaps(hint, end)
                    && (end <= vm.brk_start || hint >= vm.brk_limit) =>
            {
                hint
            }
            _ => vm.find_free(len, flags & MAP_32BIT != 0)?,
        }
    };
    let vma = Vma {
        start,
        end: start + len,
        prot: prot as u32,
        shared,
        backing,
    };
    let host_flags = (if shared { MAP_SHARED } else { MAP_PRIVATE })
        | (flags & PASS_FLAGS)
        | if anonymous { MAP_ANONYMOUS } else { 0 };
    vm.map_fixed(vma, host_flags, host_fd, offset)?;
    drop(k);
    drop(file);
    Ok(start)
}

fn range(addr: u64, len: u64) -> Result<(u64, u64), Errno> {
    if !page_aligned(addr) {
        return Err(Errno::EINVAL);
    }
    let len = round_len(len)?;
    let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
    Ok((addr, end))
}

pub fn munmap(a: &Args) -> Result<u64, Errno> {
    let (start, end) = range(a[0], a[1])?;
    if !Vm::allowed(start, end) {
        return Err(Errno::EINVAL);
    }
    let mut k = state::lock();
    // Only the parts that are mapped are released; the rest of the window stays reserved.
    let pieces: alloc::vec::Vec<(u64, u64)> =
        k.vm.vmas
            .iter()
            .filter(|v| v.end > start && v.start < end)
            .map(|v| (v.start.max(start), v.end.min(end)))
            .collect();
    for (s, e) in pieces {
        k.vm.unmap(s, e)?;
    }
    Ok(0)
}

pub fn mprotect(a: &Args) -> Result<u64, Errno> {
    let (start, end) = range(a[0], a[1].max(1))?;
    let prot = a[2];
    if prot & !(PROT_MASK | PROT_GROWS) != 0 {
        return Err(Errno::EINVAL);
    }
    if a[1] == 0 {
        return Ok(0);
    }
    let mut k = state::lock();
    if !k.vm.vmas.covers(start, end, 0) {
        return Err(Errno::ENOMEM);
    }
    // SAFETY: the range is app memory the VMA map covers.
    unsafe { host::mprotect(start as usize, (end - start) as usize, prot & PROT_MASK) }?;
    k.vm.vmas.protect(start, end, (prot & PROT_MASK) as u32);
    Ok(0)
}

const MREMAP_MAYMOVE: u64 = 1;
const MREMAP_FIXED: u64 = 2;
const MREMAP_DONTUNMAP: u64 = 4;

pub fn mremap(a: &Args) -> Result<u64, Errno> {
    let (old, old_len, new_len, flags, new_addr) = (a[0], a[1], a[2], a[3], a[4]);
    if !page_aligned(old) || flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 || flags & MREMAP_DONTUNMAP != 0 {
        return Err(Errno::EINVAL);
    }
    let old_len = page_up(old_len).ok_or(Errno::EINVAL)?;
    let new_len = round_len(new_len)?;
    let mut k = state::lock();
    let vm = &mut k.vm;
    let Some(vma) = vm.vmas.find(old).cloned() else {
        return Err(Errno::EFAULT);
    };
    if old_len == 0 || old + old_len > vma.end {
        return Err(Errno::EFAULT);
    }
    let old_end = old + old_len;
    if flags & MREMAP_FIXED == 0 {
        if new_len <= old_len {
            if new_len < old_len {
                vm.unmap(old + new_len, old_end)?;
            }
            return Ok(old);
        }
        // Grow in place when the following range is free.
        let grow_end = old + new_len;
        if Vm::allowed(old, grow_end)
            && !vm.vmas.overlaps(old_end, grow_end)
            && (grow_end <= vm.brk_start || old_end >= vm.brk_limit)
        {
            if old_end >= WINDOW_START {
                // The reservation occupies the range: give it back so the host can grow into it.
                // SAFETY: reserved window space the kernel owns.
                unsafe { host::munmap(old_end as usize, (grow_end - old_end) as usize) }?;
            }
            // SAFETY: growing an app mapping in place.
            let r = unsafe {
                host::call(
                    junction_abi::SYS_MREMAP,
                    host::args!(old, old_len, new_len, 0, 0),
                )
            };
            if r.is_ok() {
                let mut grown = vma.clone();
                grown.start = old;
                grown.end = grow_end;
                if let Backing::File { offset, .. } = &mut grown.backing {
                    *offset += old - vma.start;
                }
                vm.vmas.insert(grown);
                return Ok(old);
            }
            mm::release(old_end, grow_end)?;
        }
        if flags & MREMAP_MAYMOVE == 0 {
            return Err(Errno::ENOMEM);
        }
    }
    let target = if flags & MREMAP_FIXED != 0 {
        if !page_aligned(new_addr) || !Vm::allowed(new_addr, new_addr + new_len) {
            return Err(Errno::EINVAL);
        }
        new_addr
    } else {
        vm.find_free(new_len, false)?
    };
    // SAFETY: moving an app mapping to a range the kernel chose (replacing the reservation).
    unsafe {
        host::call(
            junction_abi::SYS_MREMAP,
            host::args!(old, old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, target),
        )
    }?;
    let mut moved = vma.clone();
    if let Backing::File { offset, .. } = &mut moved.backing {
        *offset += old - vma.start;
    }
    moved.start = target;
    moved.end = target + new_len;
    vm.vmas.remove(old, old_end);
    vm.vmas.insert(moved);
    mm::release(old, old_end)?;
    Ok(target)
}

pub fn madvise(a: &Args) -> Result<u64, Errno> {
    let (start, end) = range(a[0], a[1].max(1))?;
    if a[1] == 0 {
        return Ok(0);
    }
    if !state::lock().vm.vmas.covers(start, end, 0) {
        return Err(Errno::ENOMEM);
    }
    // Page residency is the host's: the advice is passed on for a range the app owns.
    // SAFETY: app memory covered by the VMA map.
    unsafe {
        host::call(
            junction_abi::SYS_MADVISE,
            host::args!(start, end - start, a[2]),
        )
    }
    .map(|_| 0)
}

const MS_ASYNC: u64 = 1;
const MS_INVALIDATE: u64 = 2;
const MS_SYNC: u64 = 4;

/// msync: shared file mappings live in the host's page cache, so the flush is the host's.
pub fn msync(a: &Args) -> Result<u64, Errno> {
    let flags = a[2];
    if flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0
        || flags & (MS_ASYNC | MS_SYNC) == (MS_ASYNC | MS_SYNC)
        || !page_aligned(a[0])
    {
        return Err(Errno::EINVAL);
    }
    if a[1] == 0 {
        return Ok(0);
    }
    let (start, end) = range(a[0], a[1])?;
    if !state::lock().vm.vmas.covers(start, end, 0) {
        return Err(Errno::ENOMEM);
    }
    host::msync(start as usize, (end - start) as usize, flags as u32).map(|_| 0)
}

pub fn brk(a: &Args) -> Result<u64, Errno> {
    let mut k = state::lock();
    let vm = &mut k.vm;
    let want = a[0];
    if want < vm.brk_start || want > vm.brk_limit {
        return Ok(vm.brk);
    }
    let old_top = page_up(vm.brk).unwrap_or(vm.brk);
    let new_top = page_up(want).unwrap_or(want);
    if new_top > old_top {
        if vm.vmas.overlaps(old_top, new_top) {
            return Ok(vm.brk);
        }
        let heap = Vma {
            start: old_top,
            end: new_top,
            prot: 3,
            shared: false,
            backing: Backing::Heap,
        };
        if vm
            .map_fixed(heap, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            .is_err()
        {
            return Ok(vm.brk);
        }
    } else if new_top < old_top && vm.unmap(new_top, old_top).is_err() {
        return Ok(vm.brk);
    }
    vm.brk = want;
    Ok(want)
}
