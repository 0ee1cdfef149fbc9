//! Time for the kernel and the app: the host's vDSO `clock_gettime`, called directly (it is
//! plain user code reading the host's time page), so clocks are served without a host call.
//! Where the vDSO falls back to a real syscall, that call is forwarded (arch::sigsys).

use core::sync::atomic::{AtomicUsize, Ordering};

use junction_abi::{structs::Timespec, Errno};
use junction_elf::{ElfFile, SymbolTableKind};

static VDSO_CLOCK_GETTIME: AtomicUsize = AtomicUsize::new(0);
static VDSO_CLOCK_GETRES: AtomicUsize = AtomicUsize::new(0);
static VDSO_TIME: AtomicUsize = AtomicUsize::new(0);

type ClockFn = unsafe extern "C" fn(i32, *mut Timespec) -> i32;

/// Finds the vDSO's functions. `image` is the mapped vDSO.
pub fn init(image: &[u8], base: u64) {
    let Ok(elf) = ElfFile::parse(image) else {
        return;
    };
    let Ok(symbols) = elf.symbols(SymbolTableKind::Dynsym) else {
        return;
    };
    // The vDSO is linked at 0; symbol values are offsets from its base.
    let first_vaddr = elf
        .program_headers()
        .iter()
        .filter(|p| p.p_type == 1)
        .map(|p| p.p_vaddr)
        .min()
        .unwrap_or(0);
    for sym in symbols {
        if sym.value == 0 {
            continue;
        }
        let addr = (base + sym.value - first_vaddr) as usize;
        match sym.name.as_str() {
            "__vdso_clock_gettime" => VDSO_CLOCK_GETTIME.store(addr, Ordering::Relaxed),
            "__vdso_clock_getres" => VDSO_CLOCK_GETRES.store(addr, Ordering::Relaxed),
            "__vdso_time" => VDSO_TIME.store(addr, Ordering::Relaxed),
            _ => {}
        }
    }
}

fn call(slot: &AtomicUsize, clock: i32) -> Result<Timespec, Errno> {
    let f = slot.load(Ordering::Relaxed);
    if f == 0 {
        return crate::host::clock_gettime(clock as u32);
    }
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: the address is the vDSO's own exported function with this C signature.
    let r = unsafe { core::mem::transmute::<usize, ClockFn>(f)(clock, &mut ts) };
    if r < 0 {
        Err(Errno::from_raw(-r).unwrap_or(Errno::EINVAL))
    } else {
        Ok(ts)
    }
}

pub fn clock_gettime(clock: i32) -> Result<Timespec, Errno> {
    call(&VDSO_CLOCK_GETTIME, clock)
}

pub fn clock_getres(clock: i32) -> Result<Timespec, Errno> {
    if VDSO_CLOCK_GETRES.load(Ordering::Relaxed) == 0 {
        return Err(Errno::ENOSYS);
    }
    call(&VDSO_CLOCK_GETRES, clock)
}

pub fn monotonic_ns() -> u64 {
    clock_gettime(1).map_or(0, |t| t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64)
}
