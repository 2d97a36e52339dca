//! The audit indexes beside the chain: written with each committed block,
//! rebuilt from the stored blocks when missing or of an older version.

use super::{Chain, ChainError, Prepared, be};
use crate::audit::index::{Lookup, Placed, entries};
use crate::store::{Op, cf, meta};
use yinzheng_ledger::StateKey;

/// Version of the index layout; a database with another is re-indexed.
pub const VERSION: u64 = 1;

/// Blocks re-indexed per write.
const REINDEX_BATCH: u64 = 512;

impl Lookup for Chain {
    fn state(&self, key: &StateKey) -> Option<Vec<u8>> {
        Chain::state(self, key).ok().flatten()
    }
}

impl Chain {
    /// The index writes for one block's records, the first at `first_log_index`.
    fn block_index_ops(
        &self,
        records: impl IntoIterator<Item = Vec<u8>>,
        first_log_index: u64,
        height: u64,
        time_ms: u64,
    ) -> Vec<Op> {
        let placed: Vec<(Vec<u8>, Placed)> = records
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| {
                let at = Placed {
                    height,
                    time_ms,
                    log_index: first_log_index + i as u64,
                };
                (bytes, at)
            })
            .collect();
        entries(&self.params, self, &placed)
            .into_iter()
            .map(|(k, v)| (cf::AUDIT, k, Some(v)))
            .collect()
    }

    /// The index writes for a decided block's records.
    pub(super) fn index_ops(&self, prepared: &Prepared, height: u64, time_ms: u64) -> Vec<Op> {
        self.block_index_ops(
            prepared.block.records.iter().cloned(),
            prepared.first_log_index,
            height,
            time_ms,
        )
    }

    /// Drop the audit indexes and write them again from every stored block;
    /// returns the number of entries written.
    pub fn reindex(&self) -> Result<u64, ChainError> {
        // Marked unbuilt first: a rebuild cut short is done again at start.
        self.db
            .write(vec![(cf::META, meta::AUDIT.to_vec(), None)])?;
        self.db.clear(cf::AUDIT)?;
        let top = self.height();
        let mut written = 0u64;
        let mut ops: Vec<Op> = Vec::new();
        for h in 1..=top {
            let b = self
                .block(h)?
                .ok_or_else(|| ChainError::Inconsistent(format!("block {h} missing")))?;
            let time_ms = b.header.as_ref().map_or(0, |x| x.time_ms);
            ops.extend(self.block_index_ops(
                self.block_records(&b)?,
                b.first_log_index,
                h,
                time_ms,
            ));
            if h % REINDEX_BATCH == 0 || h == top {
                written += ops.len() as u64;
                self.db.write_with(std::mem::take(&mut ops), false)?;
            }
        }
        self.db
            .write(vec![(cf::META, meta::AUDIT.to_vec(), Some(be(VERSION)))])?;
        Ok(written)
    }
}
