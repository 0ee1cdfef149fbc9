//! The fd table: app fd numbers to shared open files, with the close-on-exec bit per fd.

use alloc::sync::Arc;
use alloc::vec::Vec;

use junction_abi::Errno;

use super::file::OpenFile;

#[derive(Debug, Clone)]
pub struct FdEntry {
    pub file: Arc<OpenFile>,
    pub cloexec: bool,
}

#[derive(Debug, Default)]
pub struct FdTable {
    slots: Vec<Option<FdEntry>>,
    /// RLIMIT_NOFILE's soft limit: fds are below it.
    pub limit: usize,
}

impl FdTable {
    pub fn new(limit: usize) -> Self {
        FdTable {
            slots: Vec::new(),
            limit,
        }
    }

    pub fn get(&self, fd: i32) -> Result<&FdEntry, Errno> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get(i))
            .and_then(Option::as_ref)
            .ok_or(Errno::EBADF)
    }

    pub fn get_mut(&mut self, fd: i32) -> Result<&mut FdEntry, Errno> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
            .and_then(Option::as_mut)
            .ok_or(Errno::EBADF)
    }

    pub fn file(&self, fd: i32) -> Result<Arc<OpenFile>, Errno> {
        self.get(fd).map(|e| e.file.clone())
    }

    /// The lowest free fd at or above `min` (EMFILE when none is below the limit).
    pub fn insert_from(&mut self, min: usize, entry: FdEntry) -> Result<i32, Errno> {
        let start = min.min(self.slots.len());
        let free = (start..self.slots.len()).find(|&i| self.slots[i].is_none() && i >= min);
        let index = free.unwrap_or(self.slots.len().max(min));
        if index >= self.limit {
            return Err(Errno::EMFILE);
        }
        if index >= self.slots.len() {
            self.slots.resize(index + 1, None);
        }
        self.slots[index] = Some(entry);
        Ok(index as i32)
    }

    pub fn insert(&mut self, entry: FdEntry) -> Result<i32, Errno> {
        self.insert_from(0, entry)
    }

    /// Puts `entry` at exactly `fd`, returning what was there (closed by the caller's drop).
    pub fn replace(&mut self, fd: i32, entry: FdEntry) -> Result<Option<FdEntry>, Errno> {
        let index = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        if index >= self.limit {
            return Err(Errno::EBADF);
        }
        if index >= self.slots.len() {
            self.slots.resize(index + 1, None);
        }
        Ok(self.slots[index].replace(entry))
    }

    pub fn remove(&mut self, fd: i32) -> Result<FdEntry, Errno> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
            .and_then(Option::take)
            .ok_or(Errno::EBADF)
    }

    /// The open fds, in order.
    pub fn fds(&self) -> impl Iterator<Item = (i32, &FdEntry)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (i as i32, e)))
    }

    pub fn highest(&self) -> Option<i32> {
        self.slots
            .iter()
            .rposition(Option::is_some)
            .map(|i| i as i32)
    }
}
