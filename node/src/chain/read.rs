//! A consistent read of the chain for bundles (docs/spec/bundle.md): the
//! ledger's bundle builder over the database, under the head lock so a
//! commit cannot interleave.

use std::sync::RwLockReadGuard;

use prost::Message;
use yinzheng_crypto::Digest;
use yinzheng_ledger::merkle::{MerkleLog, ReadOnly, SmtProof, StatusMap, path_from_packed_levels};
use yinzheng_ledger::proto::{Bundle, StatusEntry};
use yinzheng_ledger::{
    BlockView, BundleError, BundleForm, ChainParams, ChainRead, LedgerError, StateKey, StatusRole,
    ValidatorHistory, build_bundle, read_status_entry,
};

use super::{Chain, Head};

/// The chain as of one head.
pub struct Snapshot<'a> {
    chain: &'a Chain,
    head: RwLockReadGuard<'a, Head>,
}

impl Chain {
    /// A consistent read of the chain as of its current head.
    pub fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            chain: self,
            head: self.head(),
        }
    }

    /// The bundle of a committed record.
    pub fn bundle(&self, record_id: &Digest, form: BundleForm) -> Result<Bundle, BundleError> {
        build_bundle(&self.snapshot(), record_id, form)
    }

    /// The bundle's encoded bytes.
    pub fn bundle_bytes(
        &self,
        record_id: &Digest,
        form: BundleForm,
    ) -> Result<Vec<u8>, BundleError> {
        Ok(self.bundle(record_id, form)?.encode_to_vec())
    }
}

impl ChainRead for Snapshot<'_> {
    fn params(&self) -> &ChainParams {
        self.chain.params()
    }
    fn history(&self) -> &ValidatorHistory {
        &self.head.history
    }
    fn height(&self) -> u64 {
        self.head.tip.height
    }
    fn block(&self, height: u64) -> Result<Option<BlockView>, LedgerError> {
        Ok(self.chain.block(height)?.map(|b| BlockView {
            header: b.header.unwrap_or_default(),
            state: b.state.unwrap_or_default(),
            certificate: b.certificate,
            first_log_index: b.first_log_index,
        }))
    }
    fn record_at(&self, log_index: u64) -> Result<Option<Vec<u8>>, LedgerError> {
        Ok(self.chain.record_at(log_index)?)
    }
    fn state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError> {
        Ok(self.chain.state(key)?)
    }
    fn status_proof(&self, key: &Digest) -> Result<SmtProof, LedgerError> {
        let reader = self.chain.reader_at(self.head.tip.height);
        StatusMap::open(self.params().suite, ReadOnly(&reader)).prove(key)
    }
    fn records_path(
        &self,
        block: &BlockView,
        index: usize,
    ) -> Result<Option<Vec<Digest>>, LedgerError> {
        let height = block.header.height;
        let n = block.header.record_count as usize;
        let Some(path) = self
            .chain
            .with_records_tree(height, |tree| path_from_packed_levels(tree, n, index))?
        else {
            // Not rebuilt yet (a database from before the trees were kept).
            return Ok(None);
        };
        path.map(Some).ok_or(LedgerError::Missing {
            what: "records tree of block",
            at: height,
        })
    }
    fn signer_entry(&self, key: &StateKey) -> Result<StatusEntry, LedgerError> {
        let height = self.head.tip.height;
        let digest = key.digest(self.params().suite);
        if let Some(kept) = self.chain.signer_entries.get(height, &digest) {
            return Ok(kept);
        }
        let entry = read_status_entry(self, StatusRole::SignerKey, key)?;
        self.chain.signer_entries.put(height, digest, entry.clone());
        Ok(entry)
    }
    fn log_proof(&self, index: u64, size: u64) -> Result<Vec<Digest>, LedgerError> {
        let reader = self.chain.reader_at(self.head.tip.height);
        MerkleLog::open(
            self.params().suite,
            self.head.tip.log_size,
            ReadOnly(&reader),
        )
        .inclusion_proof(index, size)
    }
}
