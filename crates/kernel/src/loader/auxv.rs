//! The auxiliary vector: values the host gave the kernel (vDSO, hardware capabilities) that
//! the app must see too, and the numbers of the entries.

pub const AT_NULL: u64 = 0;
pub const AT_PHDR: u64 = 3;
pub const AT_PHENT: u64 = 4;
pub const AT_PHNUM: u64 = 5;
pub const AT_PAGESZ: u64 = 6;
pub const AT_BASE: u64 = 7;
pub const AT_FLAGS: u64 = 8;
pub const AT_ENTRY: u64 = 9;
pub const AT_UID: u64 = 11;
pub const AT_EUID: u64 = 12;
pub const AT_GID: u64 = 13;
pub const AT_EGID: u64 = 14;
pub const AT_PLATFORM: u64 = 15;
pub const AT_HWCAP: u64 = 16;
pub const AT_CLKTCK: u64 = 17;
pub const AT_SECURE: u64 = 23;
pub const AT_RANDOM: u64 = 25;
pub const AT_HWCAP2: u64 = 26;
pub const AT_EXECFN: u64 = 31;
pub const AT_SYSINFO_EHDR: u64 = 33;
pub const AT_MINSIGSTKSZ: u64 = 51;

/// The host's auxv entries the kernel passes on.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostAux {
    pub sysinfo_ehdr: u64,
    pub hwcap: u64,
    pub hwcap2: u64,
    pub clktck: u64,
    pub minsigstksz: u64,
    pub uid: u64,
    pub euid: u64,
    pub gid: u64,
    pub egid: u64,
}

/// Reads the kernel's own auxv, which starts after envp's NULL on the initial stack.
///
/// # Safety
/// `auxv` must point at the host-built auxiliary vector.
pub unsafe fn read_host(mut auxv: *const u64) -> HostAux {
    let mut aux = HostAux {
        clktck: 100,
        ..HostAux::default()
    };
    loop {
        // SAFETY: pairs until AT_NULL, per the caller.
        let (key, value) = unsafe { (*auxv, *auxv.add(1)) };
        match key {
            AT_NULL => break,
            AT_SYSINFO_EHDR => aux.sysinfo_ehdr = value,
            AT_HWCAP => aux.hwcap = value,
            AT_HWCAP2 => aux.hwcap2 = value,
            AT_CLKTCK => aux.clktck = value,
            AT_MINSIGSTKSZ => aux.minsigstksz = value,
            AT_UID => aux.uid = value,
            AT_EUID => aux.euid = value,
            AT_GID => aux.gid = value,
            AT_EGID => aux.egid = value,
            _ => {}
        }
        // SAFETY: not past AT_NULL.
        auxv = unsafe { auxv.add(2) };
    }
    aux
}
