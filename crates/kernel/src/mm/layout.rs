//! Where app memory goes.
//!
//! All app mappings (PIE programs, the interpreter, mmap, the stack) live inside one window
//! that the kernel reserves at start-up with a PROT_NONE mapping, so the host never places
//! the kernel's own memory there and a fresh kernel can later map every recorded app address
//! (snapshots). Non-PIE programs are linked at fixed low addresses (0x400000), below the
//! window; their brk area is reserved right after them. ASLR: each base gets a random offset.

/// Lowest address of the app window (4 GiB: below it live non-PIE programs and MAP_32BIT).
pub const WINDOW_START: u64 = 0x1_0000_0000;
/// End of the app window. The host puts the kernel binary (a static-pie, at ~0x55..) and its
/// heap and stacks (top-down from ~0x7f..) above it.
pub const WINDOW_END: u64 = 0x5000_0000_0000;
/// The top of the app's main stack before randomisation.
pub const STACK_TOP: u64 = WINDOW_END - 0x1000_0000;
/// Where top-down mmap allocation starts before randomisation: below the stack's rlimit.
pub const MMAP_TOP: u64 = STACK_TOP - 0x4000_0000;
/// PIE programs before randomisation (Linux's ELF_ET_DYN_BASE is at 2/3 of the address
/// space; ours is inside the window).
pub const PIE_BASE: u64 = 0x2aaa_0000_0000;
/// How much address space brk may grow into.
pub const BRK_RESERVE: u64 = 64 << 30;
/// Random offsets are whole pages below 2^(12+RANDOM_BITS) (1 TiB with 28 bits, as Linux's
/// default mmap_rnd_bits).
pub const RANDOM_BITS: u32 = 28;
pub const PAGE: u64 = 4096;

pub const fn page_down(x: u64) -> u64 {
    x & !(PAGE - 1)
}

pub const fn page_up(x: u64) -> Option<u64> {
    match x.checked_add(PAGE - 1) {
        Some(v) => Some(v & !(PAGE - 1)),
        None => None,
    }
}

/// A random page-aligned offset below 2^(12+bits).
pub fn random_offset(bits: u32) -> u64 {
    let mut bytes = [0u8; 8];
    crate::host::random_bytes(&mut bytes);
    (u64::from_le_bytes(bytes) & ((1u64 << bits) - 1)) << 12
}
