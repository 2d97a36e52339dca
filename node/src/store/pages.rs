//! The status map and the log on disk in pages: every node of a four-level
//! subtree in one RocksDB entry instead of one entry per node.
//!
//! The trees, their roots and their proofs are the ledger's
//! (`docs/spec/status-map.md`, `docs/spec/log.md`); this is only where their
//! nodes are kept. Both children of any node are in one page, so a path of
//! `n` levels with all its siblings is about `n / 4` reads, and adding a key
//! or a record rewrites one entry per four levels.
//!
//! **Status map** (`cf::SMT_PAGES`). A page is named by the position of its
//! top, at a depth `d0` that is a multiple of [`PAGE_LEVELS`], and holds the
//! nodes at depths `d0 + 1 ..= d0 + 4` below it (the first page also the
//! root, depth 0). Key: `d0` (u16 BE) ‖ the first `⌈d0 / 8⌉` bytes of the
//! position. Slot of a node `rel = depth − d0` levels below the top whose
//! position continues with the bits `b`: `2^rel − 1 + b`.
//!
//! **Log** (`cf::LOG_PAGES`). Band `k` holds levels `4k ..= 4k + 3`; the page
//! of node (`level`, `index`) is named by its ancestor four levels above the
//! band's lowest level, `j = index >> (4k + 4 − level)`. Key: `k` (u8) ‖ `j`
//! (u64 BE). Slot, with `rel = 4k + 4 − level` (1 ..= 4): `2^rel − 1 + (index
//! mod 2^rel)`.
//!
//! Value (both): `0x01` ‖ present (u32 BE) ‖ leaves (u32 BE, a subset of
//! present; always empty in the log) ‖ for each present slot in order, 32
//! bytes (an interior node's or a log node's hash) or 64 (a status-map
//! leaf's key ‖ value hash). RocksDB keeps the status-map pages' values in
//! its blob files (ADR 0023); that changes where they lie, not their bytes.

use std::collections::HashMap;

use yinzheng_crypto::Digest;
use yinzheng_ledger::merkle::{SmtNode, smt_prefix};

use super::{Db, StoreError, cf};

/// Levels of the tree in one page.
pub const PAGE_LEVELS: usize = LEVELS as usize;
const LEVELS: u8 = 4;
/// Slots of a page: every node of a complete tree of `PAGE_LEVELS + 1` levels.
const SLOTS: usize = (2 << PAGE_LEVELS) - 1;
const FORMAT: u8 = 1;

/// A page's name: the depth of its top and the top's position.
pub type PageId = (u16, Digest);

/// A log page's name: its band and its index there.
pub type LogPageId = (u8, u64);

/// A page of either tree: what a block's page cache is keyed by (no key
/// bytes built on every node read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageRef {
    /// A status-map page.
    Smt(PageId),
    /// A log page.
    Log(LogPageId),
}

impl PageRef {
    /// Its column family.
    pub fn family(&self) -> &'static str {
        match self {
            PageRef::Smt(_) => cf::SMT_PAGES,
            PageRef::Log(_) => cf::LOG_PAGES,
        }
    }

    /// Its key there.
    pub fn key(&self) -> Vec<u8> {
        match self {
            PageRef::Smt(id) => page_key(id),
            PageRef::Log(id) => log_page_key(id),
        }
    }

    fn what(&self) -> &'static str {
        match self {
            PageRef::Smt(_) => "status-map page",
            PageRef::Log(_) => "log page",
        }
    }
}

/// The page holding the status-map node at (`depth`, `pos`), and its slot there.
pub fn locate(depth: u16, pos: &Digest) -> (PageId, usize) {
    let d = usize::from(depth);
    let d0 = if d == 0 {
        0
    } else {
        (d - 1) / PAGE_LEVELS * PAGE_LEVELS
    };
    let rel = d - d0;
    let mut bits = 0usize;
    for i in d0..d {
        bits = (bits << 1) | usize::from((pos.0[i / 8] >> (7 - i % 8)) & 1);
    }
    // d0 ≤ 252: it fits.
    let top = u16::try_from(d0).unwrap_or(u16::MAX);
    ((top, smt_prefix(pos, d0)), (1 << rel) - 1 + bits)
}

/// The page holding the log node (`level`, `index`), and its slot there.
pub fn locate_log(level: u8, index: u64) -> (LogPageId, usize) {
    let band = level / LEVELS;
    let rel = u32::from(band) * u32::from(LEVELS) + u32::from(LEVELS) - u32::from(level);
    let page = index.checked_shr(rel).unwrap_or(0);
    let low = usize::try_from(index & ((1u64 << rel) - 1)).unwrap_or(0);
    ((band, page), (1 << rel) - 1 + low)
}

/// A log page's key in [`cf::LOG_PAGES`].
pub fn log_page_key(id: &LogPageId) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(id.0);
    k.extend_from_slice(&id.1.to_be_bytes());
    k
}

/// A status-map page's key in [`cf::SMT_PAGES`].
pub fn page_key(id: &PageId) -> Vec<u8> {
    let n = usize::from(id.0).div_ceil(8);
    let mut k = Vec::with_capacity(2 + n);
    k.extend_from_slice(&id.0.to_be_bytes());
    k.extend_from_slice(&id.1.0[..n]);
    k
}

/// The nodes of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    nodes: [Option<SmtNode>; SLOTS],
}

impl Default for Page {
    fn default() -> Self {
        Page {
            nodes: [None; SLOTS],
        }
    }
}

impl Page {
    /// The node in a slot.
    pub fn get(&self, slot: usize) -> Option<SmtNode> {
        self.nodes.get(slot).copied().flatten()
    }

    /// Set or clear a slot.
    pub fn set(&mut self, slot: usize, node: Option<SmtNode>) {
        if let Some(s) = self.nodes.get_mut(slot) {
            *s = node;
        }
    }

    /// The stored value, or `None` for a page with no node left.
    pub fn encode(&self) -> Option<Vec<u8>> {
        let (mut present, mut leaves) = (0u32, 0u32);
        for (i, n) in self.nodes.iter().enumerate() {
            match n {
                None => continue,
                Some(SmtNode::Interior(_)) => {}
                Some(SmtNode::Leaf { .. }) => leaves |= 1 << i,
            }
            present |= 1 << i;
        }
        if present == 0 {
            return None;
        }
        // Sized once: 32 bytes a present slot, 32 more a leaf.
        let len = 9 + 32 * (present.count_ones() + leaves.count_ones()) as usize;
        let mut v = Vec::with_capacity(len);
        v.push(FORMAT);
        v.extend_from_slice(&present.to_be_bytes());
        v.extend_from_slice(&leaves.to_be_bytes());
        for n in self.nodes.iter().flatten() {
            match n {
                SmtNode::Interior(h) => v.extend_from_slice(&h.0),
                SmtNode::Leaf { key, value_hash } => {
                    v.extend_from_slice(&key.0);
                    v.extend_from_slice(&value_hash.0);
                }
            }
        }
        Some(v)
    }

    /// Parse a stored value (of a `what`: a status-map or a log page);
    /// anything but an exact encoding is corrupt.
    pub fn decode(v: &[u8], what: &'static str) -> Result<Page, StoreError> {
        let bad = |reason: &str| StoreError::Corrupt {
            what,
            reason: reason.to_owned(),
        };
        if v.len() < 9 || v[0] != FORMAT {
            return Err(bad("no page header"));
        }
        let word = |i: usize| u32::from_be_bytes([v[i], v[i + 1], v[i + 2], v[i + 3]]);
        let (present, leaves) = (word(1), word(5));
        if present == 0 || present >> SLOTS != 0 || leaves & !present != 0 {
            return Err(bad("slot bitmaps inconsistent"));
        }
        let mut page = Page::default();
        let mut at = 9usize;
        for i in 0..SLOTS {
            if present & (1 << i) == 0 {
                continue;
            }
            let len = if leaves & (1 << i) != 0 { 64 } else { 32 };
            let chunk = v
                .get(at..at + len)
                .ok_or_else(|| bad("shorter than its bitmaps"))?;
            let digest =
                |r: std::ops::Range<usize>| Digest::from_slice(&chunk[r]).unwrap_or_default();
            page.nodes[i] = Some(if len == 64 {
                SmtNode::Leaf {
                    key: digest(0..32),
                    value_hash: digest(32..64),
                }
            } else {
                SmtNode::Interior(digest(0..32))
            });
            at += len;
        }
        if at != v.len() {
            return Err(bad("longer than its bitmaps"));
        }
        Ok(page)
    }
}

/// Read a page from the database (an absent page is empty).
pub fn load(db: &Db, page: &PageRef) -> Result<Page, StoreError> {
    // Decoded in place: no copy of the stored bytes.
    db.get_with(page.family(), &page.key(), |v| Page::decode(v, page.what()))?
        .unwrap_or_else(|| Ok(Page::default()))
}

/// Read pages of one tree (all status-map pages, or all log pages) from
/// the database in one request, each as [`load`] reads it (an absent page
/// is empty), in the order given.
pub fn load_many(db: &Db, pages: &[PageRef]) -> Result<Vec<Page>, StoreError> {
    let Some(first) = pages.first() else {
        return Ok(Vec::new());
    };
    let keys: Vec<Vec<u8>> = pages.iter().map(PageRef::key).collect();
    // Decoded in place: no copy of the stored bytes.
    db.multi_get_with(first.family(), &keys, |v| Page::decode(v, first.what()))?
        .into_iter()
        .map(|page| page.unwrap_or_else(|| Ok(Page::default())))
        .collect()
}

/// A node as the node-per-entry layout stored it (`cf::SMT`, before pages).
fn decode_legacy(v: &[u8]) -> Result<SmtNode, StoreError> {
    let bad = || StoreError::Corrupt {
        what: "status-map node",
        reason: format!("{} bytes", v.len()),
    };
    let d = |r: std::ops::Range<usize>| Digest::from_slice(&v[r]).ok_or_else(bad);
    match (v.first(), v.len()) {
        (Some(1), 65) => Ok(SmtNode::Leaf {
            key: d(1..33)?,
            value_hash: d(33..65)?,
        }),
        (Some(2), 33) => Ok(SmtNode::Interior(d(1..33)?)),
        _ => Err(bad()),
    }
}

/// Pages written per batch while converting.
const MIGRATE_BATCH: usize = 20_000;

/// Convert a database whose status map or log is in the node-per-entry
/// layout (`cf::SMT`: depth u16 BE ‖ position → node; `cf::LOG`: level u8 ‖
/// index u64 BE → hash) to pages, once. Returns the nodes moved.
pub fn migrate(db: &Db) -> Result<u64, StoreError> {
    // Status map: bands of four depths, each a contiguous range of old keys.
    let smt_bands = (0..256u16).step_by(PAGE_LEVELS).map(|d0| {
        let first = if d0 == 0 { 0 } else { d0 + 1 };
        let last = (d0 + u16::from(LEVELS)).min(256);
        (
            first.to_be_bytes().to_vec(),
            (last + 1).to_be_bytes().to_vec(),
        )
    });
    let smt = convert(db, cf::SMT, cf::SMT_PAGES, smt_bands, |k, v| {
        let (Some(depth), Some(pos)) = (
            k.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]])),
            k.get(2..).and_then(Digest::from_slice),
        ) else {
            return Err(corrupt_key("status-map node key", k));
        };
        let (id, slot) = locate(depth, &pos);
        Ok((page_key(&id), slot, decode_legacy(v)?))
    })?;
    // Log: bands of four levels.
    let log_bands = (0..64 / LEVELS).map(|k| (vec![k * LEVELS], vec![(k + 1) * LEVELS]));
    let log = convert(db, cf::LOG, cf::LOG_PAGES, log_bands, |k, v| {
        let (Ok(key), Some(hash)) = (<[u8; 9]>::try_from(k), Digest::from_slice(v)) else {
            return Err(corrupt_key("log node", k));
        };
        let index = u64::from_be_bytes([
            key[1], key[2], key[3], key[4], key[5], key[6], key[7], key[8],
        ]);
        let (id, slot) = locate_log(key[0], index);
        Ok((log_page_key(&id), slot, SmtNode::Interior(hash)))
    })?;
    Ok(smt + log)
}

fn corrupt_key(what: &'static str, k: &[u8]) -> StoreError {
    StoreError::Corrupt {
        what,
        reason: format!("key of {} bytes", k.len()),
    }
}

/// Move every entry of `old` into pages of `new`: one band of levels at a
/// time (a contiguous range of old keys), then the old entries are removed in
/// one range deletion. Killed half-way, the old entries are still all there
/// and the next start converts again from the beginning.
fn convert(
    db: &Db,
    old: &'static str,
    new: &'static str,
    bands: impl Iterator<Item = (Vec<u8>, Vec<u8>)>,
    place: impl Fn(&[u8], &[u8]) -> Result<(Vec<u8>, usize, SmtNode), StoreError>,
) -> Result<u64, StoreError> {
    if db.range(old, &[], &[0xff; 64], 1)?.is_empty() {
        return Ok(0);
    }
    db.clear(new)?;
    let mut moved = 0u64;
    for (start, end) in bands {
        let mut pages: HashMap<Vec<u8>, Page> = HashMap::new();
        db.for_each_in(old, &start, &end, |k, v| {
            let (key, slot, node) = place(k, v)?;
            pages.entry(key).or_default().set(slot, Some(node));
            moved += 1;
            Ok(())
        })?;
        let ops: Vec<_> = pages
            .into_iter()
            .filter_map(|(key, p)| Some((new, key, Some(p.encode()?))))
            .collect();
        for chunk in ops.chunks(MIGRATE_BATCH) {
            db.write_with(chunk.to_vec(), false)?;
        }
    }
    // Durable before the old layout goes: the clear below is synced, and
    // RocksDB's log orders it after the page writes.
    db.clear(old)?;
    db.compact(old)?;
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use yinzheng_crypto::Suite;
    use yinzheng_ledger::LedgerError;
    use yinzheng_ledger::merkle::{
        LogStore, MemLogStore, MemSmtStore, MerkleLog, SmtStore, StatusMap,
    };

    use super::super::Pending;
    use super::*;

    fn digest(b: u8) -> Digest {
        Digest([b; 32])
    }

    #[test]
    fn slots_cover_four_levels_below_each_page_top() {
        let pos = Digest([0b1011_0110; 32]);
        assert_eq!(locate(0, &Digest::default()), ((0, Digest::default()), 0));
        assert_eq!(locate(1, &smt_prefix(&pos, 1)).1, 2);
        assert_eq!(locate(4, &smt_prefix(&pos, 4)).1, 15 + 0b1011);
        // Depth 5 starts the next page: its top is the depth-4 position.
        let (id, slot) = locate(5, &smt_prefix(&pos, 5));
        assert_eq!(id, (4, smt_prefix(&pos, 4)));
        assert_eq!(slot, 1);
        let (id, slot) = locate(8, &smt_prefix(&pos, 8));
        assert_eq!((id.0, slot), (4, 15 + 0b0110));
        // Two siblings share a page.
        let mut other = smt_prefix(&pos, 8);
        other.0[0] ^= 1;
        assert_eq!(locate(8, &other).0, id);
        assert_eq!(locate(256, &pos).0.0, 252);
        assert_eq!(page_key(&(4, smt_prefix(&pos, 4))), vec![0, 4, 0b1011_0000]);
    }

    #[test]
    fn pages_round_trip_and_garbage_is_refused() {
        let mut p = Page::default();
        assert_eq!(p.encode(), None);
        p.set(0, Some(SmtNode::Interior(digest(1))));
        p.set(
            30,
            Some(SmtNode::Leaf {
                key: digest(2),
                value_hash: digest(3),
            }),
        );
        let v = p.encode().unwrap();
        assert_eq!(v.len(), 9 + 32 + 64);
        assert_eq!(Page::decode(&v, "page").unwrap(), p);
        for bad in [
            Vec::new(),
            vec![2; 9 + 96],
            v[..v.len() - 1].to_vec(),
            [v.as_slice(), &[0]].concat(),
            // A leaf bit outside the present slots.
            {
                let mut w = v.clone();
                w[8] |= 2;
                w
            },
            // The unused top bit.
            {
                let mut w = v.clone();
                w[1] |= 0x80;
                w
            },
        ] {
            assert!(Page::decode(&bad, "page").is_err(), "{bad:?}");
        }
    }

    /// Keys spread as state keys are: digests.
    fn keys(n: usize, salt: u8) -> Vec<Digest> {
        (0..u32::try_from(n).unwrap())
            .map(|i| Suite::Sm.hash_parts(&[&[salt], &i.to_be_bytes()]))
            .collect()
    }

    /// A status-map store that records what the node-per-entry layout held.
    #[derive(Default)]
    struct Legacy(std::collections::BTreeMap<(u16, Digest), SmtNode>);

    impl SmtStore for Legacy {
        fn node(&self, depth: u16, prefix: &Digest) -> Result<Option<SmtNode>, LedgerError> {
            Ok(self.0.get(&(depth, *prefix)).copied())
        }
        fn put_node(
            &mut self,
            depth: u16,
            prefix: Digest,
            node: SmtNode,
        ) -> Result<(), LedgerError> {
            self.0.insert((depth, prefix), node);
            Ok(())
        }
        fn delete_node(&mut self, depth: u16, prefix: &Digest) -> Result<(), LedgerError> {
            self.0.remove(&(depth, *prefix));
            Ok(())
        }
    }

    fn same_answers<A: SmtStore, B: SmtStore>(
        a: &StatusMap<A>,
        b: &StatusMap<B>,
        probe: &[Digest],
    ) {
        assert_eq!(a.root().unwrap(), b.root().unwrap());
        for k in probe {
            assert_eq!(a.prove(k).unwrap(), b.prove(k).unwrap());
        }
    }

    #[test]
    fn paged_map_gives_the_ledgers_roots_and_proofs_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let mut mem = StatusMap::open(Suite::Sm, MemSmtStore::default());
        let all = keys(3_000, 1);
        // Blocks of growing size, one replacing earlier values; each committed
        // to RocksDB and the map reopened over the database.
        for (b, chunk) in all.chunks(700).enumerate() {
            let mut p = Pending::new(&db, Suite::Sm);
            let mut map = StatusMap::open(Suite::Sm, &mut p);
            let value = [u8::try_from(b).unwrap(); 5];
            let again = &all[..b * 50];
            let entries: Vec<_> = chunk.iter().chain(again).map(|k| (k, &value[..])).collect();
            map.insert_batch(entries.clone()).unwrap();
            mem.insert_batch(entries).unwrap();
            db.write(p.into_ops()).unwrap();
            let p = Pending::new(&db, Suite::Sm);
            let paged = StatusMap::open(Suite::Sm, p);
            let absent = keys(50, 2);
            same_answers(
                &paged,
                &mem,
                &[&all[..((b + 1) * 700).min(all.len())], &absent].concat()[..],
            );
        }
        assert!(db.range(cf::SMT, &[], &[0xff; 64], 1).unwrap().is_empty());
        // Far fewer entries than nodes.
        let pages = db.scan(cf::SMT_PAGES).unwrap().len();
        assert!(pages < all.len(), "{pages} pages for {} keys", all.len());
    }

    /// With one corrupt entry (`bad_key` → `bad_value`) beside the `nodes`
    /// good ones of the old layout in `family`, the conversion stops with an
    /// error saying `message` and leaves the old layout whole; without it,
    /// everything converts.
    fn refused_then_converted(
        db: &Db,
        family: &'static str,
        bad_key: Vec<u8>,
        bad_value: Vec<u8>,
        message: &str,
        nodes: u64,
    ) {
        db.write(vec![(family, bad_key.clone(), Some(bad_value))])
            .unwrap();
        let err = migrate(db).unwrap_err();
        assert!(err.to_string().contains(message), "{err}");
        assert_eq!(db.scan(family).unwrap().len() as u64, nodes + 1);
        db.write(vec![(family, bad_key, None)]).unwrap();
        assert_eq!(migrate(db).unwrap(), nodes);
        assert!(db.range(family, &[], &[0xff; 64], 1).unwrap().is_empty());
    }

    #[test]
    fn a_node_per_entry_database_is_converted_once_with_the_same_answers() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let all = keys(2_000, 3);
        let mut legacy = StatusMap::open(Suite::Sm, Legacy::default());
        for (i, k) in all.iter().enumerate() {
            legacy.insert(k, &i.to_be_bytes()).unwrap();
        }
        let encode = |n: &SmtNode| match n {
            SmtNode::Leaf { key, value_hash } => [&[1u8][..], &key.0, &value_hash.0].concat(),
            SmtNode::Interior(h) => [&[2u8][..], &h.0].concat(),
        };
        let ops = legacy
            .store()
            .0
            .iter()
            .map(|((d, p), n)| {
                (
                    cf::SMT,
                    [&d.to_be_bytes()[..], &p.0].concat(),
                    Some(encode(n)),
                )
            })
            .collect();
        db.write(ops).unwrap();
        let nodes = legacy.store().0.len() as u64;
        let bad_key = [&200u16.to_be_bytes()[..], &[0; 32]].concat();
        refused_then_converted(
            &db,
            cf::SMT,
            bad_key,
            vec![9],
            "corrupt status-map node",
            nodes,
        );
        assert!(db.range(cf::SMT, &[], &[0xff; 64], 1).unwrap().is_empty());
        assert_eq!(migrate(&db).unwrap(), 0, "a second start converts nothing");
        let paged = StatusMap::open(Suite::Sm, Pending::new(&db, Suite::Sm));
        same_answers(&paged, &legacy, &[&all[..], &keys(50, 4)].concat()[..]);
    }

    #[test]
    fn log_slots_keep_siblings_together() {
        assert_eq!(locate_log(0, 0), ((0, 0), 15));
        assert_eq!(locate_log(0, 17), ((0, 1), 16));
        assert_eq!(locate_log(3, 5), ((0, 2), 2));
        assert_eq!(locate_log(3, 4), ((0, 2), 1));
        assert_eq!(locate_log(4, 16), ((1, 1), 15));
        assert_eq!(locate_log(63, 0), ((15, 0), 1));
        assert_eq!(log_page_key(&(1, 2)), vec![1, 0, 0, 0, 0, 0, 0, 0, 2]);
    }

    fn same_log<A: LogStore, B: LogStore>(a: &MerkleLog<A>, b: &MerkleLog<B>) {
        let n = b.size();
        assert_eq!(a.size(), n);
        assert_eq!(a.root().unwrap(), b.root().unwrap());
        for i in (0..n).step_by(37).chain([n - 1]) {
            assert_eq!(
                a.inclusion_proof(i, n).unwrap(),
                b.inclusion_proof(i, n).unwrap()
            );
            assert_eq!(
                a.consistency_proof(i + 1, n).unwrap(),
                b.consistency_proof(i + 1, n).unwrap()
            );
            assert_eq!(a.root_at(i + 1).unwrap(), b.root_at(i + 1).unwrap());
        }
    }

    #[test]
    fn paged_log_gives_the_ledgers_roots_and_proofs_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let mut mem = MerkleLog::open(Suite::Sm, 0, MemLogStore::default());
        for block in [1usize, 15, 2, 300, 77, 1_000] {
            let mut p = Pending::new(&db, Suite::Sm);
            let mut log = MerkleLog::open(Suite::Sm, mem.size(), &mut p);
            for i in 0..block {
                let data = (mem.size() + u64::try_from(i).unwrap()).to_be_bytes();
                log.append(&data).unwrap();
            }
            for _ in 0..block {
                mem.append(&mem.size().to_be_bytes()).unwrap();
            }
            db.write(p.into_ops()).unwrap();
            let paged = MerkleLog::open(Suite::Sm, mem.size(), Pending::new(&db, Suite::Sm));
            same_log(&paged, &mem);
        }
        assert!(db.range(cf::LOG, &[], &[0xff; 64], 1).unwrap().is_empty());
    }

    #[test]
    fn a_node_per_entry_log_is_converted_with_the_same_answers() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let mut mem = MerkleLog::open(Suite::Sm, 0, MemLogStore::default());
        for i in 0..1_500u64 {
            mem.append(&i.to_be_bytes()).unwrap();
        }
        // The old layout: every stored node its own entry.
        let mut ops = Vec::new();
        for level in 0..=11u8 {
            for index in 0.. {
                let Some(h) = mem.store().node(level, index).unwrap() else {
                    break;
                };
                ops.push((
                    cf::LOG,
                    [&[level][..], &index.to_be_bytes()].concat(),
                    Some(h.0.to_vec()),
                ));
            }
        }
        let nodes = ops.len() as u64;
        db.write(ops).unwrap();
        let bad = [&[40u8][..], &[0; 8]].concat();
        refused_then_converted(&db, cf::LOG, bad, vec![1; 31], "corrupt log node", nodes);
        assert_eq!(migrate(&db).unwrap(), 0);
        let paged = MerkleLog::open(Suite::Sm, mem.size(), Pending::new(&db, Suite::Sm));
        same_log(&paged, &mem);
    }
}
