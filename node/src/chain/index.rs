//! What the node derives from each committed block beside the chain (the
//! audit indexes and the block's records tree): written in the block's own
//! batch, rebuilt from the stored blocks when missing or of another version.

use super::{Chain, ChainError, Prepared, be};
use crate::audit::index::{Lookup, Placed, entries};
use crate::store::{Op, cf, meta};
use yinzheng_crypto::Digest;
use yinzheng_ledger::StateKey;
use yinzheng_ledger::merkle::{leaf_hash, tree_levels};
use yinzheng_ledger::pack_digests;

/// Version of the derived layout (2: records trees added); a database with
/// another is re-indexed.
pub const VERSION: u64 = 2;

/// Blocks re-indexed per write.
const REINDEX_BATCH: u64 = 512;

impl Lookup for Chain {
    fn state(&self, key: &StateKey) -> Option<Vec<u8>> {
        Chain::state(self, key).ok().flatten()
    }
}

impl Chain {
    /// The derived writes for one block's records, the first at
    /// `first_log_index`: its audit entries and its records tree.
    fn block_index_ops(
        &self,
        records: impl IntoIterator<Item = Vec<u8>>,
        tree: &[Digest],
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
            .chain([(cf::TREES, be(height), Some(pack_digests(tree)))])
            .collect()
    }

    /// The index writes for a decided block's records (its records tree as
    /// assembly computed it).
    pub(super) fn index_ops(&self, prepared: &Prepared, height: u64, time_ms: u64) -> Vec<Op> {
        self.block_index_ops(
            prepared.block.records.iter().cloned(),
            &prepared.records_tree,
            prepared.first_log_index,
            height,
            time_ms,
        )
    }

    /// Drop the audit indexes and records trees and write them again from
    /// every stored block; returns the number of entries written.
    pub fn reindex(&self) -> Result<u64, ChainError> {
        // Marked unbuilt first: a rebuild cut short is done again at start.
        self.db
            .write(vec![(cf::META, meta::AUDIT.to_vec(), None)])?;
        self.db.clear(cf::AUDIT)?;
        self.db.clear(cf::TREES)?;
        let suite = self.params.suite;
        let top = self.height();
        let mut written = 0u64;
        let mut ops: Vec<Op> = Vec::new();
        for h in 1..=top {
            let b = self
                .block(h)?
                .ok_or_else(|| ChainError::Inconsistent(format!("block {h} missing")))?;
            let time_ms = b.header.as_ref().map_or(0, |x| x.time_ms);
            let records = self.block_records(&b)?;
            let leaves: Vec<Digest> = records.iter().map(|r| leaf_hash(suite, r)).collect();
            ops.extend(self.block_index_ops(
                records,
                &tree_levels(suite, &leaves),
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
