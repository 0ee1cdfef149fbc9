//! The VMA map: every app mapping with its protection and backing. The kernel is its owner;
//! `/proc/self/maps`, the user-memory checks and (later) snapshots are read from it.

use alloc::collections::BTreeMap;
use alloc::string::String;
use core::cell::Cell;

pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;

/// What is behind a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backing {
    /// Anonymous zero-filled memory.
    Anon,
    /// A file: its path in the instance, the offset of the mapping's first byte, and the
    /// host identity (device, inode) that `/proc/self/maps` shows.
    File {
        path: String,
        offset: u64,
        dev: u64,
        ino: u64,
    },
    /// The main thread's stack.
    Stack,
    /// The brk heap.
    Heap,
    /// The host's vDSO and its data pages, passed through to the app.
    Vdso,
    Vvar,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: u32,
    pub shared: bool,
    pub backing: Backing,
}

impl Vma {
    fn split_off_front(&self, at: u64) -> (Vma, Vma) {
        let mut front = self.clone();
        let mut back = self.clone();
        front.end = at;
        back.start = at;
        if let Backing::File { offset, .. } = &mut back.backing {
            *offset += at - self.start;
        }
        (front, back)
    }
}

#[derive(Debug, Default, Clone)]
pub struct VmaMap {
    by_start: BTreeMap<u64, Vma>,
    /// The last mapping `covers` found whole: (start, end, prot). Nearly every syscall
    /// checks a pointer into the same stack or heap mapping as the one before, and this
    /// spares the tree walk (Linux keeps a per-thread cache for the same reason). Emptied by
    /// every change to the map.
    last_hit: Cell<(u64, u64, u32)>,
}

impl VmaMap {
    pub fn new() -> Self {
        VmaMap::default()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Vma> {
        self.by_start.values()
    }

    /// The mapping containing `addr`.
    pub fn find(&self, addr: u64) -> Option<&Vma> {
        self.by_start
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.end)
    }

    /// Whether any mapping overlaps `[start, end)`.
    pub fn overlaps(&self, start: u64, end: u64) -> bool {
        self.by_start
            .range(..end)
            .next_back()
            .is_some_and(|(_, v)| v.end > start)
    }

    /// Whether all of `[start, end)` is mapped with at least `prot`.
    pub fn covers(&self, start: u64, end: u64, prot: u32) -> bool {
        let (hit_start, hit_end, hit_prot) = self.last_hit.get();
        if start >= hit_start && end <= hit_end && hit_prot & prot == prot {
            return true;
        }
        let mut at = start;
        while at < end {
            match self.find(at) {
                Some(v) if v.prot & prot == prot => {
                    if at == start && end <= v.end {
                        self.last_hit.set((v.start, v.end, v.prot));
                    }
                    at = v.end;
                }
                _ => return false,
            }
        }
        true
    }

    /// Removes `[start, end)` from the map, splitting mappings that straddle its edges.
    pub fn remove(&mut self, start: u64, end: u64) {
        self.last_hit.take();
        let keys: alloc::vec::Vec<u64> = self
            .by_start
            .range(..end)
            .filter(|(_, v)| v.end > start)
            .map(|(k, _)| *k)
            .collect();
        for key in keys {
            let Some(vma) = self.by_start.remove(&key) else {
                continue;
            };
            if vma.start < start {
                let (front, _) = vma.split_off_front(start);
                self.by_start.insert(front.start, front);
            }
            if vma.end > end {
                let (_, back) = vma.split_off_front(end);
                self.by_start.insert(back.start, back);
            }
        }
    }

    /// Inserts a mapping, replacing whatever overlapped it (as MAP_FIXED does).
    pub fn insert(&mut self, vma: Vma) {
        self.last_hit.take();
        self.remove(vma.start, vma.end);
        self.by_start.insert(vma.start, vma);
    }

    /// Changes the protection of `[start, end)`; every byte must be mapped.
    pub fn protect(&mut self, start: u64, end: u64, prot: u32) -> bool {
        if !self.covers(start, end, 0) {
            return false;
        }
        self.last_hit.take();
        let keys: alloc::vec::Vec<u64> = self
            .by_start
            .range(..end)
            .filter(|(_, v)| v.end > start)
            .map(|(k, _)| *k)
            .collect();
        for key in keys {
            let Some(mut vma) = self.by_start.remove(&key) else {
                continue;
            };
            if vma.start < start {
                let (front, back) = vma.split_off_front(start);
                self.by_start.insert(front.start, front);
                vma = back;
            }
            if vma.end > end {
                let (front, back) = vma.split_off_front(end);
                self.by_start.insert(back.start, back);
                vma = front;
            }
            vma.prot = prot;
            self.by_start.insert(vma.start, vma);
        }
        true
    }

    /// The highest free gap of `len` bytes inside `[low, high)`, avoiding `extra` ranges too.
    pub fn find_free_top_down(
        &self,
        len: u64,
        low: u64,
        high: u64,
        extra: &[(u64, u64)],
    ) -> Option<u64> {
        let mut top = high;
        loop {
            let candidate = top.checked_sub(len)?;
            if candidate < low {
                return None;
            }
            let blocker = self
                .by_start
                .range(..top)
                .next_back()
                .map(|(_, v)| (v.start, v.end))
                .filter(|&(_, end)| end > candidate);
            let extra_blocker = extra
                .iter()
                .copied()
                .filter(|&(s, e)| s < top && e > candidate)
                .max_by_key(|r| r.0);
            match (blocker, extra_blocker) {
                (None, None) => return Some(candidate),
                (a, b) => {
                    let start = a.map_or(0, |r| r.0).max(b.map_or(0, |r| r.0));
                    top = start;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anon(start: u64, end: u64, prot: u32) -> Vma {
        Vma {
            start,
            end,
            prot,
            shared: false,
            backing: Backing::Anon,
        }
    }

    fn ranges(map: &VmaMap) -> Vec<(u64, u64, u32)> {
        map.iter().map(|v| (v.start, v.end, v.prot)).collect()
    }

    #[test]
    fn insert_replaces_overlaps_and_splits() {
        let mut map = VmaMap::new();
        map.insert(anon(0x1000, 0x5000, 3));
        map.insert(anon(0x2000, 0x3000, 1));
        assert_eq!(
            ranges(&map),
            vec![
                (0x1000, 0x2000, 3),
                (0x2000, 0x3000, 1),
                (0x3000, 0x5000, 3)
            ]
        );
        map.remove(0x1800, 0x4000);
        assert_eq!(ranges(&map), vec![(0x1000, 0x1800, 3), (0x4000, 0x5000, 3)]);
    }

    #[test]
    fn file_offsets_follow_splits() {
        let mut map = VmaMap::new();
        map.insert(Vma {
            start: 0x10000,
            end: 0x14000,
            prot: 5,
            shared: false,
            backing: Backing::File {
                path: "/lib/x".into(),
                offset: 0x2000,
                dev: 1,
                ino: 2,
            },
        });
        assert!(map.protect(0x11000, 0x12000, 1));
        let offsets: Vec<u64> = map
            .iter()
            .map(|v| match &v.backing {
                Backing::File { offset, .. } => *offset,
                _ => u64::MAX,
            })
            .collect();
        assert_eq!(offsets, vec![0x2000, 0x3000, 0x4000]);
        assert_eq!(map.find(0x11800).map(|v| v.prot), Some(1));
    }

    #[test]
    fn protect_needs_every_byte_mapped() {
        let mut map = VmaMap::new();
        map.insert(anon(0x1000, 0x2000, 3));
        map.insert(anon(0x3000, 0x4000, 3));
        assert!(!map.protect(0x1000, 0x4000, 1));
        assert_eq!(ranges(&map), vec![(0x1000, 0x2000, 3), (0x3000, 0x4000, 3)]);
        assert!(map.covers(0x1000, 0x2000, 3));
        assert!(!map.covers(0x1000, 0x3001, 0));
    }

    #[test]
    fn remembered_hits_follow_changes() {
        let mut map = VmaMap::new();
        map.insert(anon(0x1000, 0x4000, 3));
        assert!(map.covers(0x1000, 0x1010, 2));
        assert!(map.protect(0x1000, 0x2000, 1));
        assert!(!map.covers(0x1000, 0x1010, 2), "stale after mprotect");
        assert!(map.covers(0x2000, 0x2010, 2));
        map.remove(0x2000, 0x3000);
        assert!(!map.covers(0x2000, 0x2010, 0), "stale after munmap");
        map.insert(anon(0x2000, 0x3000, 1));
        assert!(!map.covers(0x2000, 0x2010, 2), "stale after mmap");
        assert!(map.covers(0x2000, 0x2010, 1));
    }

    #[test]
    fn free_search_is_top_down_and_skips_blockers() {
        let mut map = VmaMap::new();
        map.insert(anon(0x9000, 0xa000, 3));
        assert_eq!(
            map.find_free_top_down(0x1000, 0x1000, 0xa000, &[]),
            Some(0x8000)
        );
        assert_eq!(
            map.find_free_top_down(0x2000, 0x1000, 0xa000, &[(0x7000, 0x8000)]),
            Some(0x5000)
        );
        assert_eq!(map.find_free_top_down(0x9000, 0x1000, 0xa000, &[]), None);
        assert!(map.overlaps(0x8fff, 0x9001));
        assert!(!map.overlaps(0xa000, 0xb000));
    }
}
