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

use std::sync::Arc;

use super::hot::DecodedPages;
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

/// The upper status-map pages of one committed height, carried forward by
/// each commit.
pub struct CommittedPages(DecodedPages);

impl Default for CommittedPages {
    fn default() -> Self {
        CommittedPages(DecodedPages::new(COMMITTED_CAPACITY))
    }
}

impl CommittedPages {
    /// The page as committed at `height`, if kept.
    pub fn get(&self, height: u64, page: &PageRef) -> Option<Arc<Page>> {
        self.0.get(height, page)
    }

    /// Keep a page read from the database at `height` (a reader holding the
    /// head there), if it is one kept.
    pub fn put(&self, height: u64, page: PageRef, value: Arc<Page>) {
        if is_kept(&page) {
            self.0.put(height, page, value);
        }
    }

    /// The block of height `to`, executed over height `from`, has been
    /// written with the pages `changed`: keep those that are kept (an
    /// emptied page is kept empty, as the database now reads it) and carry
    /// the rest to `to`. Kept for another height than `from`: start afresh.
    pub fn advance(&self, from: u64, to: u64, changed: Vec<(PageRef, Arc<Page>)>) {
        let changed = changed.into_iter().filter(|(page, _)| is_kept(page));
        self.0.advance(from, to, changed);
    }

    /// The cache itself, for a block that has checked [`is_kept`].
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
        let kept = CommittedPages::default();
        kept.put(5, smt(0, 0), page(1));
        assert_eq!(kept.get(5, &smt(0, 0)), Some(page(1)));
        assert_eq!(kept.get(4, &smt(0, 0)), None);
        assert_eq!(kept.get(6, &smt(0, 0)), None);
        // A reader of an older height keeps nothing.
        kept.put(4, smt(4, 1), page(2));
        assert_eq!(kept.len(), 1);
        // A reader of a newer height starts afresh.
        kept.put(6, smt(4, 1), page(2));
        assert_eq!(kept.len(), 1);
        assert_eq!(kept.get(6, &smt(4, 1)), Some(page(2)));
        assert_eq!(kept.get(6, &smt(0, 0)), None);
    }

    #[test]
    fn a_commit_carries_the_pages_forward_with_its_changes() {
        let kept = CommittedPages::default();
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
        let kept = CommittedPages::default();
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
        let kept = CommittedPages::default();
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
            let (height, held) = kept.pages().kept();
            assert_eq!(height, h + 1);
            assert!(!held.is_empty());
            for (page, value) in &held {
                assert_eq!(**value, pages::load(&db, page).unwrap(), "{page:?}");
            }
        }
    }
}
