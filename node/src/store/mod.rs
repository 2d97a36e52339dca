//! RocksDB storage: one column family per kind of data, one atomic write
//! batch per committed block (written with sync, so a block that was
//! acknowledged survives a crash of the process or the machine).

mod pending;

use std::path::Path;

use rocksdb::{ColumnFamilyDescriptor, DB, Options, WriteBatch, WriteOptions};
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
    /// (level u8, index u64 BE) → 32-byte Merkle log node.
    pub const LOG: &str = "log";
    /// (depth u16 BE, prefix) → status-map node.
    pub const SMT: &str = "smt";
    /// State key digest → state value.
    pub const STATE: &str = "state";
    /// Since-height (u64 BE) → `StoredValidatorSet`.
    pub const VALSETS: &str = "valsets";
    /// Subject key digest (certificate, seal) → id of the record that created
    /// it (an issue, a supersession for the replacement, a seal registration).
    pub const INDEX: &str = "index";
    /// All of them.
    pub const ALL: [&str; 8] = [META, BLOCKS, RECORDS, LOG, SMT, STATE, VALSETS, INDEX];
}

/// Keys in the `meta` column family.
pub mod meta {
    /// Height of the last committed block (u64 BE).
    pub const HEIGHT: &[u8] = b"height";
    /// Genesis hash the database was created for.
    pub const GENESIS: &[u8] = b"genesis";
}

/// One write of a batch: column family, key, value (`None` deletes).
pub type Op = (&'static str, Vec<u8>, Option<Vec<u8>>);

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

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
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        let cfs = cf::ALL
            .iter()
            .map(|n| ColumnFamilyDescriptor::new(*n, Options::default()));
        let db = DB::open_cf_descriptors(&opts, path, cfs)?;
        Ok(Db { db })
    }

    /// Read one value.
    pub fn get(&self, family: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.family(family)?, key)?)
    }

    fn family(&self, name: &'static str) -> Result<&rocksdb::ColumnFamily, StoreError> {
        self.db.cf_handle(name).ok_or(StoreError::NoFamily(name))
    }

    /// Apply a batch atomically and durably.
    pub fn write(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        for (family, k, v) in ops {
            let h = self.family(family)?;
            match v {
                Some(v) => batch.put_cf(h, k, v),
                None => batch.delete_cf(h, k),
            }
        }
        let mut wo = WriteOptions::default();
        wo.set_sync(true);
        Ok(self.db.write_opt(batch, &wo)?)
    }

    /// Every entry of a (small) column family, in key order.
    pub fn scan(&self, family: &'static str) -> Result<Vec<Entry>, StoreError> {
        self.db
            .iterator_cf(self.family(family)?, rocksdb::IteratorMode::Start)
            .map(|r| Ok(r.map(|(k, v)| (k.to_vec(), v.to_vec()))?))
            .collect()
    }

    /// A u64 under `meta`.
    pub fn meta_u64(&self, key: &[u8]) -> Result<Option<u64>, StoreError> {
        Ok(self
            .get(cf::META, key)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
            .map(u64::from_be_bytes))
    }
}
