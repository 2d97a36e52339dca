//! What the node derives from each committed block beside the chain (the
//! audit indexes and the block's records tree): written in the block's own
//! batch, rebuilt from the stored blocks when missing or of another version.

use super::{Chain, ChainError, Prepared, be};
use crate::audit::index::{Indexed, Lookup, Placed, entries};
use crate::store::{Op, cf, meta};
use yinzheng_crypto::Digest;
use yinzheng_ledger::merkle::{leaf_hash, tree_levels};
use yinzheng_ledger::pack_digests;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::{Record, StateKey};

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
    /// `first_log_index`: its audit entries and its records tree. Each
    /// record comes as its id and payload, or `None` for one that does not
    /// parse (it keeps its place in the log and has no entries).
    fn block_index_ops<'r>(
        &self,
        records: impl IntoIterator<Item = Option<(Digest, &'r Kind)>>,
        tree: &[Digest],
        first_log_index: u64,
        height: u64,
        time_ms: u64,
    ) -> Vec<Op> {
        let placed: Vec<Indexed<'r>> = records
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let (id, kind) = r?;
                let at = Placed {
                    height,
                    time_ms,
                    log_index: first_log_index + i as u64,
                };
                Some(Indexed { id, kind, at })
            })
            .collect();
        entries(self, &placed)
            .into_iter()
            .map(|(k, v)| (cf::AUDIT, k, Some(v)))
            .chain([(cf::TREES, be(height), Some(pack_digests(tree)))])
            .collect()
    }

    /// The index writes for a decided block's records (as executed, with
    /// the records tree assembly computed).
    pub(super) fn index_ops(&self, prepared: &Prepared, height: u64, time_ms: u64) -> Vec<Op> {
        self.block_index_ops(
            prepared
                .records
                .iter()
                .map(|r| r.payload().map(|k| (r.id(), k))),
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
            // Committed records parsed again without their signatures
            // checked: consensus checked them; only their fields are read.
            let parsed: Vec<_> = records
                .iter()
                .map(|r| Record::parse(&self.params, r).ok())
                .collect();
            ops.extend(
                self.block_index_ops(
                    parsed
                        .iter()
                        .map(|r| r.as_ref().and_then(|r| r.payload().map(|k| (r.id(), k)))),
                    &tree_levels(suite, &leaves),
                    b.first_log_index,
                    h,
                    time_ms,
                ),
            );
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
