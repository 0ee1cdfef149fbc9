//! The in-memory tmpfs mounted at `/tmp`: the kernel owns the tree (names, inodes, modes,
//! owners, times, sizes); each regular file's bytes live in a host memfd, so the file can be
//! mmap'd (private or shared) like any other. Symlinks are inodes of their own: the VFS
//! follows them (`Tmpfs::follow`), so the rest of the tmpfs looks paths up lexically. Hard
//! links share one inode under several names. Extended attributes are not supported
//! (docs/compat.md says so).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use junction_abi::{
    structs::{Stat, Statfs, Timespec},
    Errno,
};

use super::attr::{self, Caller, Change, Owned, Time};
use super::dir::{dtype_of, put_dirent, DirEntry, DT_DIR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use super::file::{
    FileOps, OpenFile, O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_PATH, O_RDONLY, O_TMPFILE,
    O_TRUNC,
};
use crate::host;
use crate::sync::SpinLock;

/// Linux's TMPFS_MAGIC, as statfs reports it.
pub const TMPFS_MAGIC: i64 = 0x0102_1994;
const NAME_MAX: usize = 255;
const RENAME_NOREPLACE: u64 = 1;
const S_IFSOCK: u32 = 0o140000;

#[derive(Debug, Clone, Copy)]
struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u64,
    size: u64,
    atime: Timespec,
    mtime: Timespec,
    ctime: Timespec,
}

#[derive(Debug)]
struct DirTable {
    /// Entries in creation order: the key is the getdents cookie, so a listing survives
    /// entries being added or removed while it is read.
    by_cookie: BTreeMap<u64, (String, Arc<Inode>)>,
    by_name: BTreeMap<String, u64>,
    next_cookie: u64,
    parent_ino: u64,
}

#[derive(Debug)]
enum Kind {
    Dir(SpinLock<DirTable>),
    /// The memfd holding the bytes (closed when the last reference goes).
    File(i32),
    /// A symbolic link: its target, as given to symlink(2).
    Symlink(Vec<u8>),
    /// The name of a unix socket bound here: the host socket behind it is reached by the
    /// inode number (crate::net::addr).
    Socket,
}

#[derive(Debug)]
pub struct Inode {
    ino: u64,
    dev: u64,
    meta: SpinLock<Meta>,
    kind: Kind,
    /// An O_TMPFILE file made without O_EXCL, not linked yet: linkat(AT_EMPTY_PATH) may
    /// give it a name although its link count is 0 (Linux's I_LINKABLE).
    linkable: AtomicBool,
}

/// Where a lookup must leave the path it was given: at a symlink in `dir` (relative to the
/// mount) saying `target`, with `rest` still to look up after it.
#[derive(Debug, PartialEq, Eq)]
pub struct Detour {
    pub dir: String,
    pub target: String,
    pub rest: String,
}

/// Linux's tmpfs keeps a symlink target of up to 128 bytes (with its NUL) in the inode and
/// a longer one in a page.
const SHORT_SYMLINK_LEN: u64 = 128;

impl Drop for Inode {
    fn drop(&mut self) {
        if let Kind::File(fd) = self.kind {
            let _ = host::close(fd);
        }
    }
}

fn now() -> Timespec {
    crate::time::clock_gettime(0).unwrap_or(Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    })
}

impl Inode {
    fn dir_table(&self) -> Result<&SpinLock<DirTable>, Errno> {
        match &self.kind {
            Kind::Dir(table) => Ok(table),
            Kind::File(_) | Kind::Symlink(_) | Kind::Socket => Err(Errno::ENOTDIR),
        }
    }

    fn is_dir(&self) -> bool {
        matches!(self.kind, Kind::Dir(_))
    }

    fn stat(&self) -> Stat {
        let m = *self.meta.lock();
        let mut st = Stat::zeroed();
        st.st_dev = self.dev;
        st.st_ino = self.ino;
        st.st_nlink = m.nlink;
        st.st_mode = m.mode;
        st.st_uid = m.uid;
        st.st_gid = m.gid;
        st.st_size = match &self.kind {
            // Linux's tmpfs counts 20 bytes per entry, "." and ".." included.
            Kind::Dir(table) => (table.lock().by_name.len() as i64 + 2) * 20,
            Kind::File(_) | Kind::Symlink(_) | Kind::Socket => m.size as i64,
        };
        st.st_blksize = 4096;
        st.st_blocks = match self.kind {
            Kind::Symlink(_) if m.size < SHORT_SYMLINK_LEN => 0,
            _ => (m.size.div_ceil(4096) * 8) as i64,
        };
        st.st_atime = m.atime.tv_sec;
        st.st_atime_nsec = m.atime.tv_nsec as u64;
        st.st_mtime = m.mtime.tv_sec;
        st.st_mtime_nsec = m.mtime.tv_nsec as u64;
        st.st_ctime = m.ctime.tv_sec;
        st.st_ctime_nsec = m.ctime.tv_nsec as u64;
        st
    }

    fn touch_modified(&self) {
        let t = now();
        let mut m = self.meta.lock();
        m.mtime = t;
        m.ctime = t;
    }

    /// Whether the caller may access the inode with `want` (r=4, w=2, x=1). The instance
    /// runs as the host user; root passes every check but execute-without-any-x-bit.
    fn may(&self, want: u32) -> bool {
        let m = *self.meta.lock();
        let euid = crate::start::host_aux().euid as u32;
        if euid == 0 {
            return want & 1 == 0 || m.mode & 0o111 != 0 || m.mode & S_IFMT == S_IFDIR;
        }
        let shift = if m.uid == euid { 6 } else { 0 };
        (m.mode >> shift) & want == want
    }

    /// chmod, chown or utimensat, by Linux's rules (`fs::attr`); ctime is always updated.
    pub fn change(&self, change: &Change) -> Result<(), Errno> {
        let may_write = self.may(2);
        let mut m = self.meta.lock();
        let owned = Owned {
            mode: m.mode,
            uid: m.uid,
            gid: m.gid,
        };
        let new = attr::apply(change, owned, Caller::current(), may_write)?;
        let t = now();
        (m.mode, m.uid, m.gid) = (new.mode, new.uid, new.gid);
        if let Change::Times(atime, mtime) = *change {
            let pick = |time: Time, old: Timespec| match time {
                Time::Omit => old,
                Time::Now => t,
                Time::At(at) => at,
            };
            m.atime = pick(atime, m.atime);
            m.mtime = pick(mtime, m.mtime);
        }
        m.ctime = t;
        Ok(())
    }

    /// truncate(2) of the inode a name leads to: only regular files, with write permission
    /// (an open file's own mode does not matter, unlike ftruncate).
    pub fn truncate_by_name(&self, len: u64) -> Result<(), Errno> {
        match self.kind {
            Kind::Dir(_) => Err(Errno::EISDIR),
            Kind::Symlink(_) | Kind::Socket => Err(Errno::EINVAL),
            Kind::File(_) if !self.may(2) => Err(Errno::EACCES),
            Kind::File(_) => self.truncate(len),
        }
    }

    /// Sets a regular file's size (its memfd's too).
    fn truncate(&self, len: u64) -> Result<(), Errno> {
        let Kind::File(fd) = self.kind else {
            return Err(Errno::EINVAL);
        };
        host::ftruncate(fd, len)?;
        self.meta.lock().size = len;
        self.touch_modified();
        Ok(())
    }

    /// Linux's protected_hardlinks (on by default): a caller may link a file it does not
    /// own only if it is a plain regular file it could read and write.
    fn may_link(&self) -> bool {
        let caller = Caller::current();
        let m = *self.meta.lock();
        let set_id = m.mode & 0o4000 != 0 || m.mode & 0o2010 == 0o2010;
        caller.privileged()
            || m.uid == caller.uid
            || (m.mode & S_IFMT == S_IFREG && !set_id && self.may(6))
    }
}

#[derive(Debug)]
pub struct Tmpfs {
    root: Arc<Inode>,
    dev: u64,
    next_ino: AtomicU64,
}

impl Tmpfs {
    pub fn new(dev: u64) -> Self {
        let fs = Tmpfs {
            root: Arc::new(Inode {
                ino: 1,
                dev,
                meta: SpinLock::new(new_meta(S_IFDIR | 0o1777, 2)),
                kind: Kind::Dir(SpinLock::new(DirTable::new(1))),
                linkable: AtomicBool::new(false),
            }),
            dev,
            next_ino: AtomicU64::new(2),
        };
        // The sticky, world-writable /tmp belongs to root, as on a host.
        let mut m = fs.root.meta.lock();
        m.uid = 0;
        m.gid = 0;
        drop(m);
        fs
    }

    fn new_inode(&self, mode: u32, kind: Kind) -> Arc<Inode> {
        let nlink = if mode & S_IFMT == S_IFDIR { 2 } else { 1 };
        Arc::new(Inode {
            ino: self.next_ino.fetch_add(1, Ordering::Relaxed),
            dev: self.dev,
            meta: SpinLock::new(new_meta(mode, nlink)),
            kind,
            linkable: AtomicBool::new(false),
        })
    }

    fn new_file(&self, mode: u32) -> Result<Arc<Inode>, Errno> {
        let fd = host::memfd_create(b"junction-tmpfs\0", 1 /* MFD_CLOEXEC */)?;
        Ok(self.new_inode(S_IFREG | (mode & 0o7777), Kind::File(fd)))
    }

    /// The inode at `rel` (relative to the mount, "" or "." for its root).
    pub fn lookup(&self, rel: &str) -> Result<Arc<Inode>, Errno> {
        let mut at = self.root.clone();
        for name in components(rel) {
            let table = at.dir_table()?;
            if !at.may(1) {
                return Err(Errno::EACCES);
            }
            let next = {
                let table = table.lock();
                let cookie = table.by_name.get(name).ok_or(Errno::ENOENT)?;
                table.by_cookie[cookie].1.clone()
            };
            at = next;
        }
        Ok(at)
    }

    /// The parent directory of `rel` and the last name (EBUSY for the mount's root).
    fn parent<'a>(&self, rel: &'a str) -> Result<(Arc<Inode>, &'a str), Errno> {
        let rel = rel.trim_matches('/');
        let (dir, name) = match rel.rfind('/') {
            Some(i) => (&rel[..i], &rel[i + 1..]),
            None => ("", rel),
        };
        if name.is_empty() || name == "." {
            return Err(Errno::EBUSY);
        }
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let parent = self.lookup(dir)?;
        parent.dir_table()?;
        Ok((parent, name))
    }

    /// The first symlink on the way to `rel` that a lookup must follow: every one before the
    /// last name, the last one only when `last`. None when there is none (whether or not the
    /// path exists: the operation itself reports a missing name).
    pub fn follow(&self, rel: &str, last: bool) -> Result<Option<Detour>, Errno> {
        let names: Vec<&str> = components(rel).collect();
        let mut at = self.root.clone();
        for (i, name) in names.iter().enumerate() {
            let table = at.dir_table()?;
            if !at.may(1) {
                return Err(Errno::EACCES);
            }
            let next = {
                let table = table.lock();
                match table.by_name.get(*name) {
                    Some(cookie) => table.by_cookie[cookie].1.clone(),
                    None => return Ok(None),
                }
            };
            if let Kind::Symlink(target) = &next.kind {
                if i + 1 < names.len() || last {
                    // The VFS names paths in UTF-8 only (path.rs: others are ENOENT).
                    let target = core::str::from_utf8(target).map_err(|_| Errno::ENOENT)?;
                    return Ok(Some(Detour {
                        dir: names[..i].join("/"),
                        target: String::from(target),
                        rest: names[i + 1..].join("/"),
                    }));
                }
            }
            at = next;
        }
        Ok(None)
    }

    pub fn stat(&self, rel: &str) -> Result<Stat, Errno> {
        self.lookup(rel).map(|inode| inode.stat())
    }

    /// readlink: the target of the symlink at `rel` (EINVAL for anything else).
    pub fn readlink(&self, rel: &str) -> Result<Vec<u8>, Errno> {
        match &self.lookup(rel)?.kind {
            Kind::Symlink(target) => Ok(target.clone()),
            _ => Err(Errno::EINVAL),
        }
    }

    /// chmod, chown or utimensat of the inode at `rel` (symlinks already followed or not).
    pub fn change(&self, rel: &str, change: &Change) -> Result<(), Errno> {
        self.lookup(rel)?.change(change)
    }

    /// truncate(2) by name.
    pub fn truncate(&self, rel: &str, len: u64) -> Result<(), Errno> {
        self.lookup(rel)?.truncate_by_name(len)
    }

    /// The directory a new name `rel` goes in, checked as Linux does: EEXIST when the name
    /// is taken (the mount's root is), then EACCES without write and search permission.
    fn new_name<'a>(&self, rel: &'a str) -> Result<(Arc<Inode>, &'a str), Errno> {
        let (parent, name) = self.parent(rel).map_err(|e| match e {
            Errno::EBUSY => Errno::EEXIST,
            e => e,
        })?;
        if parent.dir_table()?.lock().by_name.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        if !parent.may(3) {
            return Err(Errno::EACCES);
        }
        Ok((parent, name))
    }

    /// symlink(2): a new symlink at `rel` saying `target`.
    pub fn symlink(&self, target: &[u8], rel: &str) -> Result<(), Errno> {
        let (parent, name) = self.new_name(rel)?;
        let inode = self.new_inode(S_IFLNK | 0o777, Kind::Symlink(target.to_vec()));
        inode.meta.lock().size = target.len() as u64;
        link(&parent, name, inode)
    }

    /// link(2): `new` names the inode at `old` too (a symlink itself, not its target).
    pub fn link(&self, old: &str, new: &str) -> Result<(), Errno> {
        let inode = self.lookup(old)?;
        self.add_name(inode, new)
    }

    /// linkat(AT_EMPTY_PATH) of an open tmpfs file (`inode_of`): an unlinked file may get a
    /// name again only if it was made by O_TMPFILE without O_EXCL (and only once).
    pub fn link_open(&self, inode: Arc<Inode>, new: &str) -> Result<(), Errno> {
        if inode.meta.lock().nlink == 0 && !inode.linkable.load(Ordering::Relaxed) {
            return Err(Errno::ENOENT);
        }
        self.add_name(inode.clone(), new)?;
        inode.linkable.store(false, Ordering::Relaxed);
        Ok(())
    }

    fn add_name(&self, inode: Arc<Inode>, new: &str) -> Result<(), Errno> {
        let (parent, name) = self.new_name(new)?;
        if inode.is_dir() {
            return Err(Errno::EPERM);
        }
        if !inode.may_link() {
            return Err(Errno::EPERM);
        }
        link(&parent, name, inode.clone())?;
        let mut m = inode.meta.lock();
        m.nlink += 1;
        m.ctime = now();
        Ok(())
    }

    /// openat on the tmpfs: O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY and O_TMPFILE.
    pub fn open(&self, rel: &str, flags: u32, mode: u32) -> Result<Box<dyn FileOps>, Errno> {
        let accmode = flags & O_ACCMODE;
        if flags & O_TMPFILE == O_TMPFILE {
            if accmode == O_RDONLY {
                return Err(Errno::EINVAL);
            }
            let dir = self.lookup(rel)?;
            dir.dir_table()?;
            if !dir.may(3) {
                return Err(Errno::EACCES);
            }
            let file = self.new_file(mode)?;
            file.meta.lock().nlink = 0;
            file.linkable.store(flags & O_EXCL == 0, Ordering::Relaxed);
            return Ok(Box::new(TmpFile { inode: file }));
        }
        let inode = match self.lookup(rel) {
            Ok(inode) => {
                if flags & O_CREAT != 0 && flags & O_EXCL != 0 {
                    return Err(Errno::EEXIST);
                }
                inode
            }
            Err(Errno::ENOENT) if flags & O_CREAT != 0 => {
                if flags & O_DIRECTORY != 0 {
                    return Err(Errno::EINVAL);
                }
                let (parent, name) = self.parent(rel)?;
                if !parent.may(3) {
                    return Err(Errno::EACCES);
                }
                let file = self.new_file(mode)?;
                link(&parent, name, file.clone())?;
                file
            }
            Err(e) => return Err(e),
        };
        if inode.is_dir() {
            if accmode != O_RDONLY || flags & O_TRUNC != 0 {
                return Err(Errno::EISDIR);
            }
            return Ok(Box::new(TmpDir { inode }));
        }
        if flags & O_DIRECTORY != 0 {
            return Err(Errno::ENOTDIR);
        }
        // The VFS has followed every symlink it had to: one here is the last name, opened
        // with O_NOFOLLOW.
        if let Kind::Symlink(_) = inode.kind {
            if flags & O_PATH == 0 {
                return Err(Errno::ELOOP);
            }
            return Ok(Box::new(TmpLink { inode }));
        }
        if flags & O_PATH != 0 {
            return Ok(Box::new(TmpFile { inode }));
        }
        if matches!(inode.kind, Kind::Socket) {
            return Err(Errno::ENXIO);
        }
        let want = match accmode {
            O_RDONLY => 4,
            1 => 2,
            _ => 6,
        };
        if !inode.may(want) {
            return Err(Errno::EACCES);
        }
        let file = TmpFile { inode };
        if flags & O_TRUNC != 0 && accmode != O_RDONLY {
            file.truncate(0)?;
        }
        Ok(Box::new(file))
    }

    /// bind(2) of a unix socket to `rel`: a new socket inode (EADDRINUSE when the name is
    /// taken); its inode number names the host socket.
    pub fn mksock(&self, rel: &str, mode: u32) -> Result<u64, Errno> {
        let (parent, name) = self.parent(rel)?;
        if !parent.may(3) {
            return Err(Errno::EACCES);
        }
        let inode = self.new_inode(S_IFSOCK | (mode & 0o7777), Kind::Socket);
        let ino = inode.ino;
        link(&parent, name, inode).map_err(|e| match e {
            Errno::EEXIST => Errno::EADDRINUSE,
            e => e,
        })?;
        Ok(ino)
    }

    /// connect(2) to `rel`: the socket inode's number (ECONNREFUSED for other files).
    pub fn socket_ino(&self, rel: &str) -> Result<u64, Errno> {
        let inode = self.lookup(rel)?;
        match inode.kind {
            Kind::Socket if inode.may(2) => Ok(inode.ino),
            Kind::Socket => Err(Errno::EACCES),
            _ => Err(Errno::ECONNREFUSED),
        }
    }

    pub fn mkdir(&self, rel: &str, mode: u32) -> Result<(), Errno> {
        let (parent, name) = self.parent(rel)?;
        if !parent.may(3) {
            return Err(Errno::EACCES);
        }
        let dir = self.new_inode(
            S_IFDIR | (mode & 0o7777),
            Kind::Dir(SpinLock::new(DirTable::new(parent.ino))),
        );
        link(&parent, name, dir)?;
        parent.meta.lock().nlink += 1;
        Ok(())
    }

    /// unlink (dir = false) or rmdir (dir = true).
    pub fn remove(&self, rel: &str, dir: bool) -> Result<(), Errno> {
        let (parent, name) = self.parent(rel)?;
        if name == ".." {
            return Err(Errno::ENOTEMPTY);
        }
        if !parent.may(3) {
            return Err(Errno::EACCES);
        }
        let mut table = parent.dir_table()?.lock();
        let cookie = *table.by_name.get(name).ok_or(Errno::ENOENT)?;
        let victim = table.by_cookie[&cookie].1.clone();
        match (dir, victim.is_dir()) {
            (false, true) => return Err(Errno::EISDIR),
            (true, false) => return Err(Errno::ENOTDIR),
            (true, true) if !victim.dir_table()?.lock().by_name.is_empty() => {
                return Err(Errno::ENOTEMPTY)
            }
            _ => {}
        }
        table.by_name.remove(name);
        table.by_cookie.remove(&cookie);
        drop(table);
        let t = now();
        let mut m = victim.meta.lock();
        m.nlink = if dir { 0 } else { m.nlink.saturating_sub(1) };
        m.ctime = t;
        drop(m);
        let mut pm = parent.meta.lock();
        if dir {
            pm.nlink -= 1;
        }
        pm.mtime = t;
        pm.ctime = t;
        Ok(())
    }

    /// rename/renameat2 inside the tmpfs (RENAME_NOREPLACE; not RENAME_EXCHANGE yet).
    pub fn rename(&self, old: &str, new: &str, flags: u64) -> Result<(), Errno> {
        if flags & !RENAME_NOREPLACE != 0 {
            return Err(Errno::EINVAL);
        }
        let (old_parent, old_name) = self.parent(old)?;
        let (new_parent, new_name) = self.parent(new)?;
        if old_name == ".." || new_name == ".." {
            return Err(Errno::EBUSY);
        }
        if !old_parent.may(3) || !new_parent.may(3) {
            return Err(Errno::EACCES);
        }
        let moving = self.lookup(old)?;
        // A directory cannot move beneath itself.
        let (old_trim, new_trim) = (old.trim_matches('/'), new.trim_matches('/'));
        if moving.is_dir()
            && new_trim.starts_with(old_trim)
            && new_trim.as_bytes().get(old_trim.len()) == Some(&b'/')
        {
            return Err(Errno::EINVAL);
        }
        if let Ok(existing) = self.lookup(new) {
            if Arc::ptr_eq(&existing, &moving) {
                return Ok(());
            }
            if flags & RENAME_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            match (moving.is_dir(), existing.is_dir()) {
                (true, false) => return Err(Errno::ENOTDIR),
                (false, true) => return Err(Errno::EISDIR),
                _ => {}
            }
            self.remove(new, existing.is_dir())?;
        }
        let entry = {
            let mut table = old_parent.dir_table()?.lock();
            let cookie = table.by_name.remove(old_name).ok_or(Errno::ENOENT)?;
            table.by_cookie.remove(&cookie)
        };
        let Some((_, inode)) = entry else {
            return Err(Errno::ENOENT);
        };
        if inode.is_dir() && !Arc::ptr_eq(&old_parent, &new_parent) {
            old_parent.meta.lock().nlink -= 1;
            new_parent.meta.lock().nlink += 1;
            inode.dir_table()?.lock().parent_ino = new_parent.ino;
        }
        link(&new_parent, new_name, inode.clone())?;
        inode.meta.lock().ctime = now();
        old_parent.touch_modified();
        Ok(())
    }
}

/// The tmpfs inode behind an open file, if it is one.
pub fn inode_of(file: &OpenFile) -> Option<Arc<Inode>> {
    if let Some(f) = file.kind::<TmpFile>() {
        return Some(f.inode.clone());
    }
    if let Some(d) = file.kind::<TmpDir>() {
        return Some(d.inode.clone());
    }
    file.kind::<TmpLink>().map(|l| l.inode.clone())
}

/// statfs of the tmpfs.
pub fn statfs() -> Statfs {
    {
        let mut st = Statfs::zeroed();
        st.f_type = TMPFS_MAGIC;
        st.f_bsize = 4096;
        st.f_frsize = 4096;
        st.f_namelen = NAME_MAX as i64;
        // No quota yet: report the host's RAM as the size, as Linux's default tmpfs does
        // (half of it), with every block free except what the files use.
        let si = crate::start::host_sysinfo();
        let total = si.totalram.saturating_mul(u64::from(si.mem_unit.max(1))) / 2 / 4096;
        st.f_blocks = total;
        st.f_bfree = total;
        st.f_bavail = total;
        st.f_files = total;
        st.f_ffree = total;
        st
    }
}

fn new_meta(mode: u32, nlink: u64) -> Meta {
    let aux = crate::start::host_aux();
    let t = now();
    Meta {
        mode,
        uid: aux.euid as u32,
        gid: aux.egid as u32,
        nlink,
        size: 0,
        atime: t,
        mtime: t,
        ctime: t,
    }
}

fn components(rel: &str) -> impl Iterator<Item = &str> {
    rel.split('/').filter(|c| !c.is_empty() && *c != ".")
}

impl DirTable {
    fn new(parent_ino: u64) -> Self {
        DirTable {
            by_cookie: BTreeMap::new(),
            by_name: BTreeMap::new(),
            // 1 and 2 are "." and "..".
            next_cookie: 3,
            parent_ino,
        }
    }
}

/// Adds `name` → `inode` to the directory `parent` (EEXIST if taken).
fn link(parent: &Inode, name: &str, inode: Arc<Inode>) -> Result<(), Errno> {
    let mut table = parent.dir_table()?.lock();
    if table.by_name.contains_key(name) {
        return Err(Errno::EEXIST);
    }
    let cookie = table.next_cookie;
    table.next_cookie += 1;
    table.by_name.insert(String::from(name), cookie);
    table.by_cookie.insert(cookie, (String::from(name), inode));
    drop(table);
    parent.touch_modified();
    Ok(())
}

/// An open regular tmpfs file.
#[derive(Debug)]
pub struct TmpFile {
    inode: Arc<Inode>,
}

impl TmpFile {
    fn memfd(&self) -> i32 {
        match self.inode.kind {
            Kind::File(fd) => fd,
            Kind::Dir(_) | Kind::Symlink(_) | Kind::Socket => -1,
        }
    }
}

impl FileOps for TmpFile {
    fn pread(&self, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        let size = self.inode.meta.lock().size;
        if offset >= size {
            return Ok(0);
        }
        let len = buf.len().min((size - offset) as usize);
        host::pread(self.memfd(), &mut buf[..len], offset)
    }

    fn pwrite(&self, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        let end = offset.checked_add(buf.len() as u64).ok_or(Errno::EFBIG)?;
        let n = host::pwrite(self.memfd(), buf, offset)?;
        let t = now();
        let mut m = self.inode.meta.lock();
        m.size = m.size.max(end.min(offset + n as u64));
        m.mtime = t;
        m.ctime = t;
        Ok(n)
    }

    fn seekable_size(&self) -> Option<Result<u64, Errno>> {
        Some(Ok(self.inode.meta.lock().size))
    }

    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.inode.stat())
    }

    fn host_fd(&self) -> Option<i32> {
        Some(self.memfd())
    }

    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(statfs())
    }

    fn truncate(&self, len: u64) -> Result<(), Errno> {
        self.inode.truncate(len)
    }

    fn change(&self, change: &Change) -> Result<(), Errno> {
        self.inode.change(change)
    }
}

/// A tmpfs symlink opened with O_PATH | O_NOFOLLOW.
#[derive(Debug)]
pub struct TmpLink {
    inode: Arc<Inode>,
}

impl FileOps for TmpLink {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.inode.stat())
    }

    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(statfs())
    }

    fn change(&self, change: &Change) -> Result<(), Errno> {
        self.inode.change(change)
    }
}

/// An open tmpfs directory: getdents walks the entries by cookie.
#[derive(Debug)]
pub struct TmpDir {
    inode: Arc<Inode>,
}

impl FileOps for TmpDir {
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.inode.stat())
    }

    fn is_dir(&self) -> bool {
        true
    }

    fn statfs(&self) -> Result<Statfs, Errno> {
        Ok(statfs())
    }

    fn change(&self, change: &Change) -> Result<(), Errno> {
        self.inode.change(change)
    }

    fn getdents(&self, file: &OpenFile, buf: &mut [u8]) -> Result<usize, Errno> {
        let table = self.inode.dir_table()?.lock();
        let mut next = file.offset.lock();
        let mut used = 0;
        let dots = [(1u64, ".", self.inode.ino), (2, "..", table.parent_ino)];
        let dot_entries = dots.iter().map(|&(cookie, name, ino)| {
            (
                cookie,
                DirEntry {
                    name: String::from(name),
                    ino,
                    dtype: DT_DIR,
                },
            )
        });
        let children = table
            .by_cookie
            .range(*next..)
            .map(|(&cookie, (name, inode))| {
                (
                    cookie,
                    DirEntry {
                        name: name.clone(),
                        ino: inode.ino,
                        dtype: dtype_of(inode.meta.lock().mode),
                    },
                )
            });
        let pending: Vec<(u64, DirEntry)> = dot_entries
            .filter(|(cookie, _)| *cookie >= (*next).max(1))
            .chain(children)
            .collect();
        for (cookie, entry) in pending {
            if !put_dirent(buf, &mut used, &entry, cookie + 1) {
                if used == 0 {
                    return Err(Errno::EINVAL);
                }
                break;
            }
            *next = cookie + 1;
        }
        Ok(used)
    }

    fn dir_seek(&self, file: &OpenFile, offset: i64, whence: u32) -> Result<u64, Errno> {
        if whence != 0 || offset < 0 {
            return Err(Errno::EINVAL);
        }
        *file.offset.lock() = offset as u64;
        Ok(offset as u64)
    }
}
