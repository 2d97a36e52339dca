//! The pages every proof reads, kept decoded between readers of one height.
//!
//! A status-map proof starts at the root and a log proof ends at the top:
//! whatever the key or the record, their first (status map) and last (log)
//! pages are the same few hundred. Reading those from RocksDB for each
//! bundle was most of a bundle's page reads. Here they are kept decoded,
//! tagged with the height they were read at: a reader at another height
//! neither sees nor keeps them, and the first reader of a new height starts
//! the cache afresh. Readers hold the chain's head lock, under which the
//! database is the state of that height (a commit writes under the write
//! lock), so a page read at height `h` is the page of height `h`.
//!
//! Only readers use it; a block's execution reads and writes its own pages
//! (its upper status-map pages through `committed`, the same structure
//! carried from height to height).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::{Arc, Mutex};

use super::pages::{Page, PageRef};

/// Status-map pages whose top is at most this deep (the root page and the
/// two page levels below it: at most 1 + 16 + 256 pages).
pub const HOT_SMT_DEPTH: u16 = 8;
/// Log pages in this band and above (a band-2 page covers 4,096 records).
pub const HOT_LOG_BAND: u8 = 2;
/// Pages kept at most (about 2 KB each decoded).
pub const HOT_CAPACITY: usize = 4096;

/// Whether a page is one every proof is likely to read.
pub fn is_hot(page: &PageRef) -> bool {
    match page {
        PageRef::Smt((d0, _)) => *d0 <= HOT_SMT_DEPTH,
        PageRef::Log((band, _)) => *band >= HOT_LOG_BAND,
    }
}

struct Held<K, V, S> {
    height: u64,
    values: HashMap<K, V, S>,
}

/// Values read at one height, kept for the other readers of that height:
/// a reader at another height neither sees nor keeps them, and the first
/// reader of a newer height starts afresh.
pub struct HeightCache<K, V, S = RandomState> {
    capacity: usize,
    held: Mutex<Held<K, V, S>>,
}

/// Decoded pages of one height, hashed with foldhash (seeded per process),
/// as a block's own pages are.
pub type DecodedPages = HeightCache<PageRef, Arc<Page>, foldhash::fast::RandomState>;

impl<K: Eq + Hash, V: Clone, S: BuildHasher + Default> HeightCache<K, V, S> {
    /// Keeping at most `capacity` values.
    pub fn new(capacity: usize) -> Self {
        HeightCache {
            capacity,
            held: Mutex::new(Held {
                height: 0,
                values: HashMap::default(),
            }),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held<K, V, S>> {
        // Only whole values are stored under the lock: a panic elsewhere
        // cannot leave it half-written.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value as read at `height`, if kept.
    pub fn get(&self, height: u64, key: &K) -> Option<V> {
        let held = self.held();
        if held.height != height {
            return None;
        }
        held.values.get(key).cloned()
    }

    /// Keep a value read at `height`. A newer height replaces what is
    /// kept; an older one (a reader that started before a commit) is not
    /// kept.
    pub fn put(&self, height: u64, key: K, value: V) {
        let mut held = self.held();
        if height > held.height {
            held.height = height;
            held.values.clear();
        }
        if height == held.height && held.values.len() < self.capacity {
            held.values.insert(key, value);
        }
    }

    /// A block of height `to`, executed over height `from`, has been
    /// written with `changed`: what is kept for `from` is kept for `to`,
    /// with those values replacing (or joining, below the capacity) the
    /// ones kept. Kept for another height than `from`: start afresh at `to`.
    /// Only for values the block's write gives exactly (the caller holds
    /// the head's write lock across that write and this).
    pub fn advance(&self, from: u64, to: u64, changed: impl IntoIterator<Item = (K, V)>) {
        let mut held = self.held();
        if held.height == from {
            for (key, value) in changed {
                if held.values.len() < self.capacity || held.values.contains_key(&key) {
                    held.values.insert(key, value);
                }
            }
        } else {
            held.values.clear();
        }
        held.height = to;
    }

    /// Values kept now.
    pub fn len(&self) -> usize {
        self.held().values.len()
    }

    /// The height kept and its values (tests).
    #[cfg(test)]
    pub fn kept(&self) -> (u64, Vec<(K, V)>)
    where
        K: Clone,
    {
        let held = self.held();
        let values = held.values.iter().map(|(k, v)| (k.clone(), v.clone()));
        (held.height, values.collect())
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Decoded hot pages of one height ([`is_hot`] pages only).
pub struct HotPages(DecodedPages);

impl Default for HotPages {
    fn default() -> Self {
        HotPages(HeightCache::new(HOT_CAPACITY))
    }
}

impl HotPages {
    /// The page as read at `height`, if kept.
    pub fn get(&self, height: u64, page: &PageRef) -> Option<Arc<Page>> {
        self.0.get(height, page)
    }

    /// Keep a page read at `height`, if it is hot.
    pub fn put(&self, height: u64, page: PageRef, value: Arc<Page>) {
        if is_hot(&page) {
            self.0.put(height, page, value);
        }
    }

    /// The cache itself, for a reader that has checked [`is_hot`].
    pub(super) fn pages(&self) -> &DecodedPages {
        &self.0
    }

    /// Pages kept now.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yinzheng_crypto::Digest;

    fn smt(d0: u16) -> PageRef {
        PageRef::Smt((d0, Digest([d0.to_be_bytes()[1]; 32])))
    }

    #[test]
    fn only_the_height_it_was_read_at_sees_a_page() {
        let hot = HotPages::default();
        let page = Arc::new(Page::default());
        hot.put(5, smt(0), page.clone());
        assert!(hot.get(5, &smt(0)).is_some());
        assert!(hot.get(4, &smt(0)).is_none());
        assert!(hot.get(6, &smt(0)).is_none());
        // An older reader's page is not kept over the newer ones.
        hot.put(4, smt(4), page.clone());
        assert!(hot.get(4, &smt(4)).is_none());
        assert_eq!(hot.len(), 1);
        // A newer height starts afresh.
        hot.put(6, smt(4), page);
        assert!(hot.get(5, &smt(0)).is_none());
        assert!(hot.get(6, &smt(4)).is_some());
        assert_eq!(hot.len(), 1);
    }

    #[test]
    fn only_upper_pages_are_kept_and_no_more_than_the_capacity() {
        let hot = HotPages::default();
        let page = Arc::new(Page::default());
        hot.put(1, smt(12), page.clone());
        hot.put(1, PageRef::Log((1, 0)), page.clone());
        assert!(hot.is_empty(), "deep pages are not kept");
        for j in 0..HOT_CAPACITY as u64 + 10 {
            hot.put(1, PageRef::Log((HOT_LOG_BAND, j)), page.clone());
        }
        assert_eq!(hot.len(), HOT_CAPACITY);
    }
}
