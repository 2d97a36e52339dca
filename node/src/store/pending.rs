//! Writes of one block, held in memory on top of the database until the
//! block commits (then written as one batch) or is dropped (a proposal that
//! did not win, or failed validation).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use yinzheng_crypto::{Digest, Suite};
use yinzheng_ledger::merkle::{LogStore, SmtNode, SmtStore, smt_prefix};
use yinzheng_ledger::{BlockStore, LedgerError, StateKey, StateView};

use super::committed::{self, CommittedPages};
use super::hot::{DecodedPages, HotPages};
use super::pages::{self, PAGE_LEVELS, Page, PageRef};
use super::shared::{SharedEntries, is_shared};
use super::{Db, StoreError, cf};

/// Pages read or changed, each with whether it changed. Hashed with
/// foldhash (seeded per process): a block looks pages up about 100,000
/// times, and SipHash was about a tenth of each lookup's time.
type PageCache = HashMap<PageRef, (Arc<Page>, bool), foldhash::fast::RandomState>;

/// A block's pending writes over the committed database.
pub struct Pending<'a> {
    db: &'a Db,
    suite: Suite,
    writes: HashMap<(&'static str, Vec<u8>), Option<Vec<u8>>>,
    /// Status-map and log pages read or changed, and whether changed
    /// (behind a pointer: a block touches thousands, and the map's table
    /// stays small; shared with the cache a page came from until the block
    /// first changes it, then copied).
    pages: RefCell<PageCache>,
    /// For a reader: the decoded hot pages shared with other readers of
    /// the same height.
    hot: Option<(&'a HotPages, u64)>,
    /// State entries many records read, shared with the other readers and
    /// blocks over the same height (the caller holds the head at it).
    shared: Option<(&'a SharedEntries, u64)>,
    /// For a block: the upper status-map pages of the height it executes
    /// over, kept decoded from block to block.
    committed: Option<(&'a CommittedPages, u64)>,
    /// Shared entries this block has written: read from its own writes,
    /// never from what others kept.
    written_shared: HashSet<StateKey>,
}

impl<'a> Pending<'a> {
    /// Nothing pending yet.
    pub fn new(db: &'a Db, suite: Suite) -> Self {
        Pending {
            db,
            suite,
            writes: HashMap::new(),
            pages: RefCell::new(HashMap::default()),
            hot: None,
            shared: None,
            committed: None,
            written_shared: HashSet::new(),
        }
    }

    /// Pending writes over the committed state at `height` (the caller
    /// holds the chain's head at that height while this lives), reading
    /// the entries many records read through `shared` and the status map's
    /// upper pages through `pages`: a block executed on top of that height,
    /// or a dry run of the rules against it.
    pub fn over(
        db: &'a Db,
        suite: Suite,
        shared: &'a SharedEntries,
        pages: &'a CommittedPages,
        height: u64,
    ) -> Self {
        Pending {
            shared: Some((shared, height)),
            committed: Some((pages, height)),
            ..Pending::new(db, suite)
        }
    }

    /// A reader of the committed state at `height` (the caller holds the
    /// chain's head at that height), sharing `hot` with the other readers.
    /// Never for a block's writes.
    pub fn reading(db: &'a Db, suite: Suite, hot: &'a HotPages, height: u64) -> Self {
        Pending {
            hot: Some((hot, height)),
            ..Pending::new(db, suite)
        }
    }

    /// The cache that keeps `page` for this block or reader, and the
    /// height it is kept for: none for a page no cache keeps.
    fn cache_for(&self, page: &PageRef) -> Option<(&'a DecodedPages, u64)> {
        match (self.committed, self.hot) {
            (Some((kept, height)), _) if committed::is_kept(page) => Some((kept.pages(), height)),
            (_, Some((hot, height))) if super::hot::is_hot(page) => Some((hot.pages(), height)),
            _ => None,
        }
    }

    /// A page as committed, shared with the cache it came from (if any):
    /// the block copies it only when it first changes it.
    fn load(&self, page: &PageRef) -> Result<Arc<Page>, StoreError> {
        let Some((cache, height)) = self.cache_for(page) else {
            return Ok(Arc::new(pages::load(self.db, page)?));
        };
        if let Some(kept) = cache.get(height, page) {
            return Ok(kept);
        }
        let read = Arc::new(pages::load(self.db, page)?);
        cache.put(height, *page, read.clone());
        Ok(read)
    }

    /// Read through the pending writes.
    pub fn get(&self, family: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.writes.get(&(family, key.to_vec())) {
            Some(v) => Ok(v.clone()),
            None => self.db.get(family, key),
        }
    }

    /// Queue a write.
    pub fn put(&mut self, family: &'static str, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert((family, key), Some(value));
    }

    /// The writes, ready for [`Db::write`].
    pub fn into_ops(self) -> Vec<super::Op> {
        self.into_writes().0
    }

    /// The writes, ready for [`Db::write`], and the changed pages a
    /// [`CommittedPages`] keeps, decoded, for [`CommittedPages::advance`]
    /// once the writes are written.
    pub fn into_writes(self) -> (Vec<super::Op>, Vec<(PageRef, Arc<Page>)>) {
        let mut kept = Vec::new();
        let mut ops: Vec<super::Op> = self
            .writes
            .into_iter()
            .map(|((f, k), v)| (f, k, v))
            .collect();
        for (r, (page, dirty)) in self.pages.into_inner() {
            if !dirty {
                continue;
            }
            ops.push((r.family(), r.key(), page.encode()));
            if committed::is_kept(&r) {
                kept.push((r, page));
            }
        }
        (ops, kept)
    }

    /// Run `f` on a page (status map or log) and a slot of it, reading the
    /// page first if this block has not yet.
    fn with_page<R>(
        &self,
        page: PageRef,
        slot: usize,
        f: impl FnOnce(&mut (Arc<Page>, bool), usize) -> R,
    ) -> Result<R, StoreError> {
        let mut pages = self.pages.borrow_mut();
        let entry = match pages.entry(page) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let page = self.load(e.key())?;
                e.insert((page, false))
            }
        };
        Ok(f(entry, slot))
    }

    fn with_smt_page<R>(
        &self,
        depth: u16,
        pos: &Digest,
        f: impl FnOnce(&mut (Arc<Page>, bool), usize) -> R,
    ) -> Result<R, StoreError> {
        let (id, slot) = pages::locate(depth, pos);
        self.with_page(PageRef::Smt(id), slot, f)
    }

    fn with_log_page<R>(
        &self,
        level: u8,
        index: u64,
        f: impl FnOnce(&mut (Arc<Page>, bool), usize) -> R,
    ) -> Result<R, StoreError> {
        let (id, slot) = pages::locate_log(level, index);
        self.with_page(PageRef::Log(id), slot, f)
    }
}

impl StateView for Pending<'_> {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError> {
        if let Some((kept, height)) = self.shared
            && is_shared(key)
            && !self.written_shared.contains(key)
        {
            if let Some(value) = kept.get(height, key) {
                return Ok(value);
            }
            // Not written by this block: the committed value at `height`.
            let value = self.db.get(cf::STATE, &key.digest(self.suite).0)?;
            kept.put(height, key.clone(), value.clone());
            return Ok(value);
        }
        Ok(Pending::get(self, cf::STATE, &key.digest(self.suite).0)?)
    }
}

impl BlockStore for Pending<'_> {
    fn put_state(&mut self, key: &StateKey, digest: &Digest, value: Vec<u8>) {
        if self.shared.is_some() && is_shared(key) {
            self.written_shared.insert(key.clone());
        }
        self.put(cf::STATE, digest.0.to_vec(), value);
    }
}

impl LogStore for Pending<'_> {
    fn node(&self, level: u8, index: u64) -> Result<Option<Digest>, LedgerError> {
        let node = self.with_log_page(level, index, |(page, _), slot| page.get(slot))?;
        match node {
            None => Ok(None),
            Some(SmtNode::Interior(h)) => Ok(Some(h)),
            Some(SmtNode::Leaf { .. }) => Err(StoreError::Corrupt {
                what: "log page",
                reason: "a status-map leaf in it".into(),
            }
            .into()),
        }
    }

    fn put_node(&mut self, level: u8, index: u64, hash: Digest) -> Result<(), LedgerError> {
        Ok(self.with_log_page(level, index, |(page, dirty), slot| {
            Arc::make_mut(page).set(slot, Some(SmtNode::Interior(hash)));
            *dirty = true;
        })?)
    }
}

impl SmtStore for Pending<'_> {
    fn node(&self, depth: u16, prefix: &Digest) -> Result<Option<SmtNode>, LedgerError> {
        Ok(self.with_smt_page(depth, prefix, |(page, _), slot| page.get(slot))?)
    }

    fn put_node(&mut self, depth: u16, prefix: Digest, node: SmtNode) -> Result<(), LedgerError> {
        Ok(self.with_smt_page(depth, &prefix, |(page, dirty), slot| {
            Arc::make_mut(page).set(slot, Some(node));
            *dirty = true;
        })?)
    }

    fn delete_node(&mut self, depth: u16, prefix: &Digest) -> Result<(), LedgerError> {
        Ok(self.with_smt_page(depth, prefix, |(page, dirty), slot| {
            Arc::make_mut(page).set(slot, None);
            *dirty = true;
        })?)
    }

    fn children(
        &self,
        depth: u16,
        prefix: &Digest,
    ) -> Result<(Option<SmtNode>, Option<SmtNode>), LedgerError> {
        // Siblings share a page, the right one in the slot after the left.
        Ok(self.with_smt_page(depth + 1, prefix, |(page, _), slot| {
            (page.get(slot), page.get(slot + 1))
        })?)
    }

    fn prefetch(&self, keys: &[Digest]) -> Result<(), LedgerError> {
        Ok(self.read_paths(keys)?)
    }
}

impl Pending<'_> {
    /// Read the status-map pages on the paths to `keys` (in order) that
    /// this block has not read yet, one page level at a time, each level's
    /// pages that no cache holds in one RocksDB request: on a ledger of
    /// millions of keys a block's walk otherwise reads two or three such
    /// pages per key, one lookup each. A key's path goes on below a page
    /// while the page holds an interior node at its bottom level on it.
    /// What is read is what [`Pending::load`] would read: the pages are
    /// kept unchanged, as if the walk had read them.
    fn read_paths(&self, keys: &[Digest]) -> Result<(), StoreError> {
        let mut active: Vec<&Digest> = keys.iter().collect();
        let mut top = 0usize;
        while !active.is_empty() && top + PAGE_LEVELS <= 256 {
            let d0 = u16::try_from(top).unwrap_or(u16::MAX);
            let mut ids: Vec<PageRef> = active
                .iter()
                .map(|k| PageRef::Smt((d0, smt_prefix(k, top))))
                .collect();
            ids.dedup();
            let mut batch = Vec::new();
            {
                let mut pages = self.pages.borrow_mut();
                for id in ids {
                    if pages.contains_key(&id) {
                        continue;
                    }
                    // A page a cache keeps: read as the walk would,
                    // through it.
                    if self.cache_for(&id).is_some() {
                        let page = self.load(&id)?;
                        pages.insert(id, (page, false));
                    } else {
                        batch.push(id);
                    }
                }
            }
            if !batch.is_empty() {
                let read = pages::load_many(self.db, &batch)?;
                let mut pages = self.pages.borrow_mut();
                for (id, page) in batch.into_iter().zip(read) {
                    pages.insert(id, (Arc::new(page), false));
                }
            }
            let bottom = u16::try_from(top + PAGE_LEVELS).unwrap_or(u16::MAX);
            let pages = self.pages.borrow();
            active.retain(|k| {
                let (id, slot) = pages::locate(bottom, k);
                pages
                    .get(&PageRef::Smt(id))
                    .and_then(|(p, _)| p.get(slot))
                    .is_some_and(|n| matches!(n, SmtNode::Interior(_)))
            });
            top += PAGE_LEVELS;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::shared::shared_entries;

    /// Through the shared entries, a block reads a shared entry it wrote
    /// from its own writes, and what it reads from the database is kept for
    /// the height only.
    #[test]
    fn a_shared_entry_written_is_read_back_from_the_writes() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let suite = Suite::Sm;
        let kept = shared_entries();
        let pages = CommittedPages::default();
        let key = StateKey::Org("91440000MA".into());
        let mut block = Pending::over(&db, suite, &kept, &pages, 7);
        assert_eq!(StateView::get(&block, &key).unwrap(), None);
        assert_eq!(kept.get(7, &key), Some(None), "kept for height 7");
        block.put_state(&key, &key.digest(Suite::Sm), b"registered".to_vec());
        assert_eq!(
            StateView::get(&block, &key).unwrap().as_deref(),
            Some(&b"registered"[..])
        );
        // Another reader of height 7 still sees the committed state.
        let other = Pending::over(&db, suite, &kept, &pages, 7);
        assert_eq!(StateView::get(&other, &key).unwrap(), None);
        // Once committed, height 8 reads it from the database.
        db.write(block.into_ops()).unwrap();
        let next = Pending::over(&db, suite, &kept, &pages, 8);
        assert_eq!(
            StateView::get(&next, &key).unwrap().as_deref(),
            Some(&b"registered"[..])
        );
        assert_eq!(kept.get(7, &key), None, "height 7's entries are gone");
    }

    /// Reading a batch's paths ahead reads each page as the walk would
    /// have, changes none, and leaves the walk to those keys nothing more
    /// to read.
    #[test]
    fn paths_read_ahead_are_the_pages_the_walk_reads() {
        use yinzheng_ledger::merkle::StatusMap;
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let key = |tag: &[u8], i: u32| Suite::Sm.hash_parts(&[tag, &i.to_be_bytes()]);
        let stored: Vec<Digest> = (0..6_000).map(|i| key(b"stored", i)).collect();
        let mut block = Pending::new(&db, Suite::Sm);
        StatusMap::open(Suite::Sm, &mut block)
            .insert_batch(stored.iter().map(|k| (k, &b"v"[..])))
            .unwrap();
        db.write(block.into_ops()).unwrap();
        let mut probe: Vec<Digest> = stored.iter().step_by(7).copied().collect();
        probe.extend((0..100).map(|i| key(b"new", i)));
        probe.sort_unstable();

        let ahead = Pending::new(&db, Suite::Sm);
        ahead.read_paths(&probe).unwrap();
        let read = ahead.pages.borrow().len();
        // Six thousand keys: most leaves 13 to 16 deep (the fourth page
        // level), the few keys that share longer prefixes deeper.
        let deepest = ahead
            .pages
            .borrow()
            .keys()
            .map(|r| match r {
                PageRef::Smt((d0, _)) => *d0,
                PageRef::Log(_) => u16::MAX,
            })
            .max();
        assert!(
            deepest.is_some_and(|d| d >= 12),
            "{read} pages, deepest {deepest:?}"
        );
        for (page, (value, dirty)) in ahead.pages.borrow().iter() {
            assert!(!dirty, "{page:?}");
            assert_eq!(**value, pages::load(&db, page).unwrap(), "{page:?}");
        }
        for k in &probe {
            for depth in 0..=256 {
                let node = SmtStore::node(&ahead, depth, &smt_prefix(k, usize::from(depth)));
                if !matches!(node.unwrap(), Some(SmtNode::Interior(_))) {
                    break;
                }
            }
        }
        assert_eq!(ahead.pages.borrow().len(), read, "pages the walk read");
        // One request answers keys in any order, each in its place.
        let mut ids: Vec<PageRef> = ahead.pages.borrow().keys().copied().collect();
        ids.sort_by_key(|r| std::cmp::Reverse(r.key()));
        ids.push(PageRef::Smt((200, Digest([7; 32]))));
        let keys: Vec<Vec<u8>> = ids.iter().map(PageRef::key).collect();
        let got = db
            .multi_get_with(cf::SMT_PAGES, &keys, |v| v.to_vec())
            .unwrap();
        for (id, value) in ids.iter().zip(got) {
            assert_eq!(value, db.get(cf::SMT_PAGES, &id.key()).unwrap(), "{id:?}");
        }
    }
}
