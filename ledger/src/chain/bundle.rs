//! Proof bundles (`docs/spec/bundle.md` §5): the one builder, over whatever
//! holds a chain (memory here, RocksDB in a node).

use yinzheng_crypto::{Digest, Suite};

use crate::LedgerError;
use crate::block::{CertError, links_digest, pack_digests};
use crate::history::ValidatorHistory;
use crate::merkle::{SmtProof as MapProof, SmtTerminal, inclusion_path, leaf_hash};
use crate::params::ChainParams;
use crate::proto::{
    Bundle, Checkpoint, CheckpointChain, CommitCertificate, Header, RecordState, SmtProof,
    StateCommitments, StatusEntry, StatusEvidence, ValidatorSetChange,
};
use crate::record::{Record, UnverifiedRecord};
use crate::state::{StateKey, decode_value};
use crate::subject::subject_of;

/// Bundle format version written by this code.
pub const BUNDLE_VERSION: u32 = 1;

/// A committed block as a bundle needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockView {
    /// Its header.
    pub header: Header,
    /// What the header's `state_digest` commits to.
    pub state: StateCommitments,
    /// Its commit certificate, once known.
    pub certificate: Option<CommitCertificate>,
    /// Log index of its first record.
    pub first_log_index: u64,
}

/// Read access to a chain, for building bundles: a consistent snapshot (a
/// node holds its head lock while one is alive).
pub trait ChainRead {
    /// Chain parameters.
    fn params(&self) -> &ChainParams;
    /// The validator-set history.
    fn history(&self) -> &ValidatorHistory;
    /// Height of the newest block (status is proven against it).
    fn height(&self) -> u64;
    /// A block by height.
    fn block(&self, height: u64) -> Result<Option<BlockView>, LedgerError>;
    /// The envelope bytes at a log index.
    fn record_at(&self, log_index: u64) -> Result<Option<Vec<u8>>, LedgerError>;
    /// A state value as of the newest block.
    fn state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError>;
    /// A status-map proof for a key digest, as of the newest block.
    fn status_proof(&self, key: &Digest) -> Result<MapProof, LedgerError>;
    /// A log inclusion proof of `index` in the log of `size` records.
    fn log_proof(&self, index: u64, size: u64) -> Result<Vec<Digest>, LedgerError>;
    /// The records path of the record at `index` within `block`, if the store
    /// keeps the block's records tree ([`crate::merkle::tree_levels`]);
    /// `None` has the path computed from the block's records.
    fn records_path(
        &self,
        block: &BlockView,
        index: usize,
    ) -> Result<Option<Vec<Digest>>, LedgerError> {
        let _ = (block, index);
        Ok(None)
    }
    /// A signer key's status entry against the newest block
    /// ([`read_status_entry`]). Every bundle of a height that names the key
    /// carries the same entry, so a store serving many may keep it for the
    /// height.
    fn signer_entry(&self, key: &StateKey) -> Result<StatusEntry, LedgerError> {
        read_status_entry(self, StatusRole::SignerKey, key)
    }
}

/// Which form of bundle (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleForm {
    /// With status evidence against the newest block.
    Full,
    /// Status as of issuance; what a QR code carries.
    Compact,
}

/// Why a bundle could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// No committed record by that id.
    #[error("record {0} is not committed")]
    NotFound(Digest),
    /// The chain's storage failed or is inconsistent.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// The role of a status entry in a bundle's status evidence (§5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusRole {
    /// The record's subject (certificate, seal, share, …).
    Subject = 1,
    /// One of the record's signer keys.
    SignerKey = 2,
}

impl StatusRole {
    /// Its wire number.
    pub fn code(self) -> u32 {
        self as u32
    }
}

fn need_block<C: ChainRead + ?Sized>(chain: &C, height: u64) -> Result<BlockView, LedgerError> {
    chain.block(height)?.ok_or(LedgerError::Missing {
        what: "block",
        at: height,
    })
}

fn checkpoint(b: &BlockView) -> Result<Checkpoint, LedgerError> {
    let cert = b.certificate.clone().ok_or(LedgerError::Missing {
        what: "certificate of block",
        at: b.header.height,
    })?;
    Ok(Checkpoint {
        header: Some(b.header.clone()),
        certificate: Some(cert),
    })
}

/// The validator-set changes that take effect at or before `up_to`, each
/// with the checkpoint of the block that named it.
fn validator_changes<C: ChainRead + ?Sized>(
    chain: &C,
    up_to: u64,
) -> Result<Vec<ValidatorSetChange>, LedgerError> {
    let mut out = Vec::new();
    for e in chain.history().changes_up_to(up_to) {
        let at = e.introduced_by().unwrap_or_default();
        let b = need_block(chain, at)?;
        out.push(ValidatorSetChange {
            checkpoint: Some(checkpoint(&b)?),
            state: Some(b.state),
            validators: Some(e.set.clone()),
        });
    }
    Ok(out)
}

/// A key's status entry against the newest block, read from `chain`: its
/// value and its status-map proof.
pub fn read_status_entry<C: ChainRead + ?Sized>(
    chain: &C,
    role: StatusRole,
    key: &StateKey,
) -> Result<StatusEntry, LedgerError> {
    let proof = chain.status_proof(&key.digest(chain.params().suite))?;
    Ok(status_entry(
        role,
        chain.state(key)?.unwrap_or_default(),
        &proof,
    ))
}

/// The newest certified block's checkpoint, with the validator-set changes
/// introduced after height `since` (all of them for 0), each with its own
/// checkpoint: what a client that trusts the sets up to `since` needs to check
/// the checkpoint (`docs/spec/node-api.md` `/v1/checkpoint`).
pub fn checkpoint_chain<C: ChainRead + ?Sized>(
    chain: &C,
    since: u64,
) -> Result<CheckpointChain, LedgerError> {
    let height = chain.height();
    let newest = checkpoint(&need_block(chain, height)?)?;
    let changes = validator_changes(chain, height)?
        .into_iter()
        .filter(|c| {
            c.checkpoint
                .as_ref()
                .and_then(|cp| cp.header.as_ref())
                .is_some_and(|h| h.height > since)
        })
        .collect();
    Ok(CheckpointChain {
        checkpoint: Some(newest),
        validator_changes: changes,
    })
}

/// The proof bundle of a committed record.
pub fn build_bundle<C: ChainRead + ?Sized>(
    chain: &C,
    record_id: &Digest,
    form: BundleForm,
) -> Result<Bundle, BundleError> {
    let suite = chain.params().suite;
    let rs: RecordState = match chain.state(&StateKey::Record(*record_id))? {
        Some(v) => decode_value(&v)?,
        None => return Err(BundleError::NotFound(*record_id)),
    };
    let block = need_block(chain, rs.height)?;
    let missing = |at| LedgerError::Missing {
        what: "record at log index",
        at,
    };
    let record_bytes = chain
        .record_at(rs.log_index)?
        .ok_or(missing(rs.log_index))?;
    let index = rs
        .log_index
        .checked_sub(block.first_log_index)
        .and_then(|i| usize::try_from(i).ok())
        .filter(|&i| i < block.header.record_count as usize)
        .ok_or(missing(rs.log_index))?;
    let path = match chain.records_path(&block, index)? {
        Some(path) => path,
        None => {
            let mut leaves = Vec::with_capacity(block.header.record_count as usize);
            for i in 0..u64::from(block.header.record_count) {
                let at = block.first_log_index + i;
                let bytes = chain.record_at(at)?.ok_or(missing(at))?;
                leaves.push(leaf_hash(suite, &bytes));
            }
            inclusion_path(suite, index, &leaves)
        }
    };
    let (status, status_height) = match form {
        BundleForm::Compact => (None, rs.height),
        BundleForm::Full => {
            // Committed, so its signatures were checked before it was
            // executed: parsed for its subject and signer keys only.
            let record =
                Record::parse(chain.params(), &record_bytes).map_err(|r| LedgerError::Decode {
                    what: "record",
                    reason: r.to_string(),
                })?;
            (
                Some(status_evidence(chain, &record, rs.log_index)?),
                chain.height(),
            )
        }
    };
    let mut anchor = checkpoint(&block)?;
    if form == BundleForm::Compact {
        compact_checkpoint(suite, &mut anchor).map_err(cert_err)?;
    }
    Ok(Bundle {
        version: BUNDLE_VERSION,
        record: record_bytes,
        anchor: Some(anchor),
        record_index: u32::try_from(index).unwrap_or(u32::MAX),
        records_path: pack_digests(&path),
        status,
        validator_changes: validator_changes(chain, status_height)?,
        // A node knows no openings: the holder adds the ones they show.
        fields: Vec::new(),
    })
}

/// Status evidence for a record against the newest block: its log
/// inclusion, then the subject's entry, then one per signer key.
fn status_evidence<C: ChainRead + ?Sized>(
    chain: &C,
    record: &UnverifiedRecord,
    log_index: u64,
) -> Result<StatusEvidence, LedgerError> {
    let latest = need_block(chain, chain.height())?;
    let mut entries = Vec::new();
    if let Some(key) = record.payload().and_then(|p| subject_of(record.id(), p)) {
        entries.push(read_status_entry(chain, StatusRole::Subject, &key)?);
    }
    for public_key in record.signer_keys() {
        let key = StateKey::Key(public_key.to_vec());
        entries.push(chain.signer_entry(&key)?);
    }
    Ok(StatusEvidence {
        checkpoint: Some(checkpoint(&latest)?),
        log_index,
        log_path: pack_digests(&chain.log_proof(log_index, latest.state.log_size)?),
        state: Some(latest.state),
        entries,
    })
}

/// A bundle's status entry: its role, the value, and its status-map proof
/// in wire form.
pub fn status_entry(role: StatusRole, value: Vec<u8>, proof: &MapProof) -> StatusEntry {
    let (leaf_key, leaf_value_hash) = match proof.terminal {
        SmtTerminal::Empty => (Vec::new(), Vec::new()),
        SmtTerminal::Leaf { key, value_hash } => (key.0.to_vec(), value_hash.0.to_vec()),
    };
    StatusEntry {
        role: role.code(),
        value,
        proof: Some(SmtProof {
            siblings: pack_digests(&proof.siblings),
            leaf_key,
            leaf_value_hash,
        }),
    }
}

/// Turn a bundle into its compact form (§5.2): no status evidence, no
/// validator changes after the anchor, and a compact anchor.
pub fn make_compact(suite: Suite, bundle: &Bundle) -> Result<Bundle, LedgerError> {
    let mut b = bundle.clone();
    b.status = None;
    let anchor_height = b
        .anchor
        .as_ref()
        .and_then(|a| a.header.as_ref())
        .map_or(0, |h| h.height);
    b.validator_changes.retain(|c| {
        c.checkpoint
            .as_ref()
            .and_then(|cp| cp.header.as_ref())
            .is_some_and(|h| h.height < anchor_height)
    });
    if let Some(a) = b.anchor.as_mut()
        && a.header.as_ref().is_some_and(|h| h.links_digest.is_empty())
    {
        compact_checkpoint(suite, a).map_err(cert_err)?;
    }
    Ok(b)
}

/// Leave out of a checkpoint what a verifier recomputes: the chain id and
/// the genesis hash (from its genesis), the records root (from the record and its path), the
/// certificate's height and block hash (from the header); and carry
/// `links_digest` in place of `prev_hash` and `state_digest`.
fn compact_checkpoint(suite: Suite, cp: &mut Checkpoint) -> Result<(), CertError> {
    if let Some(h) = cp.header.as_mut() {
        h.links_digest = links_digest(suite, h)?.0.to_vec();
        h.prev_hash.clear();
        h.state_digest.clear();
        h.chain_id.clear();
        h.genesis_hash.clear();
        h.records_root.clear();
    }
    if let Some(c) = cp.certificate.as_mut() {
        c.height = 0;
        c.block_hash.clear();
    }
    Ok(())
}

fn cert_err(e: CertError) -> LedgerError {
    LedgerError::Decode {
        what: "block",
        reason: e.to_string(),
    }
}
