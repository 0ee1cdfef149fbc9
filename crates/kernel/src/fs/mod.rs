//! Files: the fd table, open-file objects and the kinds of file behind them, and the VFS
//! that turns app paths into open files: the root directory, `/dev`, `/proc` and the tmpfs
//! at `/tmp`.

pub mod anon_inode;
pub mod attr;
pub mod dev;
pub mod dir;
pub mod epoll;
pub mod eventfd;
pub mod fdtable;
pub mod file;
pub mod forward;
pub mod host_file;
pub mod lookup;
pub mod pipe;
pub mod proc;
pub mod socket;
pub mod tmpfs;
pub mod vfs;
