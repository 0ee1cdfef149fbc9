//! The TypeScript tests of `formatCall`/`formatReturn` (packages/syscalls/test/format-call.test.ts)
//! with the same inputs and the same expected strings, so both printers stay in step; plus a
//! few cases for what only the Rust side has (chunked reads, closures as readers).

extern crate std;

use std::cell::RefCell;
use std::string::String;
use std::vec::Vec;
use std::{format, vec};

use super::*;
use crate::syscall_by_name;

/// A register as the TypeScript tests write it: any integer, negative ones wrap like a register.
type Reg = i128;

const STACK: Reg = 0x7ffc_1000_0000;
const HEAP: Reg = 0x5555_0000_0000;

/// A fake application address space: byte regions placed at addresses; a read that leaves a
/// region fails like a read of unmapped memory.
#[derive(Debug, Default)]
struct FakeMemory {
    regions: Vec<(u64, Vec<u8>)>,
    /// Every read the printer made, to check it never reads where it should not.
    reads: RefCell<Vec<(u64, usize)>>,
}

impl FakeMemory {
    fn place(&mut self, addr: Reg, bytes: &[u8]) -> Reg {
        self.regions.push((addr as u64, bytes.to_vec()));
        addr
    }

    /// A NUL-terminated string.
    fn string(&mut self, addr: Reg, text: &str) -> Reg {
        self.place(addr, format!("{text}\0").as_bytes())
    }

    /// Little-endian integers of the given byte widths, back to back.
    fn ints(&mut self, addr: Reg, values: &[(Reg, usize)]) -> Reg {
        let bytes: Vec<u8> = values
            .iter()
            .flat_map(|&(value, size)| (value as u64).to_le_bytes().into_iter().take(size))
            .collect();
        self.place(addr, &bytes)
    }
}

impl MemoryReader for FakeMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> bool {
        self.reads.borrow_mut().push((addr, buf.len()));
        for (start, bytes) in &self.regions {
            let from = addr.wrapping_sub(*start) as usize;
            let inside = addr >= *start
                && from
                    .checked_add(buf.len())
                    .is_some_and(|end| end <= bytes.len());
            if inside {
                buf.copy_from_slice(&bytes[from..from + buf.len()]);
                return true;
            }
        }
        false
    }
}

fn nr(name: &str) -> usize {
    syscall_by_name(name)
        .unwrap_or_else(|| panic!("no syscall {name}"))
        .nr
}

fn regs(args: &[Reg]) -> [u64; 6] {
    let mut regs = [0; 6];
    for (reg, &arg) in regs.iter_mut().zip(args) {
        *reg = arg as u64;
    }
    regs
}

fn call(
    nr: usize,
    args: &[Reg],
    mem: Option<&dyn MemoryReader>,
    options: &FormatOptions,
) -> String {
    let mut out = String::new();
    format_call_with(&mut out, nr, &regs(args), mem, options).expect("a String never fails");
    out
}

fn ret(name: &str, value: Reg) -> String {
    let mut out = String::new();
    format_return(&mut out, nr(name), value as u64).expect("a String never fails");
    out
}

/// One table: (title, syscall, registers, expected). Every mismatch is reported, not just the first.
type Case<'a> = (&'a str, &'a str, &'a [Reg], &'a str);

fn check(mem: &FakeMemory, cases: &[Case<'_>]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(title, name, args, expected)| {
            let got = call(nr(name), args, Some(mem), &FormatOptions::DEFAULT);
            (got != expected).then(|| format!("{title}:\n  expected {expected}\n  got      {got}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fds_paths_and_flags() {
    let mut mem = FakeMemory::default();
    let passwd = mem.string(HEAP, "/etc/passwd");
    check(
        &mem,
        &[
            (
                "openat with AT_FDCWD",
                "openat",
                &[-100, passwd, 0o2000000, 0],
                r#"openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)"#,
            ),
            (
                "openat, dirfd as a register value",
                "openat",
                &[0xffff_ff9c, passwd, 0o1101, 0o644],
                r#"openat(AT_FDCWD, "/etc/passwd", O_WRONLY|O_CREAT|O_TRUNC, 0644)"#,
            ),
            (
                "open with O_SYNC not split into O_DSYNC",
                "open",
                &[passwd, 0o4010002, 0o600],
                r#"open("/etc/passwd", O_RDWR|O_SYNC)"#,
            ),
            (
                "open with an unknown flag bit",
                "open",
                &[passwd, 0x4000_0000, 0],
                r#"open("/etc/passwd", O_RDONLY|0x40000000)"#,
            ),
            (
                "open with O_TMPFILE shows its mode",
                "open",
                &[passwd, 0o20200002, 0o600],
                r#"open("/etc/passwd", O_RDWR|O_TMPFILE, 0600)"#,
            ),
            (
                "open with O_DIRECTORY alone hides it",
                "open",
                &[passwd, 0o200000, 0o600],
                r#"open("/etc/passwd", O_RDONLY|O_DIRECTORY)"#,
            ),
            (
                "creat mode 0",
                "creat",
                &[passwd, 0],
                r#"creat("/etc/passwd", 000)"#,
            ),
            ("close", "close", &[3], "close(3)"),
            ("dup2", "dup2", &[3, 1], "dup2(3, 1)"),
            (
                "lseek with a negative offset",
                "lseek",
                &[3, -16, 2],
                "lseek(3, -16, SEEK_END)",
            ),
            (
                "lseek with an unknown whence",
                "lseek",
                &[3, 0, 9],
                "lseek(3, 0, 0x9)",
            ),
            (
                "unlinkat",
                "unlinkat",
                &[5, passwd, 0x200],
                r#"unlinkat(5, "/etc/passwd", AT_REMOVEDIR)"#,
            ),
            (
                "access F_OK (a zero flag value)",
                "access",
                &[passwd, 0],
                r#"access("/etc/passwd", F_OK)"#,
            ),
            (
                "access R_OK|X_OK",
                "access",
                &[passwd, 5],
                r#"access("/etc/passwd", R_OK|X_OK)"#,
            ),
            ("fchmod", "fchmod", &[4, 0o4755], "fchmod(4, 04755)"),
            (
                "fchown with -1 ids",
                "fchown",
                &[4, 0xffff_ffff, -1],
                "fchown(4, -1, -1)",
            ),
            ("path NULL", "chdir", &[0], "chdir(NULL)"),
            (
                "path the reader cannot read",
                "chdir",
                &[0xdead_0000],
                "chdir(0xdead0000)",
            ),
        ],
    );
}

#[test]
fn memory_sizes_and_signals() {
    let mut mem = FakeMemory::default();
    let hello = mem.place(HEAP, b"hello\n");
    let mut elf_bytes = vec![0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0];
    elf_bytes.extend([0; 40]);
    let elf = mem.place(HEAP + 0x1000, &elf_bytes);
    let set = mem.ints(STACK, &[((1 << 1) | (1 << 14), 8)]); // SIGINT (2) and SIGTERM (15)
    let long_write = format!(r#"write(1, "\177ELF\2\1\1{}"..., 48)"#, r"\0".repeat(25));
    check(
        &mem,
        &[
            (
                "mmap anonymous",
                "mmap",
                &[0, 8192, 3, 0x22, -1, 0],
                "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
            ),
            (
                "mmap PROT_NONE fixed",
                "mmap",
                &[0x7f00_0000_0000, 4096, 0, 0x32, -1, 0],
                "mmap(0x7f0000000000, 4096, PROT_NONE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0)",
            ),
            (
                "mprotect",
                "mprotect",
                &[0x7f00_0000_0000, 4096, 5],
                "mprotect(0x7f0000000000, 4096, PROT_READ|PROT_EXEC)",
            ),
            (
                "read before the call: buffer as address",
                "read",
                &[3, STACK, 832],
                "read(3, 0x7ffc10000000, 832)",
            ),
            ("write a short buffer", "write", &[1, hello, 6], r#"write(1, "hello\n", 6)"#),
            ("write a buffer longer than 32 bytes", "write", &[1, elf, 48], &long_write),
            (
                "write from memory the reader refuses",
                "write",
                &[1, 0xdead_0000, 6],
                "write(1, 0xdead0000, 6)",
            ),
            (
                "rt_sigprocmask",
                "rt_sigprocmask",
                &[0, set, 0, 8],
                "rt_sigprocmask(SIG_BLOCK, [INT TERM], NULL, 8)",
            ),
            ("kill", "kill", &[1234, 15], "kill(1234, SIGTERM)"),
            ("kill with signal 0", "kill", &[1234, 0], "kill(1234, 0)"),
            ("tgkill with a real-time signal", "tgkill", &[10, 11, 35], "tgkill(10, 11, SIGRTMIN+3)"),
            (
                "clone",
                "clone",
                &[0x01200011, 0, 0, 0x7f00_0000_1000, 0],
                "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7f0000001000, NULL)",
            ),
            (
                "socket",
                "socket",
                &[2, 0x80801, 0],
                "socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0)",
            ),
            (
                "futex",
                "futex",
                &[0x7f00_0000_2000, 0x80, 0, 0, 0, 0],
                "futex(0x7f0000002000, FUTEX_WAIT|FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0)",
            ),
            (
                "madvise",
                "madvise",
                &[0x7f00_0000_0000, 8192, 4],
                "madvise(0x7f0000000000, 8192, MADV_DONTNEED)",
            ),
            ("exit_group", "exit_group", &[0], "exit_group(0)"),
            (
                "getrusage with a negative enum value",
                "getrusage",
                &[-1, 0],
                "getrusage(RUSAGE_CHILDREN, NULL)",
            ),
        ],
    );
}

#[test]
fn structs() {
    let mut mem = FakeMemory::default();
    let ts = mem.ints(STACK, &[(1, 8), (500, 8)]);
    let pollfds = mem.ints(
        STACK + 0x100,
        &[(3, 4), (1, 2), (0, 2), (4, 4), (4, 2), (0, 2)],
    );
    let sockaddr_in = mem.ints(
        STACK + 0x200,
        &[(2, 2), (0x5000, 2), (0x0100007f, 4), (0, 8)],
    );
    let sockaddr_un = mem.place(STACK + 0x300, b"\x01\x00/run/x.sock\0");
    let event = mem.ints(STACK + 0x400, &[(0x80000001, 4), (0x2a, 8)]);
    check(
        &mem,
        &[
            (
                "nanosleep: in struct decoded, out struct as address",
                "nanosleep",
                &[ts, STACK + 0x800],
                "nanosleep({tv_sec=1, tv_nsec=500}, 0x7ffc10000800)",
            ),
            (
                "poll: an array of structs with flags fields",
                "poll",
                &[pollfds, 2, -1],
                "poll([{fd=3, events=POLLIN, revents=0}, {fd=4, events=POLLOUT, revents=0}], 2, -1)",
            ),
            (
                "connect: sockaddr printed by its family",
                "connect",
                &[3, sockaddr_in, 16],
                "connect(3, {sin_family=AF_INET, sin_port=0x5000, sin_addr=0x100007f}, 16)",
            ),
            (
                "bind: a short sockaddr_un",
                "bind",
                &[3, sockaddr_un, 14],
                r#"bind(3, {sun_family=AF_UNIX, sun_path="/run/x.sock"}, 14)"#,
            ),
            (
                "epoll_ctl: a packed struct",
                "epoll_ctl",
                &[5, 1, 3, event],
                "epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLET, data=0x2a})",
            ),
            (
                "struct pointer the reader refuses",
                "nanosleep",
                &[0xdead_0000, 0],
                "nanosleep(0xdead0000, NULL)",
            ),
        ],
    );
    assert_eq!(
        call(nr("nanosleep"), &[ts, 0], None, &FormatOptions::DEFAULT),
        "nanosleep(0x7ffc10000000, NULL)",
        "without a reader every pointer is an address"
    );
}

#[test]
fn after_the_call() {
    let mut mem = FakeMemory::default();
    let buf = mem.place(
        STACK,
        b"root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:/sbin/nologin\n",
    );
    let ts = mem.ints(STACK + 0x1000, &[(1, 8), (500, 8)]);
    let pipe = mem.ints(STACK + 0x2000, &[(3, 4), (4, 4)]);
    let status = mem.ints(STACK + 0x3000, &[(0x100, 4)]);
    let exit = |value: Reg| FormatOptions::exit(value as u64);
    let named = FormatOptions {
        arg_names: true,
        ..FormatOptions::DEFAULT
    };
    let cases: &[(&str, &str, &[Reg], FormatOptions, &str)] = &[
        (
            "read shows the bytes the call returned, truncated at 32",
            "read",
            &[3, buf, 832],
            exit(59),
            r#"read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 832)"#,
        ),
        (
            "read of 4 bytes shows exactly those",
            "read",
            &[3, buf, 832],
            exit(4),
            r#"read(3, "root", 832)"#,
        ),
        (
            "clock_gettime decodes its out struct",
            "clock_gettime",
            &[1, ts],
            exit(0),
            "clock_gettime(CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=500})",
        ),
        (
            "a failed call leaves out pointers as addresses",
            "clock_gettime",
            &[99, ts],
            exit(-22),
            "clock_gettime(0x63, 0x7ffc10001000)",
        ),
        (
            "pipe2 decodes its fd pair",
            "pipe2",
            &[pipe, 0o2000000],
            exit(0),
            "pipe2({fd0=3, fd1=4}, O_CLOEXEC)",
        ),
        (
            "wait4 decodes an out int",
            "wait4",
            &[-1, status, 0, 0],
            exit(77),
            "wait4(-1, [256], 0, NULL)",
        ),
        (
            "argNames labels every argument",
            "clone",
            &[0x11, 0, 0, 0, 0],
            named,
            "clone(clone_flags=SIGCHLD, newsp=NULL, parent_tidptr=NULL, child_tidptr=NULL, tls=NULL)",
        ),
    ];
    for (title, name, args, options, expected) in cases {
        assert_eq!(
            call(nr(name), args, Some(&mem), options),
            *expected,
            "{title}"
        );
    }
}

#[test]
fn strings_and_arrays() {
    let mut mem = FakeMemory::default();
    let ls = mem.string(HEAP, "/bin/ls");
    let arg1 = mem.string(HEAP + 0x100, "-l");
    let tab = mem.string(HEAP + 0x200, "say \"hi\"\tnow");
    let argv = mem.ints(HEAP + 0x300, &[(ls, 8), (arg1, 8), (tab, 8), (0, 8)]);
    let envp = mem.ints(HEAP + 0x400, &[(0, 8)]);
    let long = mem.string(HEAP + 0x500, "abcdefghijklmnopqrstuvwxyz0123456789");
    let path5000 = mem.string(HEAP + 0x10000, &format!("/{}", "a".repeat(4999)));
    let cut_path = format!(r#"chdir("/{}"...)"#, "a".repeat(4095));
    let short = FormatOptions {
        string_limit: 4,
        ..FormatOptions::DEFAULT
    };
    let cases: &[(&str, &str, &[Reg], FormatOptions, &str)] = &[
        (
            "execve prints argv as a string array with escapes",
            "execve",
            &[ls, argv, envp],
            FormatOptions::DEFAULT,
            r#"execve("/bin/ls", ["/bin/ls", "-l", "say \"hi\"\tnow"], [])"#,
        ),
        (
            "a str argument is cut at 32 bytes",
            "memfd_create",
            &[long, 1],
            FormatOptions::DEFAULT,
            r#"memfd_create("abcdefghijklmnopqrstuvwxyz012345"..., MFD_CLOEXEC)"#,
        ),
        (
            "a path is shown up to PATH_MAX, then cut",
            "chdir",
            &[path5000],
            FormatOptions::DEFAULT,
            &cut_path,
        ),
        (
            "a stringLimit option changes the cut",
            "memfd_create",
            &[long, 0],
            short,
            r#"memfd_create("abcd"..., 0)"#,
        ),
    ];
    for (title, name, args, options, expected) in cases {
        assert_eq!(
            call(nr(name), args, Some(&mem), options),
            *expected,
            "{title}"
        );
    }
}

#[test]
fn unknown_numbers() {
    let cases: &[(&str, usize, &[Reg], &str)] = &[
        (
            "prints syscall_0x... with six hex registers",
            0x1234,
            &[1, 2, 0xff],
            "syscall_0x1234(0x1, 0x2, 0xff, 0x0, 0x0, 0x0)",
        ),
        (
            "treats a hole in the table as unknown",
            400,
            &[],
            "syscall_0x190(0x0, 0x0, 0x0, 0x0, 0x0, 0x0)",
        ),
    ];
    for (title, nr, args, expected) in cases {
        assert_eq!(
            call(*nr, args, None, &FormatOptions::DEFAULT),
            *expected,
            "{title}"
        );
    }
}

#[test]
fn format_return_values() {
    let cases: &[(&str, &str, Reg, &str)] = &[
        ("an fd", "openat", 3, "3"),
        (
            "ENOENT",
            "openat",
            -2,
            "-1 ENOENT (No such file or directory)",
        ),
        (
            "an error as an unsigned register",
            "read",
            0xffff_ffff_ffff_fff5,
            "-1 EAGAIN (Resource temporarily unavailable)",
        ),
        (
            "an errno without a name",
            "read",
            -600,
            "-1 ERRNO_600 (Unknown error 600)",
        ),
        ("an address", "mmap", 0x7f12_3456_7000, "0x7f1234567000"),
        ("a byte count", "write", 6, "6"),
        ("a call that does not return", "exit_group", 0, "?"),
        (
            "flags returned by personality",
            "personality",
            0x40000,
            "PER_LINUX|ADDR_NO_RANDOMIZE",
        ),
    ];
    for (title, name, value, expected) in cases {
        assert_eq!(ret(name, *value), *expected, "{title}");
    }
}

// Beyond the TypeScript tests: what the Rust side does differently to avoid allocating.

#[test]
fn long_values_are_read_in_chunks_with_the_same_output() {
    let mut mem = FakeMemory::default();
    // 700 bytes alternating '5' and 0x02: every escape depends on the byte after it, including
    // across the 512-byte chunk boundary.
    let pattern: Vec<u8> = (0..700)
        .map(|i| if i % 2 == 1 { 2 } else { b'5' })
        .collect();
    let buf = mem.place(HEAP, &pattern);
    // Ten bytes without a NUL, then unmapped memory: found by halving the refused reads.
    let unterminated = mem.place(HEAP + 0x10000, b"abcdefghij");
    // 70 pollfds are 560 bytes, more than one chunk.
    let pollfds: Vec<(Reg, usize)> = (0..70).flat_map(|fd| [(fd, 4), (1, 2), (0, 2)]).collect();
    let pollfds = mem.ints(HEAP + 0x20000, &pollfds);
    let items: Vec<String> = (0..70)
        .map(|fd| format!("{{fd={fd}, events=POLLIN, revents=0}}"))
        .collect();
    let long_buffer = format!(r#"write(1, "{}5\2"..., 700)"#, r"5\002".repeat(299));
    let all_polled = format!("poll([{}], 70, 0)", items.join(", "));
    let cut_polled = format!("poll([{}, ...], 71, 0)", items.join(", "));
    let wide = FormatOptions {
        string_limit: 600,
        array_limit: 70,
        ..FormatOptions::DEFAULT
    };
    let cases: &[(&str, &str, &[Reg], FormatOptions, &str)] = &[
        (
            "a 600-byte buffer",
            "write",
            &[1, buf, 700],
            wide,
            &long_buffer,
        ),
        (
            "a string that runs into unmapped memory",
            "memfd_create",
            &[unterminated, 0],
            FormatOptions::DEFAULT,
            r#"memfd_create("abcdefghij"..., 0)"#,
        ),
        (
            "a struct array over one chunk",
            "poll",
            &[pollfds, 70, 0],
            wide,
            &all_polled,
        ),
        (
            "the same, abbreviated",
            "poll",
            &[pollfds, 71, 0],
            wide,
            &cut_polled,
        ),
    ];
    for (title, name, args, options, expected) in cases {
        assert_eq!(
            call(nr(name), args, Some(&mem), options),
            *expected,
            "{title}"
        );
    }
}

#[test]
fn memory_the_kernel_writes_is_not_read_before_the_call() {
    let mut mem = FakeMemory::default();
    let ts = mem.ints(STACK, &[(1, 8), (500, 8)]);
    let out = mem.ints(STACK + 0x100, &[(0, 8), (0, 8)]);
    call(
        nr("read"),
        &[3, out, 832],
        Some(&mem),
        &FormatOptions::DEFAULT,
    );
    call(
        nr("nanosleep"),
        &[ts, out],
        Some(&mem),
        &FormatOptions::DEFAULT,
    );
    assert_eq!(*mem.reads.borrow(), [(STACK as u64, 16)]);
}

#[test]
fn a_closure_is_a_reader() {
    let text = b"/tmp\0";
    let reader = |addr: u64, buf: &mut [u8]| {
        let from = addr.wrapping_sub(0x1000) as usize;
        match text.get(from..from.saturating_add(buf.len())) {
            Some(bytes) => {
                buf.copy_from_slice(bytes);
                true
            }
            None => false,
        }
    };
    let mut out = String::new();
    format_call(
        &mut out,
        nr("chdir"),
        &[0x1000, 0, 0, 0, 0, 0],
        Some(&reader),
    )
    .expect("String");
    assert_eq!(out, r#"chdir("/tmp")"#);
}

#[test]
fn every_struct_layout_fits_one_chunk() {
    for layout in crate::structs::STRUCTS {
        assert!(
            layout.size <= memory::CHUNK,
            "{} is {} bytes",
            layout.name,
            layout.size
        );
    }
}
