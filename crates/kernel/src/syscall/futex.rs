//! futex: forwarded. Waits and wakes on the app's futex words go to the host futex (the
//! words are in this process's memory), after the kernel checks the address.

use junction_abi::{structs::Timespec, Errno};

use super::Args;
use crate::{host, state, user};

const FUTEX_CMD_MASK: u64 = 0x7f;
const FUTEX_WAIT: u64 = 0;
const FUTEX_WAKE: u64 = 1;
const FUTEX_WAIT_BITSET: u64 = 9;
const FUTEX_WAKE_BITSET: u64 = 10;

pub fn futex(a: &Args) -> Result<u64, Errno> {
    let (addr, op) = (a[0], a[1]);
    if addr % 4 != 0 {
        return Err(Errno::EINVAL);
    }
    let timeout = {
        let k = state::lock();
        user::read::<u32>(&k.vm.vmas, addr)?;
        match op & FUTEX_CMD_MASK {
            FUTEX_WAIT | FUTEX_WAIT_BITSET if a[3] != 0 => {
                Some(user::read::<Timespec>(&k.vm.vmas, a[3])?)
            }
            FUTEX_WAIT | FUTEX_WAIT_BITSET | FUTEX_WAKE | FUTEX_WAKE_BITSET => None,
            _ => return Err(Errno::ENOSYS),
        }
    };
    let ts_ptr = timeout
        .as_ref()
        .map_or(0, |t| t as *const Timespec as usize);
    // SAFETY: the word is checked app memory; the timeout lives in kernel memory.
    unsafe {
        host::call(
            junction_abi::SYS_FUTEX,
            host::args!(addr, op, a[2], ts_ptr, 0, a[5]),
        )
    }
    .map(|v| v as u64)
}
