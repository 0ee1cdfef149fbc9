//! Metadata changes (chmod, chown, utimensat) as one request, and Linux's rules for who may
//! make them (fs/attr.c `setattr_prepare`, `chown_ok`, `chgrp_ok`; fs/utimes.c), applied by
//! the kernel to the files whose metadata it owns. Files of the root directory are
//! forwarded to the host, which applies its own rules (`fs::forward`).

use junction_abi::{
    structs::{Stat, Timespec},
    Errno,
};

use super::dir::{S_IFDIR, S_IFLNK, S_IFMT};

pub const UTIME_NOW: i64 = (1 << 30) - 1;
pub const UTIME_OMIT: i64 = (1 << 30) - 2;
const S_ISUID: u32 = 0o4000;
const S_ISGID: u32 = 0o2000;
const S_IXGRP: u32 = 0o010;

/// One timestamp of a utimensat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Time {
    Omit,
    Now,
    At(Timespec),
}

impl Time {
    /// From utimensat's timespec (UTIME_NOW and UTIME_OMIT in tv_nsec); EINVAL for a
    /// nanosecond count outside 0..1e9.
    pub fn from_timespec(ts: Timespec) -> Result<Time, Errno> {
        match ts.tv_nsec {
            UTIME_NOW => Ok(Time::Now),
            UTIME_OMIT => Ok(Time::Omit),
            0..=999_999_999 => Ok(Time::At(ts)),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The timespec the host's utimensat takes for it.
    pub fn to_timespec(self) -> Timespec {
        match self {
            Time::Omit => Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_OMIT,
            },
            Time::Now => Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_NOW,
            },
            Time::At(ts) => ts,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The permission bits (the file type is kept).
    Mode(u32),
    /// New owner and group; None keeps one (-1 in the call).
    Owner(Option<u32>, Option<u32>),
    /// atime and mtime.
    Times(Time, Time),
}

/// Who asks: the instance runs with the host user's effective ids.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub uid: u32,
    pub gid: u32,
}

impl Caller {
    pub fn current() -> Caller {
        let aux = crate::start::host_aux();
        Caller {
            uid: aux.euid as u32,
            gid: aux.egid as u32,
        }
    }

    /// Root: CAP_FOWNER, CAP_CHOWN and CAP_FSETID, as the host grants them.
    pub fn privileged(&self) -> bool {
        self.uid == 0
    }

    fn owns(&self, file: &Owned) -> bool {
        self.uid == file.uid || self.privileged()
    }
}

/// The part of a file's metadata the rules read and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owned {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

impl Owned {
    pub fn of(st: &Stat) -> Owned {
        Owned {
            mode: st.st_mode,
            uid: st.st_uid,
            gid: st.st_gid,
        }
    }
}

/// Checks `change` against Linux's rules and returns the file's new mode, owner and group
/// (times are the caller's to set). `may_write`: whether the caller has write permission
/// (enough to set both times to now).
pub fn apply(
    change: &Change,
    file: Owned,
    caller: Caller,
    may_write: bool,
) -> Result<Owned, Errno> {
    let mut out = file;
    match *change {
        Change::Mode(mode) => {
            // Linux 6.6+ refuses to change a symlink's mode (fchmodat2 AT_SYMLINK_NOFOLLOW).
            if file.mode & S_IFMT == S_IFLNK {
                return Err(Errno::EOPNOTSUPP);
            }
            if !caller.owns(&file) {
                return Err(Errno::EPERM);
            }
            out.mode = (file.mode & S_IFMT) | (mode & 0o7777);
            if file.gid != caller.gid && !caller.privileged() {
                out.mode &= !S_ISGID;
            }
        }
        Change::Owner(uid, gid) => {
            if let Some(uid) = uid {
                let keeps = caller.uid == file.uid && uid == file.uid;
                if !keeps && !caller.privileged() {
                    return Err(Errno::EPERM);
                }
                out.uid = uid;
            }
            if let Some(gid) = gid {
                let owner_may = caller.uid == file.uid && (gid == file.gid || gid == caller.gid);
                if !owner_may && !caller.privileged() {
                    return Err(Errno::EPERM);
                }
                out.gid = gid;
            }
            // A chown takes set-user-ID (and an executable set-group-ID) off non-directories.
            if file.mode & S_IFMT != S_IFDIR {
                out.mode &= !S_ISUID;
                if out.mode & S_IXGRP != 0 {
                    out.mode &= !S_ISGID;
                }
            }
        }
        Change::Times(atime, mtime) => {
            // Setting both to now needs write permission; anything else, ownership.
            let touch = atime == Time::Now && mtime == Time::Now;
            if !(caller.owns(&file) || touch && may_write) {
                return Err(if touch { Errno::EACCES } else { Errno::EPERM });
            }
        }
    }
    Ok(out)
}

/// The answer for files whose metadata the kernel keeps fixed (`/dev`, `/proc`, pipes):
/// a chown that changes nothing succeeds, as on Linux; any other change is refused as Linux
/// refuses it to a caller that does not own the file.
pub fn fixed(st: &Stat, change: &Change) -> Result<(), Errno> {
    match *change {
        Change::Owner(uid, gid)
            if uid.is_none_or(|u| u == st.st_uid) && gid.is_none_or(|g| g == st.st_gid) =>
        {
            Ok(())
        }
        Change::Mode(_) if st.st_mode & S_IFMT == S_IFLNK => Err(Errno::EOPNOTSUPP),
        _ => Err(Errno::EPERM),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: Caller = Caller {
        uid: 1000,
        gid: 1000,
    };
    const ROOT: Caller = Caller { uid: 0, gid: 0 };

    fn file(mode: u32, uid: u32, gid: u32) -> Owned {
        Owned { mode, uid, gid }
    }

    #[test]
    fn who_may_change_what() {
        let mine = file(0o100644, 1000, 1000);
        let theirs = file(0o100666, 2000, 2000);
        let at = Time::At(Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        });
        let cases: &[(Change, Owned, Caller, Result<Owned, Errno>)] = &[
            (
                Change::Mode(0o7755),
                mine,
                USER,
                Ok(file(0o107755, 1000, 1000)),
            ),
            (Change::Mode(0o644), theirs, USER, Err(Errno::EPERM)),
            (
                Change::Mode(0o644),
                theirs,
                ROOT,
                Ok(file(0o100644, 2000, 2000)),
            ),
            (
                Change::Mode(0o2755),
                file(0o100644, 1000, 50),
                USER,
                Ok(file(0o100755, 1000, 50)),
            ),
            (
                Change::Mode(0o600),
                file(0o120777, 1000, 1000),
                USER,
                Err(Errno::EOPNOTSUPP),
            ),
            (Change::Owner(Some(1000), Some(1000)), mine, USER, Ok(mine)),
            (
                Change::Owner(Some(2000), None),
                mine,
                USER,
                Err(Errno::EPERM),
            ),
            (Change::Owner(None, Some(50)), mine, USER, Err(Errno::EPERM)),
            (
                Change::Owner(Some(2000), Some(50)),
                mine,
                ROOT,
                Ok(file(0o100644, 2000, 50)),
            ),
            (Change::Owner(None, None), theirs, USER, Ok(theirs)),
            (
                Change::Owner(None, None),
                file(0o106755, 1000, 1000),
                USER,
                Ok(file(0o100755, 1000, 1000)),
            ),
            (
                Change::Owner(None, None),
                file(0o42755, 1000, 1000),
                USER,
                Ok(file(0o42755, 1000, 1000)),
            ),
            (
                Change::Times(Time::Now, Time::Now),
                theirs,
                USER,
                Ok(theirs),
            ),
            (
                Change::Times(Time::Now, Time::Now),
                file(0o100644, 2000, 2000),
                USER,
                Err(Errno::EACCES),
            ),
            (
                Change::Times(at, Time::Omit),
                theirs,
                USER,
                Err(Errno::EPERM),
            ),
            (Change::Times(at, at), theirs, ROOT, Ok(theirs)),
        ];
        for (change, f, caller, want) in cases {
            let may_write = f.mode & 0o002 != 0;
            assert_eq!(
                apply(change, *f, *caller, may_write),
                *want,
                "{change:?} on {f:?} by {caller:?}"
            );
        }
    }

    #[test]
    fn time_from_timespec() {
        let ts = |tv_nsec| Timespec { tv_sec: 5, tv_nsec };
        assert_eq!(Time::from_timespec(ts(UTIME_NOW)), Ok(Time::Now));
        assert_eq!(Time::from_timespec(ts(UTIME_OMIT)), Ok(Time::Omit));
        assert_eq!(Time::from_timespec(ts(7)), Ok(Time::At(ts(7))));
        assert_eq!(Time::from_timespec(ts(1_000_000_000)), Err(Errno::EINVAL));
        assert_eq!(Time::from_timespec(ts(-1)), Err(Errno::EINVAL));
    }
}
