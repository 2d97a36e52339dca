//! RocksDB storage: one column family per kind of data, one atomic write
//! batch per committed block (written with sync, so a block that was
//! acknowledged survives a crash of the process or the machine).

pub mod committed;
pub mod hot;
pub mod pages;
mod pending;
pub mod shared;

use std::path::Path;

use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamilyDescriptor, DB, Options, WriteBatch, WriteOptions,
};
use yinzheng_ledger::LedgerError;

pub use pending::Pending;

/// Column families.
pub mod cf {
    /// Node-wide values: committed height, log size.
    pub const META: &str = "meta";
    /// Height (u64 BE) → `StoredBlock`.
    pub const BLOCKS: &str = "blocks";
    /// Log index (u64 BE) → record envelope bytes.
    pub const RECORDS: &str = "records";
    /// (level u8, index u64 BE) → 32-byte Merkle log node: the layout before
    /// pages, read only to convert it (`pages::migrate`), empty afterwards.
    pub const LOG: &str = "log";
    /// Log pages: every node of four levels in one entry (`pages`).
    pub const LOG_PAGES: &str = "log_pages";
    /// (depth u16 BE, prefix) → status-map node: the layout before pages,
    /// read only to convert it (`pages::migrate`), empty afterwards.
    pub const SMT: &str = "smt";
    /// Status-map pages: every node of four levels in one entry
    /// (`pages`).
    pub const SMT_PAGES: &str = "smt_pages";
    /// State key digest → state value.
    pub const STATE: &str = "state";
    /// Since-height (u64 BE) → `StoredValidatorSet`.
    pub const VALSETS: &str = "valsets";
    /// Subject key digest (certificate, seal) → id of the record that created
    /// it (an issue, a supersession for the replacement, a seal registration).
    pub const INDEX: &str = "index";
    /// Record id → admission time (u64 BE, ms) ‖ envelope bytes: records
    /// admitted and not yet committed (node-local, not part of any root).
    pub const MEMPOOL: &str = "mempool";
    /// Audit indexes (node-local, rebuildable from the blocks):
    /// `node::audit::index`.
    pub const AUDIT: &str = "audit";
    /// Height (u64 BE) → the block's records tree, every node
    /// (`yinzheng_ledger::merkle::tree_levels`): bundles read their records
    /// path here (node-local, rebuildable from the blocks).
    pub const TREES: &str = "trees";
    /// All of them.
    pub const ALL: [&str; 13] = [
        META, BLOCKS, RECORDS, LOG, LOG_PAGES, SMT, SMT_PAGES, STATE, VALSETS, INDEX, MEMPOOL,
        AUDIT, TREES,
    ];
}

/// Keys in the `meta` column family.
pub mod meta {
    /// Height of the last committed block (u64 BE).
    pub const HEIGHT: &[u8] = b"height";
    /// Genesis hash the database was created for.
    pub const GENESIS: &[u8] = b"genesis";
    /// Version of the audit indexes and records trees written (u64 BE);
    /// absent or another: the node rebuilds them at start.
    pub const AUDIT: &[u8] = b"audit";
}

/// Size of the block cache the column families share, unless configured
/// (`block_cache_mb`).
pub const BLOCK_CACHE_BYTES: usize = 256 << 20;

/// Share of each memtable given to its Bloom filter.
const MEMTABLE_BLOOM_RATIO: f64 = 0.1;

/// Size of each blob file of the status map's pages.
const PAGE_BLOB_FILE_BYTES: u64 = 256 << 20;

/// Size of `smt_pages`' memtable. Every block rewrites pages spread over the
/// whole key space, so each level-0 file of the family overlaps all of
/// level 1, and each compaction rewrites all of level 1 (its keys and page
/// references: about 50 MB at five million records). Four times RocksDB's
/// default 64 MiB means fewer flushes and fewer of those compactions, and
/// a page rewritten by several blocks before a flush reaches its blob file
/// once (ADR 0021; `docs/benchmarks.md`, "CPU per record by part").
const PAGE_WRITE_BUFFER_BYTES: usize = 256 << 20;

/// Level-0 files of `smt_pages` that start a compaction into level 1
/// (RocksDB's default: 4). Each such compaction rewrites all of level 1
/// (see [`PAGE_WRITE_BUFFER_BYTES`]), so waiting for twice the files halves
/// how often it is rewritten; a read of a page then looks into at most
/// twice the level-0 files, each behind its Bloom filter (ADR 0021).
const PAGE_L0_COMPACTION_TRIGGER: i32 = 8;

/// Share of the oldest blob files whose live pages a compaction moves to
/// new files (RocksDB's blob garbage collection), so that the space of
/// rewritten pages is given back.
const PAGE_BLOB_GC_AGE_CUTOFF: f64 = 0.25;

/// The status map's pages kept in blob files (ADR 0023): its LSM tree then
/// holds each page's key and a reference (about 40 bytes) instead of the
/// page (about 330 bytes), so the compactions that every block's scattered
/// page writes cause rewrite references, not pages. A changed page is
/// written once more, to a new blob file at the flush; the older copy
/// becomes garbage that garbage collection reclaims as the files age.
fn pages_in_blob_files(o: &mut Options) {
    o.set_enable_blob_files(true);
    o.set_min_blob_size(0);
    o.set_blob_file_size(PAGE_BLOB_FILE_BYTES);
    // Pages are hashes: nothing to compress.
    o.set_blob_compression_type(rocksdb::DBCompressionType::None);
    o.set_enable_blob_gc(true);
    o.set_blob_gc_age_cutoff(PAGE_BLOB_GC_AGE_CUTOFF);
    o.set_write_buffer_size(PAGE_WRITE_BUFFER_BYTES);
    o.set_level_zero_file_num_compaction_trigger(PAGE_L0_COMPACTION_TRIGGER);
}

/// One write of a batch: column family, key, value (`None` deletes).
pub type Op = (&'static str, Vec<u8>, Option<Vec<u8>>);

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// Size figures of one column family.
#[derive(Debug, Clone, Copy)]
pub struct FamilyStats {
    /// Its name.
    pub family: &'static str,
    /// Bytes of its SST files.
    pub sst_bytes: u64,
    /// Bytes of its blob files (the status map's pages, ADR 0023), garbage
    /// not yet collected included.
    pub blob_bytes: u64,
    /// Bytes in its memtables.
    pub memtable_bytes: u64,
    /// Bytes compaction has yet to rewrite.
    pub pending_compaction_bytes: u64,
}

/// The node's database.
pub struct Db {
    db: DB,
}

/// A storage failure: the database's own error, or data it returned that
/// is not what this node wrote.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// RocksDB failed (I/O, corruption it detected, a lock held elsewhere).
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),
    /// The database lacks a column family this node creates.
    #[error("no column family {0}")]
    NoFamily(&'static str),
    /// A stored value that does not decode.
    #[error("corrupt {what}: {reason}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

impl From<StoreError> for LedgerError {
    fn from(e: StoreError) -> LedgerError {
        LedgerError::backend(e)
    }
}

impl Db {
    /// Open (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        Db::open_with_cache(path, BLOCK_CACHE_BYTES)
    }

    /// Open the database at `path` with a block cache of `cache_bytes`.
    pub fn open_with_cache(path: &Path, cache_bytes: usize) -> Result<Db, StoreError> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        // One block cache for every family, large enough for the status
        // map's and the log's upper levels on a ledger of millions of
        // records (RocksDB's own default is 8 MiB per table factory, where a
        // bundle's status proofs missed it for most of their reads), and
        // Bloom filters so a point read skips files without the key.
        let cache = Cache::new_lru_cache(cache_bytes)?;
        let mut table = BlockBasedOptions::default();
        table.set_block_cache(&cache);
        table.set_bloom_filter(10.0, false);
        let mut family = Options::default();
        family.set_block_based_table_factory(&table);
        // A Bloom filter over each memtable's keys too: executing a block
        // reads many status-map nodes that live in files, not in the
        // memtable, and each such read searched the memtable's skip list
        // first (a fifth of an observer's catch-up time, perf).
        family.set_memtable_prefix_bloom_ratio(MEMTABLE_BLOOM_RATIO);
        family.set_memtable_whole_key_filtering(true);
        let cfs = cf::ALL.iter().map(|n| {
            let mut o = family.clone();
            if *n == cf::SMT_PAGES {
                pages_in_blob_files(&mut o);
            }
            ColumnFamilyDescriptor::new(*n, o)
        });
        // Compactions yield the CPU to everything else (ADR 0021): they
        // rewrite the status map's keys and page references (the pages are
        // in blob files, ADR 0023) and the other families in bursts that
        // grow with the ledger, and nothing waits on them until level 0 has
        // many files, when RocksDB slows the writes by itself. Flushes
        // (the high-priority pool) keep the node's priority.
        let mut env = rocksdb::Env::new()?;
        env.lower_thread_pool_cpu_priority();
        opts.set_env(&env);
        let db = DB::open_cf_descriptors(&opts, path, cfs)?;
        Ok(Db { db })
    }

    /// Read one value.
    pub fn get(&self, family: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.family(family)?, key)?)
    }

    /// Read one value in place (no copy out of RocksDB's block cache) and
    /// map it with `f`: for large values of which a reader needs a part.
    pub fn get_with<T>(
        &self,
        family: &'static str,
        key: &[u8],
        f: impl FnOnce(&[u8]) -> T,
    ) -> Result<Option<T>, StoreError> {
        Ok(self
            .db
            .get_pinned_cf(self.family(family)?, key)?
            .map(|v| f(&v)))
    }

    /// Read many values of one family in one request, each mapped in
    /// place with `f`: RocksDB looks the keys up together (one pass over
    /// each file's filter and index for the keys it may hold, the values
    /// of one blob file read together). The values come back in the order
    /// of `keys`, which may be in any order.
    pub fn multi_get_with<T>(
        &self,
        family: &'static str,
        keys: &[Vec<u8>],
        mut f: impl FnMut(&[u8]) -> T,
    ) -> Result<Vec<Option<T>>, StoreError> {
        self.db
            .batched_multi_get_cf(self.family(family)?, keys, false)
            .into_iter()
            .map(|r| Ok(r?.map(|v| f(&v))))
            .collect()
    }

    fn family(&self, name: &'static str) -> Result<&rocksdb::ColumnFamily, StoreError> {
        self.db.cf_handle(name).ok_or(StoreError::NoFamily(name))
    }

    /// Apply a batch atomically and durably.
    pub fn write(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        self.write_with(ops, true)
    }

    /// Apply a batch atomically; `sync` waits for it to reach the disk
    /// (without, a crash of the machine can lose it, not of the process).
    pub fn write_with(&self, mut ops: Vec<Op>, sync: bool) -> Result<(), StoreError> {
        // In key order within each family: RocksDB's memtable (a skip list)
        // starts each insert from where the previous one went in, so a
        // batch in order inserts without searching from the top. A stable
        // sort: two writes of one key keep their order.
        ops.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let mut batch = WriteBatch::default();
        for (family, k, v) in ops {
            let h = self.family(family)?;
            match v {
                Some(v) => batch.put_cf(h, k, v),
                None => batch.delete_cf(h, k),
            }
        }
        let mut wo = WriteOptions::default();
        wo.set_sync(sync);
        Ok(self.db.write_opt(batch, &wo)?)
    }

    /// Every entry of a (small) column family, in key order.
    pub fn scan(&self, family: &'static str) -> Result<Vec<Entry>, StoreError> {
        self.db
            .iterator_cf(self.family(family)?, rocksdb::IteratorMode::Start)
            .map(|r| Ok(r.map(|(k, v)| (k.to_vec(), v.to_vec()))?))
            .collect()
    }

    /// Size figures of each column family, for the operator's metrics.
    pub fn stats(&self) -> Vec<FamilyStats> {
        let prop = |h: &rocksdb::ColumnFamily, name: &str| {
            self.db
                .property_int_value_cf(h, name)
                .ok()
                .flatten()
                .unwrap_or(0)
        };
        cf::ALL
            .iter()
            .filter_map(|name| {
                let h = self.db.cf_handle(name)?;
                Some(FamilyStats {
                    family: name,
                    sst_bytes: prop(h, "rocksdb.total-sst-files-size"),
                    blob_bytes: prop(h, "rocksdb.total-blob-file-size"),
                    memtable_bytes: prop(h, "rocksdb.cur-size-all-mem-tables"),
                    pending_compaction_bytes: prop(h, "rocksdb.estimate-pending-compaction-bytes"),
                })
            })
            .collect()
    }

    /// Compactions running now.
    pub fn running_compactions(&self) -> u64 {
        self.db
            .property_int_value("rocksdb.num-running-compactions")
            .ok()
            .flatten()
            .unwrap_or(0)
    }

    /// Up to `limit` entries with `start <= key < end`, in key order.
    pub fn range(
        &self,
        family: &'static str,
        start: &[u8],
        end: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        let mode = rocksdb::IteratorMode::From(start, rocksdb::Direction::Forward);
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.family(family)?, mode) {
            let (k, v) = item?;
            if out.len() >= limit || k.as_ref() >= end {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    /// Call `f` on every entry with `start <= key < end`, in key order.
    pub fn for_each_in(
        &self,
        family: &'static str,
        start: &[u8],
        end: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mode = rocksdb::IteratorMode::From(start, rocksdb::Direction::Forward);
        for item in self.db.iterator_cf(self.family(family)?, mode) {
            let (k, v) = item?;
            if k.as_ref() >= end {
                break;
            }
            f(&k, &v)?;
        }
        Ok(())
    }

    /// Remove every entry of a column family (one range deletion).
    pub fn clear(&self, family: &'static str) -> Result<(), StoreError> {
        let h = self.family(family)?;
        let mut batch = WriteBatch::default();
        // Every key this node writes in a family is shorter than 64 bytes
        // of 0xff.
        batch.delete_range_cf(h, [].as_slice(), [0xffu8; 64].as_slice());
        let mut wo = WriteOptions::default();
        wo.set_sync(true);
        Ok(self.db.write_opt(batch, &wo)?)
    }

    /// Compact a whole column family now (after a large deletion, so its
    /// space comes back at once rather than with later writes).
    pub fn compact(&self, family: &'static str) -> Result<(), StoreError> {
        self.db
            .compact_range_cf(self.family(family)?, None::<&[u8]>, None::<&[u8]>);
        Ok(())
    }

    /// A u64 under `meta`.
    pub fn meta_u64(&self, key: &[u8]) -> Result<Option<u64>, StoreError> {
        Ok(self
            .get(cf::META, key)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
            .map(u64::from_be_bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch is written in key order, yet two writes of one key in one
    /// batch keep their order: the later one is what stays.
    #[test]
    fn a_batch_in_key_order_keeps_the_last_write_of_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let put = |k: &[u8], v: &[u8]| (cf::STATE, k.to_vec(), Some(v.to_vec()));
        let del = |k: &[u8]| (cf::STATE, k.to_vec(), None);
        db.write(vec![
            put(b"b", b"first"),
            put(b"a", b"one"),
            (cf::META, b"b".to_vec(), Some(b"meta".to_vec())),
            put(b"b", b"second"),
            put(b"c", b"gone"),
            del(b"c"),
            del(b"d"),
            put(b"d", b"back"),
        ])
        .unwrap();
        let get = |f, k: &[u8]| db.get(f, k).unwrap();
        assert_eq!(get(cf::STATE, b"a").as_deref(), Some(&b"one"[..]));
        assert_eq!(get(cf::STATE, b"b").as_deref(), Some(&b"second"[..]));
        assert_eq!(get(cf::STATE, b"c"), None);
        assert_eq!(get(cf::STATE, b"d").as_deref(), Some(&b"back"[..]));
        assert_eq!(get(cf::META, b"b").as_deref(), Some(&b"meta"[..]));
    }

    /// The status map's pages go to blob files at a flush (ADR 0023), read
    /// back the same before and after a reopen and after a compaction that
    /// rewrites their references; other families keep their values in
    /// their SST files.
    #[test]
    fn status_map_pages_live_in_blob_files() {
        let dir = tempfile::tempdir().unwrap();
        let page = |i: u32| {
            let mut v = vec![1u8];
            v.extend_from_slice(&i.to_be_bytes());
            v.resize(330, i.to_be_bytes()[3]);
            v
        };
        let key = |i: u32| i.to_be_bytes().to_vec();
        let family_stats =
            |db: &Db, name: &str| db.stats().into_iter().find(|s| s.family == name).unwrap();
        {
            let db = Db::open(dir.path()).unwrap();
            let mut ops: Vec<Op> = (0..1000)
                .map(|i| (cf::SMT_PAGES, key(i), Some(page(i))))
                .collect();
            ops.push((cf::STATE, b"k".to_vec(), Some(vec![7; 330])));
            db.write(ops).unwrap();
            assert_eq!(family_stats(&db, cf::SMT_PAGES).blob_bytes, 0);
            for name in [cf::SMT_PAGES, cf::STATE] {
                db.db.flush_cf(db.family(name).unwrap()).unwrap();
            }
            let pages = family_stats(&db, cf::SMT_PAGES);
            assert!(pages.blob_bytes >= 330 * 1000, "{pages:?}");
            assert!(pages.sst_bytes < pages.blob_bytes / 4, "{pages:?}");
            assert_eq!(family_stats(&db, cf::STATE).blob_bytes, 0);
            // Half of them rewritten, flushed and compacted together.
            db.write(
                (0..500)
                    .map(|i| (cf::SMT_PAGES, key(i * 2), Some(page(i * 2 + 1))))
                    .collect(),
            )
            .unwrap();
            let h = db.family(cf::SMT_PAGES).unwrap();
            db.db.flush_cf(h).unwrap();
            db.db.compact_range_cf(h, None::<&[u8]>, None::<&[u8]>);
        }
        let db = Db::open(dir.path()).unwrap();
        for i in 0..1000 {
            let want = if i % 2 == 0 { page(i + 1) } else { page(i) };
            assert_eq!(
                db.get(cf::SMT_PAGES, &key(i)).unwrap(),
                Some(want),
                "page {i}"
            );
            assert_eq!(
                db.get_with(cf::SMT_PAGES, &key(i), |v| v.len()).unwrap(),
                Some(330)
            );
        }
        assert_eq!(db.get(cf::STATE, b"k").unwrap(), Some(vec![7; 330]));
    }

    /// The nice values of this process's threads named `name`.
    #[cfg(target_os = "linux")]
    fn nice_of_threads(name: &str) -> Vec<i32> {
        let tasks = std::fs::read_dir("/proc/self/task").unwrap();
        tasks
            .filter_map(|t| {
                let dir = t.ok()?.path();
                let comm = std::fs::read_to_string(dir.join("comm")).ok()?;
                (comm.trim() == name).then_some(())?;
                let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
                // Field 19 of stat; the fields after the command's ')'
                // start at field 3.
                let (_, rest) = stat.rsplit_once(')')?;
                rest.split_whitespace().nth(16)?.parse().ok()
            })
            .collect()
    }

    /// Compactions run on threads at the lowest CPU priority (ADR 0021).
    #[cfg(target_os = "linux")]
    #[test]
    fn compactions_run_below_the_node() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let h = db.family(cf::SMT_PAGES).unwrap();
        // Five level-0 files: more than enough to start a compaction.
        for file in 0..5u8 {
            let ops = (0..100u8)
                .map(|k| (cf::SMT_PAGES, vec![k, file], Some(vec![file; 64])))
                .collect();
            db.write(ops).unwrap();
            db.db.flush_cf(h).unwrap();
        }
        db.compact(cf::SMT_PAGES).unwrap();
        let mut seen = Vec::new();
        for _ in 0..100 {
            seen = nice_of_threads("rocksdb:low");
            if seen.contains(&19) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("compaction threads' nice values: {seen:?}");
    }
}
