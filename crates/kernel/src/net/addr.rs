//! Unix socket addresses: the instance's names are not the host's.
//!
//! - A path beneath the root directory is bound through an O_PATH fd of its parent
//!   (`/proc/self/fd/N/name`, resolved with RESOLVE_IN_ROOT, so short whatever the root's
//!   host path) and connected through an O_PATH fd of the socket file itself; only `--rw`
//!   paths can be bound (EROFS elsewhere).
//! - A path in the tmpfs cannot exist on the host: bind makes a socket inode in the tmpfs
//!   (stat and ls show it) and binds the host socket to an abstract name made from the
//!   instance's prefix and the inode number.
//! - Abstract names are prefixed per instance, so two instances (or an instance and the
//!   host) never meet through one.
//!
//! The host names the kernel binds are recorded with the instance's name for them, so the
//! addresses the host reports (getsockname, getpeername, accept, recvfrom) are given back
//! as the instance's. See docs/design/sockets.md.

use alloc::format;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;

use junction_abi::Errno;

use crate::fs::file::O_PATH;
use crate::fs::lookup::{self, Target};
use crate::fs::vfs::{absolute, Intent, Place};
use crate::host::{self, net::SockAddr};
use crate::state::Kernel;
use crate::sync::SpinLock;

pub const AF_UNIX: u16 = 1;
/// offsetof(struct sockaddr_un, sun_path).
const PATH_AT: usize = 2;
const SUN_PATH_MAX: usize = 108;

/// The host name chosen for a bind, before the host bound it.
#[derive(Debug)]
pub struct Bound {
    pub host: SockAddr,
    /// The O_PATH fd of the parent directory a root path was bound through: the host name
    /// mentions it, so it stays open (and unique) while the socket is bound.
    pub dir_fd: Option<i32>,
    /// The tmpfs socket inode bind made (removed again if the host bind fails).
    pub tmp_name: Option<alloc::string::String>,
}

impl Drop for Bound {
    fn drop(&mut self) {
        if let Some(fd) = self.dir_fd.take() {
            let _ = host::close(fd);
        }
    }
}

/// A name bound in the instance: the host's form and the app's. The socket bound to it
/// holds it, and so do the sockets whose address it is (accepted and connected ones), so
/// it stays translatable while any of them is open.
#[derive(Debug)]
pub struct Name {
    host: SockAddr,
    app: SockAddr,
    /// The parent directory's O_PATH fd that the host form mentions (root paths).
    dir_fd: Option<i32>,
}

impl Drop for Name {
    fn drop(&mut self) {
        if let Some(fd) = self.dir_fd {
            let _ = host::close(fd);
        }
    }
}

/// The names bound in this instance.
static NAMES: SpinLock<Vec<Weak<Name>>> = SpinLock::new(Vec::new());

/// The live name whose host form is `host_addr`.
pub fn find(host_addr: &SockAddr) -> Option<Arc<Name>> {
    let mut names = NAMES.lock();
    names.retain(|n| n.strong_count() > 0);
    names
        .iter()
        .filter_map(Weak::upgrade)
        .find(|n| n.host.as_bytes() == host_addr.as_bytes())
}

/// The instance's abstract-name prefix (made once, from random bytes).
static PREFIX: SpinLock<Option<[u8; 22]>> = SpinLock::new(None);

fn prefix() -> [u8; 22] {
    let mut slot = PREFIX.lock();
    if let Some(p) = *slot {
        return p;
    }
    let mut random = [0u8; 6];
    crate::random::fill(&mut random);
    // "\0junction-" + 12 hex digits: the abstract namespace starts with a NUL.
    let mut p = [0u8; 22];
    p[1..10].copy_from_slice(b"junction-");
    for (i, b) in random.iter().enumerate() {
        p[10 + 2 * i] = b"0123456789abcdef"[usize::from(b >> 4)];
        p[11 + 2 * i] = b"0123456789abcdef"[usize::from(b & 15)];
    }
    *slot = Some(p);
    p
}

/// A unix address with `sun_path` = `path`.
fn unix(path: &[u8]) -> Result<SockAddr, Errno> {
    if path.len() > SUN_PATH_MAX {
        return Err(Errno::EINVAL);
    }
    let mut bytes = Vec::with_capacity(PATH_AT + path.len());
    bytes.extend_from_slice(&AF_UNIX.to_ne_bytes());
    bytes.extend_from_slice(path);
    SockAddr::from_bytes(&bytes)
}

/// The host's abstract name for the instance's `tag` ('a' + an abstract name, 't' + a tmpfs
/// inode number).
fn abstract_name(tag: u8, rest: &[u8]) -> Result<SockAddr, Errno> {
    let mut path = prefix().to_vec();
    path.push(tag);
    path.extend_from_slice(rest);
    // Longer than the host allows: the app's name was too long to carry the prefix.
    unix(&path)
}

/// What an app's unix address says.
enum Parsed<'a> {
    Unnamed,
    Abstract(&'a [u8]),
    Path(&'a str),
}

fn parse(app: &SockAddr) -> Result<Parsed<'_>, Errno> {
    let bytes = app.as_bytes();
    if bytes.len() <= PATH_AT {
        return Ok(Parsed::Unnamed);
    }
    let path = &bytes[PATH_AT..];
    if path[0] == 0 {
        return Ok(Parsed::Abstract(&path[1..]));
    }
    let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
    // The VFS names paths in UTF-8 only.
    core::str::from_utf8(&path[..end])
        .map(Parsed::Path)
        .map_err(|_| Errno::ENOENT)
}

/// The app's address as Linux keeps it: a path up to its NUL, with the NUL counted.
fn canonical(app: &SockAddr) -> Result<SockAddr, Errno> {
    match parse(app)? {
        Parsed::Path(path) => {
            let mut bytes = path.as_bytes().to_vec();
            bytes.push(0);
            unix(&bytes)
        }
        _ => Ok(*app),
    }
}

fn proc_fd_name(fd: i32, name: &str) -> Result<SockAddr, Errno> {
    let path = if name.is_empty() {
        format!("/proc/self/fd/{fd}\0")
    } else {
        format!("/proc/self/fd/{fd}/{name}\0")
    };
    if path.len() > SUN_PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    unix(path.as_bytes())
}

/// The host name to bind for the app's unix address `app`; None for an unnamed address
/// (autobind, left to the host). `mode` is the socket file's mode (umask applied).
pub fn bind_name(k: &Kernel, app: &SockAddr, mode: u32) -> Result<Option<Bound>, Errno> {
    let host_name = match parse(app)? {
        Parsed::Unnamed => return Ok(None),
        Parsed::Abstract(name) => Bound {
            host: abstract_name(b'a', name)?,
            dir_fd: None,
            tmp_name: None,
        },
        Parsed::Path(path) => {
            // Links before the last name are followed, as for any name a call makes.
            let abs = lookup::parent(k, &absolute(&k.cwd, path))?;
            match k.vfs.place(&abs) {
                Place::Root(_) => {
                    let (dir_fd, name) =
                        k.vfs
                            .parent_for_write(&abs, Intent::Create)
                            .map_err(|e| match e {
                                Errno::EEXIST => Errno::EADDRINUSE,
                                e => e,
                            })?;
                    // Made first, so an error below closes the fd (Drop).
                    let mut bound = Bound {
                        host: SockAddr::empty(),
                        dir_fd: Some(dir_fd),
                        tmp_name: None,
                    };
                    bound.host = proc_fd_name(dir_fd, name)?;
                    bound
                }
                Place::Tmp(rel) => {
                    let ino = k.vfs.tmp.mksock(rel, mode)?;
                    Bound {
                        host: abstract_name(b't', format!("{ino:x}").as_bytes())?,
                        dir_fd: None,
                        tmp_name: Some(alloc::string::String::from(rel)),
                    }
                }
                Place::Proc(_) | Place::DevFd(_) | Place::DevMissing => return Err(Errno::ENOENT),
                Place::Dev(_) | Place::DevDir => return Err(Errno::EADDRINUSE),
            }
        }
    };
    Ok(Some(host_name))
}

/// After a failed host bind: the tmpfs name bind made goes again.
pub fn undo(k: &Kernel, bound: &Bound) {
    if let Some(rel) = &bound.tmp_name {
        let _ = k.vfs.tmp.remove(rel, false);
    }
}

/// After a successful bind: the host's own form of the name, remembered with the app's.
pub fn record(mut bound: Bound, host_form: SockAddr, app: &SockAddr) -> Result<Arc<Name>, Errno> {
    let app = canonical(app)?;
    let name = Arc::new(Name {
        host: host_form,
        app,
        dir_fd: bound.dir_fd.take(),
    });
    NAMES.lock().push(Arc::downgrade(&name));
    Ok(name)
}

/// The host address to connect or send to for the app's unix address, with an O_PATH fd
/// the caller closes after the call (root paths are named through it).
pub fn connect_name(k: &Kernel, app: &SockAddr) -> Result<(SockAddr, Option<i32>), Errno> {
    match parse(app)? {
        Parsed::Unnamed => Err(Errno::EINVAL),
        Parsed::Abstract(name) => Ok((abstract_name(b'a', name)?, None)),
        Parsed::Path(path) => {
            let abs = match lookup::target(k, &absolute(&k.cwd, path), true)? {
                Target::Path(abs) => abs,
                // An fd alias or a /proc file: no socket is bound there.
                Target::Fd(_) | Target::Proc(_) => return Err(Errno::ECONNREFUSED),
            };
            match k.vfs.place(&abs) {
                Place::Root(rel) => {
                    let fd = k.vfs.open_host(rel, O_PATH, 0)?;
                    match proc_fd_name(fd, "") {
                        Ok(name) => Ok((name, Some(fd))),
                        Err(e) => {
                            let _ = host::close(fd);
                            Err(e)
                        }
                    }
                }
                Place::Tmp(rel) => {
                    let ino = k.vfs.tmp.socket_ino(rel)?;
                    Ok((abstract_name(b't', format!("{ino:x}").as_bytes())?, None))
                }
                Place::Proc(_) | Place::DevFd(_) | Place::DevMissing => Err(Errno::ENOENT),
                Place::Dev(_) | Place::DevDir => Err(Errno::ECONNREFUSED),
            }
        }
    }
}

/// The instance's name for an address the host reported: a name bound in the instance
/// gets its instance form; the instance's own abstract names lose their prefix; anything
/// else (autobound names, sockets of host processes, other families) is passed through.
pub fn to_instance(host_addr: &SockAddr) -> SockAddr {
    if host_addr.family() != AF_UNIX {
        return *host_addr;
    }
    if let Some(name) = find(host_addr) {
        return name.app;
    }
    let path = &host_addr.as_bytes()[PATH_AT.min(host_addr.len)..];
    let p = prefix();
    if let Some(rest) = path.strip_prefix(&p[..]) {
        if let Some(name) = rest.strip_prefix(b"a") {
            let mut bytes = alloc::vec![0u8];
            bytes.extend_from_slice(name);
            if let Ok(addr) = unix(&bytes) {
                return addr;
            }
        }
    }
    *host_addr
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(path: &[u8]) -> SockAddr {
        unix(path).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn names_parse_as_linux_reads_them() {
        assert!(matches!(parse(&app(b"")), Ok(Parsed::Unnamed)));
        assert!(matches!(parse(&app(b"\0x")), Ok(Parsed::Abstract(b"x"))));
        assert!(matches!(
            parse(&app(b"/a/b\0junk")),
            Ok(Parsed::Path("/a/b"))
        ));
        assert_eq!(canonical(&app(b"rel\0\0\0")).map(|a| a.len), Ok(6));
    }

    #[test]
    fn a_recorded_name_is_given_back_while_someone_holds_it() {
        let host_form = app(b"/proc/self/fd/9/s\0");
        let bound = Bound {
            host: host_form,
            dir_fd: None,
            tmp_name: None,
        };
        let name =
            record(bound, host_form, &app(b"rel/s\0junk")).unwrap_or_else(|e| panic!("{e:?}"));
        let held = name.clone();
        assert_eq!(
            to_instance(&host_form).as_bytes(),
            app(b"rel/s\0").as_bytes()
        );
        drop(name);
        assert_eq!(
            to_instance(&host_form).as_bytes(),
            app(b"rel/s\0").as_bytes()
        );
        drop(held);
        assert_eq!(to_instance(&host_form).as_bytes(), host_form.as_bytes());
    }

    #[test]
    fn abstract_names_are_prefixed_and_given_back() {
        let host = abstract_name(b'a', b"srv").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(host.bytes[PATH_AT], 0);
        assert!(host.as_bytes().ends_with(b"asrv"));
        assert_eq!(to_instance(&host).as_bytes(), app(b"\0srv").as_bytes());
        // Too long once prefixed.
        assert_eq!(
            abstract_name(b'a', &[b'x'; 100]).map(|_| ()),
            Err(Errno::EINVAL)
        );
    }
}
