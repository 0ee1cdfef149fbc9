//! Clocks and sleeping. Clocks are read through the host's vDSO from the kernel (no host
//! call); sleeps are host waits.

use junction_abi::{
    structs::{Timespec, Timeval},
    Errno,
};

use super::Args;
use crate::{host, state, time, user};

const CLOCK_MAX: u64 = 11;
const TIMER_ABSTIME: u64 = 1;

fn check_clock(clock: u64) -> Result<i32, Errno> {
    let c = clock as i32;
    // Negative ids are CPU-time clocks of other pids/threads: not ours to serve yet.
    if c < 0 || clock > CLOCK_MAX || c == 10 {
        return Err(Errno::EINVAL);
    }
    Ok(c)
}

/// The hottest served call: the clock is written straight into the app's checked buffer.
pub fn clock_gettime(a: &Args) -> Result<u64, Errno> {
    let clock = check_clock(a[0])?;
    let out = user::out_ptr::<Timespec>(&state::lock().vm.vmas, a[1])?;
    // SAFETY: `out` is mapped writable app memory for a whole Timespec.
    unsafe { time::clock_gettime_into(clock, out) }?;
    Ok(0)
}

pub fn clock_getres(a: &Args) -> Result<u64, Errno> {
    let ts = time::clock_getres(check_clock(a[0])?)?;
    if a[1] != 0 {
        user::write(&state::lock().vm.vmas, a[1], &ts)?;
    }
    Ok(0)
}

pub fn gettimeofday(a: &Args) -> Result<u64, Errno> {
    let ts = time::clock_gettime(0)?;
    let k = state::lock();
    if a[0] != 0 {
        user::write(
            &k.vm.vmas,
            a[0],
            &Timeval {
                tv_sec: ts.tv_sec,
                tv_usec: ts.tv_nsec / 1000,
            },
        )?;
    }
    if a[1] != 0 {
        user::write(&k.vm.vmas, a[1], &0u64)?;
    }
    Ok(0)
}

pub fn time(a: &Args) -> Result<u64, Errno> {
    let ts = time::clock_gettime(0)?;
    if a[0] != 0 {
        user::write(&state::lock().vm.vmas, a[0], &(ts.tv_sec as u64))?;
    }
    Ok(ts.tv_sec as u64)
}

fn sleep(clock: u64, flags: u64, req: &Timespec, rem_addr: u64) -> Result<u64, Errno> {
    if req.tv_nsec < 0 || req.tv_nsec >= 1_000_000_000 || req.tv_sec < 0 {
        return Err(Errno::EINVAL);
    }
    let mut rem = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: req and rem are valid timespecs in kernel memory.
    let r = unsafe {
        host::call(
            junction_abi::SYS_CLOCK_NANOSLEEP,
            host::args!(
                clock,
                flags,
                req as *const Timespec,
                &mut rem as *mut Timespec
            ),
        )
    };
    if let (Err(Errno::EINTR), true) = (r, rem_addr != 0 && flags & TIMER_ABSTIME == 0) {
        user::write(&state::lock().vm.vmas, rem_addr, &rem)?;
    }
    r.map(|_| 0)
}

pub fn nanosleep(a: &Args) -> Result<u64, Errno> {
    let req: Timespec = user::read(&state::lock().vm.vmas, a[0])?;
    sleep(1, 0, &req, a[1])
}

pub fn clock_nanosleep(a: &Args) -> Result<u64, Errno> {
    let clock = check_clock(a[0])? as u64;
    let req: Timespec = user::read(&state::lock().vm.vmas, a[2])?;
    sleep(clock, a[1], &req, a[3])
}

/// alarm(0) cancels the pending SIGALRM timer and returns the seconds it had left. No timer
/// can be pending: arming one (alarm(n), setitimer) needs signal delivery to the app, which
/// the kernel does not have yet, so those are ENOSYS rather than a timer that never fires.
pub fn alarm(a: &Args) -> Result<u64, Errno> {
    if a[0] as u32 == 0 {
        Ok(0)
    } else {
        crate::trace::log_unsupported_once(junction_abi::SYS_ALARM as u64);
        Err(Errno::ENOSYS)
    }
}
