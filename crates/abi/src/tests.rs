//! Table-driven tests of the generated tables and the lookups. The expected values are the
//! kernel's (arch/x86/entry/syscalls/syscall_64.tbl, asm-generic/errno*.h, asm/signal.h).

use super::*;

#[test]
fn syscall_numbers_and_names_agree_both_ways() {
    let known = [
        (0, "read"),
        (1, "write"),
        (9, "mmap"),
        (56, "clone"),
        (59, "execve"),
        (60, "exit"),
        (202, "futex"),
        (231, "exit_group"),
        (257, "openat"),
        (332, "statx"),
        (435, "clone3"),
        (437, "openat2"),
    ];
    for (nr, name) in known {
        assert_eq!(syscall_by_nr(nr).map(|s| s.name), Some(name), "nr {nr}");
        assert_eq!(syscall_by_name(name).map(|s| s.nr), Some(nr), "{name}");
    }
    assert_eq!(SYS_OPENAT, 257);
    assert_eq!(SYS_EXIT_GROUP, 231);
}

#[test]
fn holes_and_unknown_names_are_absent() {
    // 337..=423 are unused on x86-64; 512.. is x32.
    for nr in [337, 400, 423, 512, 100_000] {
        assert!(syscall_by_nr(nr).is_none(), "nr {nr}");
    }
    for name in ["", "sys_read", "READ", "open_at"] {
        assert!(syscall_by_name(name).is_none(), "{name:?}");
    }
}

#[test]
fn every_row_is_found_by_its_number_and_name() {
    for info in SYSCALLS {
        assert_eq!(syscall_by_nr(info.nr), Some(info));
        assert_eq!(syscall_by_name(info.name), Some(info));
    }
}

#[test]
fn argument_kinds_reference_the_right_sets_structs_and_arguments() {
    let openat = syscall_by_name("openat").unwrap();
    let kinds: [ArgKind; 4] = [
        ArgKind::Dirfd,
        ArgKind::Path,
        ArgKind::Flags(&sets::OPEN_FLAGS),
        ArgKind::Mode,
    ];
    assert_eq!(openat.args.len(), kinds.len());
    for (arg, kind) in openat.args.iter().zip(kinds) {
        assert_eq!(arg.kind, kind, "openat {}", arg.name);
    }
    assert_eq!(openat.ret, RetKind::Fd);

    let read = syscall_by_name("read").unwrap();
    assert_eq!(read.args[1].kind, ArgKind::OutBuf { len: 2 });

    let poll = syscall_by_name("poll").unwrap();
    match poll.args[0].kind {
        ArgKind::Struct { dir, layout, count } => {
            assert_eq!(dir, Direction::InOut);
            assert_eq!(layout.name, "pollfd");
            assert_eq!(count, StructCount::Array(1));
        }
        other => panic!("poll ufds is {other:?}"),
    }
    assert_eq!(syscall_by_name("exit").unwrap().ret, RetKind::NoReturn);
}

#[test]
fn errno_round_trips_through_raw_name_and_return_value() {
    for &errno in ERRNOS {
        assert_eq!(Errno::from_raw(errno.raw()), Some(errno));
        assert_eq!(Errno::from_name(errno.name()), Some(errno));
        assert_eq!(Errno::from_return(-i64::from(errno.raw())), Some(errno));
        assert!(!errno.message().is_empty());
    }
}

#[test]
fn known_errnos_have_their_numbers_and_messages() {
    let known = [
        (Errno::EPERM, 1, "Operation not permitted"),
        (Errno::ENOENT, 2, "No such file or directory"),
        (Errno::EAGAIN, 11, "Resource temporarily unavailable"),
        (Errno::ENOSYS, 38, "Function not implemented"),
        (Errno::EHWPOISON, 133, "Memory page has hardware error"),
    ];
    for (errno, raw, message) in known {
        assert_eq!(errno as i32, raw);
        assert_eq!(errno.message(), message);
    }
    assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
    assert_eq!(Errno::from_name("EDEADLOCK"), Some(Errno::EDEADLK));
    assert_eq!(EOPNOTSUPP, 95);
}

#[test]
fn raw_values_without_an_errno_are_rejected() {
    // 41 and 58 are holes in the errno numbering; 0 and positive returns are successes.
    for raw in [0, 41, 58, 134, 4095, -1] {
        assert_eq!(Errno::from_raw(raw), None, "{raw}");
    }
    for value in [0, 3, -4096, i64::MIN] {
        assert_eq!(Errno::from_return(value), None, "{value}");
    }
}

#[test]
fn signals_have_kernel_numbers_and_names() {
    let known = [
        (1, "SIGHUP"),
        (9, "SIGKILL"),
        (17, "SIGCHLD"),
        (31, "SIGSYS"),
        (32, "SIGRTMIN"),
        (35, "SIGRTMIN+3"),
        (63, "SIGRTMIN+31"),
        (64, "SIGRTMAX"),
    ];
    for (number, name) in known {
        assert_eq!(signal_name(number), Some(name), "{number}");
        assert_eq!(signal_by_name(name), Some(number), "{name}");
    }
    assert_eq!(signal_by_name("SIGIOT"), Some(SIGABRT));
    for number in [0, -1, 65, i32::MIN, i32::MAX] {
        assert_eq!(signal_name(number), None, "{number}");
    }
    assert_eq!(
        signal_by_number(15).map(|s| s.description),
        Some("Terminated")
    );
}

#[test]
fn constants_and_sets_agree() {
    let cases: [(&str, &str, u64); 6] = [
        ("open_flags", "O_CLOEXEC", 0o2000000),
        ("open_flags", "O_ACCMODE", 3),
        ("mmap_flags", "MAP_ANONYMOUS", 0x20),
        ("clone3_flags", "CLONE_INTO_CGROUP", 0x2_0000_0000),
        ("clock_id", "CLOCK_MONOTONIC", 1),
        ("rusage_who", "RUSAGE_CHILDREN", u64::MAX),
    ];
    for (set, name, value) in cases {
        assert_eq!(
            const_set(set).and_then(|s| s.value_of(name)),
            Some(value),
            "{set} {name}"
        );
    }
    assert_eq!(O_CLOEXEC, 0o2000000);
    assert_eq!(RUSAGE_CHILDREN, -1);
    assert_eq!(
        const_set("open_flags").map(|s| s.kind),
        Some(SetKind::Flags)
    );
    assert!(const_set("no_such_set").is_none());
}

#[test]
fn struct_layouts_match_their_rust_types() {
    let cases = [
        ("timespec", core::mem::size_of::<structs::Timespec>()),
        ("stat", core::mem::size_of::<structs::Stat>()),
        ("epoll_event", core::mem::size_of::<structs::EpollEvent>()),
        ("sockaddr_un", core::mem::size_of::<structs::SockaddrUn>()),
        (
            "linux_dirent64",
            core::mem::size_of::<structs::LinuxDirent64>(),
        ),
    ];
    for (name, size) in cases {
        assert_eq!(struct_layout(name).map(|l| l.size), Some(size), "{name}");
    }
    assert_eq!(struct_layout("epoll_event").map(|l| l.packed), Some(true));
}

#[test]
fn structs_decode_from_little_endian_bytes() {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&1i64.to_le_bytes());
    bytes[8..].copy_from_slice(&500i64.to_le_bytes());
    let ts = structs::Timespec::from_le_bytes(&bytes).unwrap();
    assert_eq!((ts.tv_sec, ts.tv_nsec), (1, 500));
    assert!(structs::Timespec::from_le_bytes(&bytes[..15]).is_none());

    // epoll_event is packed: data starts at byte 4.
    let mut event = [0u8; 12];
    event[..4].copy_from_slice(&0x1u32.to_le_bytes());
    event[4..].copy_from_slice(&0xdead_beef_u64.to_le_bytes());
    let decoded = structs::EpollEvent::from_le_bytes(&event).unwrap();
    assert_eq!({ decoded.events }, EPOLLIN as u32);
    assert_eq!({ decoded.data }, 0xdead_beef);
}
