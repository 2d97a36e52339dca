//! Proof bundles served from the database (docs/spec/bundle.md): the same
//! bundle `ledger::MemChain::bundle` builds, read under the head lock so a
//! commit cannot interleave.

use prost::Message;
use yinzheng_crypto::Digest;
use yinzheng_ledger::merkle::{MerkleLog, StatusMap, inclusion_path, leaf_hash};
use yinzheng_ledger::proto::{Bundle, Checkpoint, StatusEntry, StatusEvidence, ValidatorSetChange};
use yinzheng_ledger::{
    BUNDLE_VERSION, LedgerError, Record, StateKey, make_compact, pack_digests, status_entry,
    subject_key,
};

use crate::chain::{Chain, Head};
use crate::proto::StoredBlock;

/// Why a bundle could not be served.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// No committed record (or subject) by that id.
    #[error("{0}")]
    NotFound(String),
    /// Storage failed or is inconsistent.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl Chain {
    fn need_block(&self, height: u64) -> Result<StoredBlock, LedgerError> {
        self.block(height)?
            .ok_or_else(|| LedgerError::Store(format!("block {height} missing")))
    }

    fn checkpoint(&self, height: u64) -> Result<(Checkpoint, StoredBlock), LedgerError> {
        let b = self.need_block(height)?;
        Ok((
            Checkpoint {
                header: b.header.clone(),
                certificate: b.certificate.clone(),
            },
            b,
        ))
    }

    fn validator_changes(
        &self,
        head: &Head,
        up_to: u64,
    ) -> Result<Vec<ValidatorSetChange>, LedgerError> {
        let mut out = Vec::new();
        for e in &head.epochs {
            if e.introduced_by == 0 {
                continue;
            }
            if e.since_height > up_to {
                break;
            }
            let (cp, b) = self.checkpoint(e.introduced_by)?;
            out.push(ValidatorSetChange {
                checkpoint: Some(cp),
                state: b.state,
                validators: Some(e.set.clone()),
            });
        }
        Ok(out)
    }

    fn entry(&self, role: u32, key: &StateKey) -> Result<StatusEntry, LedgerError> {
        let suite = self.params().suite;
        let proof = StatusMap::open(suite, self.reader()).prove(&key.digest(suite))?;
        Ok(status_entry(
            role,
            self.state(key)?.unwrap_or_default(),
            &proof,
        ))
    }

    /// The bundle for a committed record: full (with status evidence against
    /// the latest block) or compact (status as of issuance).
    pub fn bundle(&self, record_id: &Digest, compact: bool) -> Result<Bundle, BundleError> {
        let head = self.head();
        let suite = self.params().suite;
        let rs = self
            .record_state(record_id)?
            .ok_or_else(|| BundleError::NotFound(format!("record {record_id} is not committed")))?;
        let block = self.need_block(rs.height)?;
        let count = block.header.as_ref().map_or(0, |h| h.record_count);
        let mut leaves = Vec::with_capacity(count as usize);
        let mut record_bytes = Vec::new();
        for i in 0..u64::from(count) {
            let idx = block.first_log_index + i;
            let bytes = self
                .record_at(idx)?
                .ok_or_else(|| LedgerError::Store(format!("record {idx} missing")))?;
            leaves.push(leaf_hash(suite, &bytes));
            if idx == rs.log_index {
                record_bytes = bytes;
            }
        }
        let index = usize::try_from(rs.log_index - block.first_log_index)
            .map_err(|_| LedgerError::Store("index overflow".into()))?;
        let path = inclusion_path(suite, index, &leaves);
        let status = if compact {
            None
        } else {
            let (cp, latest) = self.checkpoint(head.height)?;
            let lstate = latest.state.clone().unwrap_or_default();
            let record =
                Record::decode(self.params(), &record_bytes).map_err(|r| LedgerError::Decode {
                    what: "record",
                    reason: r.to_string(),
                })?;
            let mut entries = Vec::new();
            if let Some(key) = subject_key(&record) {
                entries.push(self.entry(1, &key)?);
            }
            for s in record.signers() {
                entries.push(self.entry(2, &StateKey::Key(s.public_key.clone()))?);
            }
            let log = MerkleLog::open(suite, head.log_size, self.reader());
            Some(StatusEvidence {
                checkpoint: Some(cp),
                log_index: rs.log_index,
                log_path: pack_digests(&log.inclusion_proof(rs.log_index, lstate.log_size)?),
                state: Some(lstate),
                entries,
            })
        };
        let status_height = if compact { rs.height } else { head.height };
        let (anchor, _) = self.checkpoint(rs.height)?;
        let bundle = Bundle {
            version: BUNDLE_VERSION,
            record: record_bytes,
            anchor: Some(anchor),
            record_index: u32::try_from(index).unwrap_or(u32::MAX),
            records_path: pack_digests(&path),
            status,
            validator_changes: self.validator_changes(&head, status_height)?,
        };
        drop(head);
        if compact {
            Ok(make_compact(suite, &bundle)?)
        } else {
            Ok(bundle)
        }
    }

    /// The bundle's encoded bytes.
    pub fn bundle_bytes(&self, record_id: &Digest, compact: bool) -> Result<Vec<u8>, BundleError> {
        Ok(self.bundle(record_id, compact)?.encode_to_vec())
    }
}
