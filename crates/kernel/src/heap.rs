//! The kernel's heap: dlmalloc (the `dlmalloc` crate) over host `mmap`, behind a spin lock.
//!
//! The kernel cannot use a libc allocator (it links none) and its memory must come from
//! host calls the seccomp filter allows; dlmalloc lets us supply the system-memory source.
//! Kernel memory is placed by the host outside the app window (crate::mm::layout).

use core::alloc::{GlobalAlloc, Layout};

use dlmalloc::{Allocator, Dlmalloc};

use crate::host;
use crate::sync::SpinLock;

const PROT_RW: u64 = 0x3;
const MAP_PRIVATE_ANON: u64 = 0x02 | 0x20;
const MREMAP_MAYMOVE: usize = 1;

#[derive(Debug)]
struct HostPages;

// SAFETY: every region handed out is fresh, private, zeroed memory from host mmap.
unsafe impl Allocator for HostPages {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        // SAFETY: a fresh anonymous mapping at an address the host picks.
        match unsafe { host::mmap(0, size, PROT_RW, MAP_PRIVATE_ANON, -1, 0) } {
            Ok(addr) => (addr as *mut u8, size, 0),
            Err(_) => (core::ptr::null_mut(), 0, 0),
        }
    }

    fn remap(&self, ptr: *mut u8, oldsize: usize, newsize: usize, can_move: bool) -> *mut u8 {
        let flags = if can_move { MREMAP_MAYMOVE } else { 0 };
        // SAFETY: ptr/oldsize name a region this allocator mapped.
        match unsafe {
            host::call(
                junction_abi::SYS_MREMAP,
                host::args!(ptr, oldsize, newsize, flags),
            )
        } {
            Ok(addr) => addr as *mut u8,
            Err(_) => core::ptr::null_mut(),
        }
    }

    fn free_part(&self, ptr: *mut u8, oldsize: usize, newsize: usize) -> bool {
        // SAFETY: the tail of a region this allocator mapped.
        unsafe { host::munmap(ptr as usize + newsize, oldsize - newsize) }.is_ok()
    }

    fn free(&self, ptr: *mut u8, size: usize) -> bool {
        // SAFETY: a whole region this allocator mapped.
        unsafe { host::munmap(ptr as usize, size) }.is_ok()
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        true
    }

    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        4096
    }
}

static HEAP: SpinLock<Dlmalloc<HostPages>> = SpinLock::new(Dlmalloc::new_with_allocator(HostPages));

/// The `#[global_allocator]` of the kernel binary.
#[derive(Debug)]
pub struct KernelAllocator;

// SAFETY: dlmalloc's contract, serialised by the lock.
unsafe impl GlobalAlloc for KernelAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { HEAP.lock().malloc(layout.size(), layout.align()) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { HEAP.lock().calloc(layout.size(), layout.align()) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded.
        unsafe { HEAP.lock().free(ptr, layout.size(), layout.align()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe {
            HEAP.lock()
                .realloc(ptr, layout.size(), layout.align(), new_size)
        }
    }
}
