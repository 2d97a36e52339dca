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

/// A storage failure (I/O, corruption), as a ledger error.
pub fn store_err(e: impl std::fmt::Display) -> LedgerError {
    LedgerError::Store(e.to_string())
}

impl Db {
    /// Open (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Db, LedgerError> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        let cfs = cf::ALL
            .iter()
            .map(|n| ColumnFamilyDescriptor::new(*n, Options::default()));
        let db = DB::open_cf_descriptors(&opts, path, cfs).map_err(store_err)?;
        Ok(Db { db })
    }

    /// Read one value.
    pub fn get(&self, family: &str, key: &[u8]) -> Result<Option<Vec<u8>>, LedgerError> {
        let h = self
            .db
            .cf_handle(family)
            .ok_or_else(|| store_err(format!("no column family {family}")))?;
        self.db.get_cf(h, key).map_err(store_err)
    }

    /// Apply a batch atomically and durably.
    pub fn write(&self, ops: Vec<Op>) -> Result<(), LedgerError> {
        let mut batch = WriteBatch::default();
        for (family, k, v) in ops {
            let h = self
                .db
                .cf_handle(family)
                .ok_or_else(|| store_err(format!("no column family {family}")))?;
            match v {
                Some(v) => batch.put_cf(h, k, v),
                None => batch.delete_cf(h, k),
            }
        }
        let mut wo = WriteOptions::default();
        wo.set_sync(true);
        self.db.write_opt(batch, &wo).map_err(store_err)
    }

    /// Every entry of a (small) column family, in key order.
    pub fn scan(&self, family: &str) -> Result<Vec<Entry>, LedgerError> {
        let h = self
            .db
            .cf_handle(family)
            .ok_or_else(|| store_err(format!("no column family {family}")))?;
        self.db
            .iterator_cf(h, rocksdb::IteratorMode::Start)
            .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(store_err))
            .collect()
    }

    /// A u64 under `meta`.
    pub fn meta_u64(&self, key: &[u8]) -> Result<Option<u64>, LedgerError> {
        Ok(self
            .get(cf::META, key)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
            .map(u64::from_be_bytes))
    }
}
