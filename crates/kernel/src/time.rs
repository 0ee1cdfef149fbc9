//! Time for the kernel and the app: the host's vDSO `clock_gettime`, called directly (it is
//! plain user code reading the host's time page), so clocks are served without a host call.
//! The clocks the vDSO cannot read from its page go to the host directly (see
//! [`vdso_answers`]).

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
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, aligned Timespec.
    unsafe { call_into(slot, clock, &mut ts) }?;
    // The vDSO stored the two fields separately: read them the same way, because one
    // 16-byte load of the pair cannot be forwarded from those stores and stalls.
    // SAFETY: plain reads of our own initialised local.
    unsafe {
        Ok(Timespec {
            tv_sec: core::ptr::read_volatile(&ts.tv_sec),
            tv_nsec: core::ptr::read_volatile(&ts.tv_nsec),
        })
    }
}

/// Has the vDSO function in `slot` write the time to `out` (the host's clock_gettime when
/// there is no vDSO).
///
/// # Safety
/// `out` must be valid for a write of a Timespec (alignment not needed).
unsafe fn call_into(slot: &AtomicUsize, clock: i32, out: *mut Timespec) -> Result<(), Errno> {
    let f = slot.load(Ordering::Relaxed);
    if f == 0 {
        let ts = crate::host::clock_gettime(clock as u32)?;
        // SAFETY: per the caller.
        unsafe { out.write_unaligned(ts) };
        return Ok(());
    }
    // SAFETY: the address is the vDSO's own exported function with this C signature; it
    // writes `out` as two 8-byte stores, which x86 allows unaligned.
    let r = unsafe { core::mem::transmute::<usize, ClockFn>(f)(clock, out) };
    if r < 0 {
        Err(Errno::from_raw(-r).unwrap_or(Errno::EINVAL))
    } else {
        Ok(())
    }
}

/// The clocks the x86-64 vDSO reads from its data page: REALTIME, MONOTONIC, MONOTONIC_RAW,
/// the two COARSE clocks, BOOTTIME and TAI. For the others (the CPU-time and ALARM clocks)
/// it executes a real `syscall`, outside the host module and with SIGSYS blocked while the
/// kernel serves a call: the host then kills the process with SIGSYS (`os.clock()` in Lua,
/// `time.process_time()` in Python).
fn vdso_answers(clock: i32) -> bool {
    matches!(clock, 0 | 1 | 4 | 5 | 6 | 7 | 11)
}

pub fn clock_gettime(clock: i32) -> Result<Timespec, Errno> {
    if !vdso_answers(clock) {
        return crate::host::clock_gettime(clock as u32);
    }
    call(&VDSO_CLOCK_GETTIME, clock)
}

/// [`clock_gettime`] written straight to `out`: the app's buffer, for the hot syscall.
///
/// # Safety
/// `out` must be valid for a write of a Timespec (alignment not needed).
pub unsafe fn clock_gettime_into(clock: i32, out: *mut Timespec) -> Result<(), Errno> {
    if !vdso_answers(clock) {
        let ts = crate::host::clock_gettime(clock as u32)?;
        // SAFETY: per the caller.
        unsafe { out.write_unaligned(ts) };
        return Ok(());
    }
    // SAFETY: per the caller.
    unsafe { call_into(&VDSO_CLOCK_GETTIME, clock, out) }
}

pub fn clock_getres(clock: i32) -> Result<Timespec, Errno> {
    if !vdso_answers(clock) {
        // clock_getres is not a host call. Linux gives 1 ns for the CPU-time clocks and the
        // high-resolution timer's 1 ns for the ALARM clocks, when the clock exists at all.
        crate::host::clock_gettime(clock as u32)?;
        return Ok(Timespec {
            tv_sec: 0,
            tv_nsec: 1,
        });
    }
    if VDSO_CLOCK_GETRES.load(Ordering::Relaxed) == 0 {
        return Err(Errno::ENOSYS);
    }
    call(&VDSO_CLOCK_GETRES, clock)
}

pub fn monotonic_ns() -> u64 {
    clock_gettime(1).map_or(0, |t| t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64)
}
