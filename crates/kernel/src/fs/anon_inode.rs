//! The anonymous inode Linux gives files that have no name of their own (eventfd, epoll):
//! one inode shared by all of them, mode 0600 with no file type bits, owned by root, on the
//! anon_inodefs pseudo-filesystem.

use junction_abi::structs::Stat;

use super::dev::makedev;

/// anon_inodefs's device: 0:16 on a 6.x kernel with the usual boot order.
const DEV_MINOR: u64 = 16;
/// The shared inode's number (Linux gives it a small number at boot).
const INO: u64 = 1;

/// What fstat reports for any anonymous-inode file.
pub fn stat() -> Stat {
    let mut st = Stat::zeroed();
    st.st_mode = 0o600;
    st.st_nlink = 1;
    st.st_dev = makedev(0, DEV_MINOR);
    st.st_ino = INO;
    st.st_blksize = 4096;
    st
}

/// The name /proc/self/fd shows for such a file: `anon_inode:[eventfd]`.
pub fn name(kind: &str) -> alloc::string::String {
    alloc::format!("anon_inode:[{kind}]")
}
