//! The status map's upper pages as of the committed head, kept decoded and
//! carried from each block to the next.
//!
//! Every block's execution walks the status map from its root to each key
//! it writes: the pages at the top are read by every block, and those a few
//! levels down by most. Reading each from RocksDB (a memtable search, often
//! a file's index and block, then the decoding) for every block was about a
//! tenth of a validator's time at saturation. Here the pages whose top is at
//! most [`COMMITTED_SMT_DEPTH`] deep are kept decoded, tagged with the
//! committed height they are the pages of. A block executed over that
//! height reads them from here; when a block commits, the pages it changed
//! replace the kept ones in the same step that moves the tag to its height
//! (under the chain's write lock, after its write), so what is kept stays
//! the committed state and is never read again from the database.
//!
//! Whoever reads through it holds the chain's head at the height it asks
//! for (a commit takes the head's write lock), so a page read from the
//! database at height `h` is the page of height `h`. A commit from a height
//! other than the one kept (nothing kept yet) starts afresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::pages::{Page, PageRef};

/// Status-map pages whose top is at most this deep are kept: the root page
/// and the three page levels below it, at most 1 + 16 + 256 + 4,096 pages
/// (about 2 KB each decoded: 9 MiB), every one of them present once the
/// ledger holds a few hundred thousand keys.
pub const COMMITTED_SMT_DEPTH: u16 = 12;

/// Pages kept at most: all the pages down to [`COMMITTED_SMT_DEPTH`].
pub const COMMITTED_CAPACITY: usize = 1 + 16 + 256 + 4_096;

/// Whether a page is one this cache keeps.
pub fn is_kept(page: &PageRef) -> bool {
    matches!(page, PageRef::Smt((d0, _)) if *d0 <= COMMITTED_SMT_DEPTH)
}

type Map = HashMap<PageRef, Arc<Page>, foldhash::fast::RandomState>;

struct Held {
    height: u64,
    pages: Map,
}

/// The upper status-map pages of one committed height, carried forward by
/// each commit.
pub struct CommittedPages {
    held: Mutex<Held>,
}

impl CommittedPages {
    /// Nothing kept, for the committed `height`.
    pub fn new(height: u64) -> Self {
        CommittedPages {
            held: Mutex::new(Held {
                height,
                pages: Map::default(),
            }),
        }
    }

    fn held(&self) -> MutexGuard<'_, Held> {
        // Only whole values are stored under the lock: a panic elsewhere
        // cannot leave it half-written.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The page as committed at `height`, if kept.
    pub fn get(&self, height: u64, page: &PageRef) -> Option<Arc<Page>> {
        let held = self.held();
        if held.height != height {
            return None;
        }
        held.pages.get(page).cloned()
    }

    /// Keep a page read from the database at `height` (a reader holding the
    /// head there), if it is one kept and `height` is the height kept.
    pub fn put(&self, height: u64, page: PageRef, value: Arc<Page>) {
        if !is_kept(&page) {
            return;
        }
        let mut held = self.held();
        if held.height == height && held.pages.len() < COMMITTED_CAPACITY {
            held.pages.insert(page, value);
        }
    }

    /// The block of height `to`, executed over height `from`, has been
    /// written with the pages `changed`: keep those (an emptied page is kept
    /// empty, as the database now reads it) and tag what is kept with `to`.
    /// Kept for another height than `from`: start afresh at `to`.
    pub fn advance(&self, from: u64, to: u64, changed: Vec<(PageRef, Arc<Page>)>) {
        let mut held = self.held();
        if held.height != from {
            held.pages.clear();
        } else {
            for (page, value) in changed {
                if !is_kept(&page) {
                    continue;
                }
                if held.pages.len() < COMMITTED_CAPACITY || held.pages.contains_key(&page) {
                    held.pages.insert(page, value);
                }
            }
        }
        held.height = to;
    }

    /// Pages kept now.
    pub fn len(&self) -> usize {
        self.held().pages.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yinzheng_crypto::Digest;
    use yinzheng_ledger::merkle::SmtNode;

    fn smt(d0: u16, b: u8) -> PageRef {
        PageRef::Smt((d0, Digest([b; 32])))
    }

    fn page(b: u8) -> Arc<Page> {
        let mut p = Page::default();
        p.set(0, Some(SmtNode::Interior(Digest([b; 32]))));
        Arc::new(p)
    }

    #[test]
    fn a_page_is_seen_at_the_height_it_was_read_at_only() {
        let kept = CommittedPages::new(5);
        kept.put(5, smt(0, 0), page(1));
        assert_eq!(kept.get(5, &smt(0, 0)), Some(page(1)));
        assert_eq!(kept.get(4, &smt(0, 0)), None);
        assert_eq!(kept.get(6, &smt(0, 0)), None);
        // A reader at another height keeps nothing.
        kept.put(4, smt(4, 1), page(2));
        kept.put(6, smt(4, 1), page(2));
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn a_commit_carries_the_pages_forward_with_its_changes() {
        let kept = CommittedPages::new(5);
        kept.put(5, smt(0, 0), page(1));
        kept.put(5, smt(4, 1), page(2));
        kept.advance(5, 6, vec![(smt(4, 1), page(3)), (smt(8, 2), page(4))]);
        assert_eq!(kept.get(6, &smt(0, 0)), Some(page(1)), "unchanged, carried");
        assert_eq!(
            kept.get(6, &smt(4, 1)),
            Some(page(3)),
            "changed by the block"
        );
        assert_eq!(
            kept.get(6, &smt(8, 2)),
            Some(page(4)),
            "written by the block"
        );
        assert_eq!(kept.get(5, &smt(0, 0)), None, "height 5 is gone");
        // A commit from a height not kept starts afresh.
        kept.advance(7, 8, vec![(smt(0, 0), page(5))]);
        assert!(kept.is_empty());
        assert_eq!(kept.get(8, &smt(0, 0)), None);
    }

    #[test]
    fn deep_pages_and_log_pages_are_not_kept() {
        let kept = CommittedPages::new(1);
        kept.put(1, smt(COMMITTED_SMT_DEPTH + 4, 0), page(1));
        kept.put(1, PageRef::Log((3, 0)), page(1));
        kept.advance(1, 2, vec![(smt(COMMITTED_SMT_DEPTH + 4, 0), page(1))]);
        assert!(kept.is_empty());
        kept.put(2, smt(COMMITTED_SMT_DEPTH, 0), page(1));
        assert_eq!(kept.len(), 1);
    }

    /// Blocks executed over the kept pages and carried forward by their
    /// commits, with a proposal executed and dropped between them, reach
    /// the ledger's roots, and every kept page is the page in the database.
    #[test]
    fn blocks_over_kept_pages_reach_the_ledgers_roots() {
        use crate::store::pages;
        use crate::store::shared::shared_entries;
        use crate::store::{Db, Pending};
        use yinzheng_crypto::Suite;
        use yinzheng_ledger::merkle::{MemSmtStore, StatusMap};

        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let shared = shared_entries();
        let kept = CommittedPages::new(0);
        let mut mem = StatusMap::open(Suite::Sm, MemSmtStore::default());
        let keys: Vec<Digest> = (0..4_000u32)
            .map(|i| Suite::Sm.hash_parts(&[b"k", &i.to_be_bytes()]))
            .collect();
        for (h, chunk) in (0u64..).zip(keys.chunks(500)) {
            // A proposal that loses: executed over the same height, dropped.
            let mut lost = Pending::over(&db, Suite::Sm, &shared, &kept, h);
            let mut map = StatusMap::open(Suite::Sm, &mut lost);
            map.insert_batch(keys.iter().take(300).map(|k| (k, &b"lost"[..])))
                .unwrap();
            drop(lost);
            // The block decided: new keys, and earlier ones given new values.
            let value = [u8::try_from(h).unwrap(); 3];
            let again = &keys[..usize::try_from(h).unwrap() * 40];
            let entries: Vec<_> = chunk.iter().chain(again).map(|k| (k, &value[..])).collect();
            let mut block = Pending::over(&db, Suite::Sm, &shared, &kept, h);
            let mut map = StatusMap::open(Suite::Sm, &mut block);
            map.insert_batch(entries.clone()).unwrap();
            let root = map.root().unwrap();
            mem.insert_batch(entries).unwrap();
            assert_eq!(root, mem.root().unwrap(), "root of block {}", h + 1);
            let (ops, changed) = block.into_writes();
            db.write(ops).unwrap();
            kept.advance(h, h + 1, changed);
            let held = kept.held();
            assert_eq!(held.height, h + 1);
            assert!(!held.pages.is_empty());
            for (page, value) in &held.pages {
                assert_eq!(**value, pages::load(&db, page).unwrap(), "{page:?}");
            }
        }
    }
}
