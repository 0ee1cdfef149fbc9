//! App memory: the VMA map and the host mappings behind it.

pub mod layout;
pub mod vma;

use junction_abi::Errno;

use crate::host;
use layout::{page_up, PAGE, WINDOW_END, WINDOW_START};
use vma::{Backing, Vma, VmaMap};

pub const MAP_SHARED: u64 = 0x01;
pub const MAP_PRIVATE: u64 = 0x02;
pub const MAP_FIXED: u64 = 0x10;
pub const MAP_ANONYMOUS: u64 = 0x20;
pub const MAP_NORESERVE: u64 = 0x4000;
const MAP_FIXED_NOREPLACE: u64 = 0x100000;

/// The lowest address an app may map (Linux's default vm.mmap_min_addr is 64 KiB here).
pub const MIN_APP_ADDR: u64 = 0x10000;

#[derive(Debug)]
pub struct Vm {
    pub vmas: VmaMap,
    /// Where brk starts, where it is now, and the end of its reserved area.
    pub brk_start: u64,
    pub brk: u64,
    pub brk_limit: u64,
    /// Top-down mmap allocation starts below this.
    pub mmap_top: u64,
}

impl Vm {
    pub fn new(mmap_top: u64) -> Self {
        Vm {
            vmas: VmaMap::new(),
            brk_start: 0,
            brk: 0,
            brk_limit: 0,
            mmap_top,
        }
    }

    /// Ranges the free-space search must avoid besides mappings: the brk reserve.
    fn reserved(&self) -> [(u64, u64); 1] {
        [(self.brk_start, self.brk_limit)]
    }

    /// A free range of `len` bytes for a mapping without MAP_FIXED, top-down.
    pub fn find_free(&self, len: u64, below_2g: bool) -> Result<u64, Errno> {
        let (low, high) = if below_2g {
            (MIN_APP_ADDR, 0x8000_0000)
        } else {
            (WINDOW_START, self.mmap_top)
        };
        self.vmas
            .find_free_top_down(len, low, high, &self.reserved())
            .ok_or(Errno::ENOMEM)
    }

    /// Whether the app may place a mapping at `[start, end)`.
    pub fn allowed(start: u64, end: u64) -> bool {
        start >= MIN_APP_ADDR && end <= WINDOW_END && start < end
    }

    /// Maps anonymous or file memory at a fixed address and records it.
    pub fn map_fixed(
        &mut self,
        vma: Vma,
        host_flags: u64,
        fd: i32,
        offset: u64,
    ) -> Result<(), Errno> {
        let len = (vma.end - vma.start) as usize;
        // SAFETY: [start, end) is app address space the kernel manages (checked by callers
        // with `allowed`); whatever was there is replaced, as the app asked.
        unsafe {
            host::mmap(
                vma.start as usize,
                len,
                u64::from(vma.prot),
                host_flags | MAP_FIXED,
                fd,
                offset,
            )
        }?;
        self.vmas.insert(vma);
        Ok(())
    }

    /// Unmaps `[start, end)`: inside the window the range goes back to the PROT_NONE
    /// reservation, below it the host mapping is removed.
    pub fn unmap(&mut self, start: u64, end: u64) -> Result<(), Errno> {
        release(start, end)?;
        self.vmas.remove(start, end);
        Ok(())
    }
}

/// Gives `[start, end)` back to the reservation (in the window) or to the host (below it).
pub fn release(start: u64, end: u64) -> Result<(), Errno> {
    let mut at = start;
    while at < end {
        let piece_end = if at < WINDOW_START {
            end.min(WINDOW_START)
        } else {
            end
        };
        let len = (piece_end - at) as usize;
        // SAFETY: app memory the kernel manages.
        unsafe {
            if at >= WINDOW_START {
                host::mmap(
                    at as usize,
                    len,
                    0,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                    -1,
                    0,
                )?;
            } else {
                host::munmap(at as usize, len)?;
            }
        }
        at = piece_end;
    }
    Ok(())
}

/// Reserves the app window (PROT_NONE, no memory committed).
pub fn reserve_window() -> Result<(), Errno> {
    let len = (WINDOW_END - WINDOW_START) as usize;
    // SAFETY: FIXED_NOREPLACE fails rather than replace anything already mapped there.
    unsafe {
        host::mmap(
            WINDOW_START as usize,
            len,
            0,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
            -1,
            0,
        )
    }
    .map(|_| ())
}

/// Reserves `[start, start+len)` below the window (the brk area of a non-PIE program).
pub fn reserve_below_window(start: u64, len: u64) -> Result<(), Errno> {
    let end = (start + len).min(WINDOW_START);
    if end <= start {
        return Ok(());
    }
    // SAFETY: FIXED_NOREPLACE never replaces an existing mapping.
    unsafe {
        host::mmap(
            start as usize,
            (end - start) as usize,
            0,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
            -1,
            0,
        )
    }
    .map(|_| ())
}

/// A page-rounded length, EINVAL for 0 and ENOMEM when it overflows.
pub fn round_len(len: u64) -> Result<u64, Errno> {
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    page_up(len).ok_or(Errno::ENOMEM)
}

pub fn anon(start: u64, end: u64, prot: u32) -> Vma {
    Vma {
        start,
        end,
        prot,
        shared: false,
        backing: Backing::Anon,
    }
}

pub const fn page_aligned(x: u64) -> bool {
    x % PAGE == 0
}
