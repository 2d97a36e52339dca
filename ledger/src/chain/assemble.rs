//! Block assembly: the one computation of a block's header and state
//! commitments, run by the chain in memory and by every node alike.

use std::borrow::Borrow;

use yinzheng_crypto::Digest;

use crate::LedgerError;
use crate::apply::{BlockContext, Outcome, execute_block};
use crate::block::{CertError, block_hash, state_digest, validator_set_hash};
use crate::history::{SetEpoch, ValidatorHistory};
use crate::merkle::{LogStore, MerkleLog, SmtStore, StatusMap, empty_root, leaf_hash, tree_levels};
use crate::params::ChainParams;
use crate::proto::{Header, StateCommitments, ValidatorSet, ValidatorSetState};
use crate::record::Record;
use crate::rejection::Rejection;
use crate::state::{StateKey, StateView, WriteSet};
use crate::subject::created_subject;

/// Most records in one block.
pub const MAX_BLOCK_RECORDS: usize = 1000;

/// Where a block's effects go: the state it reads, the log and the status
/// map it extends, and its state writes.
pub trait BlockStore: StateView + LogStore + SmtStore {
    /// Record a state write (after the block's execution read the state);
    /// `digest` is `key`'s status-map key ([`StateKey::digest`]), already
    /// computed for the status map.
    fn put_state(&mut self, key: &StateKey, digest: &Digest, value: Vec<u8>);
}

/// What a new block extends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tip {
    /// Height of the last block (0 before the first).
    pub height: u64,
    /// Records in the log.
    pub log_size: u64,
    /// Hash of the last block (the genesis hash before the first).
    pub last_hash: Digest,
    /// Time of the last block (the genesis time before the first).
    pub last_time_ms: u64,
}

/// A block as assembled, before any certificate.
#[derive(Debug, Clone)]
pub struct AssembledBlock {
    /// Its header.
    pub header: Header,
    /// What `header.state_digest` commits to.
    pub state: StateCommitments,
    /// Its hash (what consensus decides on).
    pub hash: Digest,
    /// Envelope bytes of the records it commits, in order.
    pub records: Vec<Vec<u8>>,
    /// Every node of its records tree ([`crate::merkle::tree_levels`]; the
    /// last is `header.records_root`, none for an empty block).
    pub records_tree: Vec<Digest>,
    /// Their ids.
    pub record_ids: Vec<Digest>,
    /// Log index of its first record.
    pub first_log_index: u64,
    /// The validator set it makes next, when it commits a change.
    pub new_epoch: Option<SetEpoch<ValidatorSet>>,
    /// Subjects it creates (certificates, seals) and the record creating each.
    pub created: Vec<(StateKey, Digest)>,
}

fn cert_err(e: CertError) -> LedgerError {
    LedgerError::Decode {
        what: "block",
        reason: e.to_string(),
    }
}

/// Execute `candidates` as the block after `tip` at `time_ms`, proposed by
/// validator `proposer`, writing its effects to `store`. Refused records
/// are left out and reported in the outcomes (one per candidate).
pub fn assemble_block<S: BlockStore, R: Borrow<Record>>(
    params: &ChainParams,
    tip: &Tip,
    history: &ValidatorHistory,
    store: &mut S,
    candidates: &[R],
    time_ms: u64,
    proposer: u32,
) -> Result<(AssembledBlock, Vec<Outcome>), LedgerError> {
    let ctx = BlockContext {
        height: tip.height + 1,
        time_ms,
    };
    let (outcomes, writes) = execute_block(params, &*store, candidates, ctx, tip.log_size)?;
    let committed: Vec<&Record> = candidates
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| matches!(o, Outcome::Committed { .. }))
        .map(|(r, _)| r.borrow())
        .collect();
    let records = committed
        .iter()
        .map(|r| (r.bytes().to_vec(), r.id()))
        .collect();
    let header = HeaderFields { time_ms, proposer };
    let mut block = seal_block(params, tip, history, store, records, writes, header)?;
    block.created = committed
        .iter()
        .filter_map(|r| created_subject(r).map(|k| (k, r.id())))
        .collect();
    Ok((block, outcomes))
}

/// What the proposer chooses for a header.
#[derive(Debug, Clone, Copy)]
pub struct HeaderFields {
    /// The block's time.
    pub time_ms: u64,
    /// The proposer's index in the set.
    pub proposer: u32,
}

/// The commitments of a block whose records (envelope bytes and ids) and
/// state writes are already decided: the records appended to the log, the
/// writes to the status map and the state, the header computed. Execution
/// ([`assemble_block`]) is the only honest source of records and writes;
/// test vectors also use this directly to show what the verifier does with
/// a block a faulty quorum signed.
pub fn seal_block<S: BlockStore>(
    params: &ChainParams,
    tip: &Tip,
    history: &ValidatorHistory,
    store: &mut S,
    records: Vec<(Vec<u8>, Digest)>,
    writes: WriteSet,
    fields: HeaderFields,
) -> Result<AssembledBlock, LedgerError> {
    let suite = params.suite;
    let height = tip.height + 1;
    let mut log = MerkleLog::open(suite, tip.log_size, &mut *store);
    let mut leaves = Vec::with_capacity(records.len());
    for (bytes, _) in &records {
        // One hash per record: the log's leaf is the records tree's leaf.
        let leaf = leaf_hash(suite, bytes);
        log.append_leaf_hash(leaf)?;
        leaves.push(leaf);
    }
    let records_tree = tree_levels(suite, &leaves);
    let log_size = log.size();
    let log_root = log.root()?;
    let mut map = StatusMap::open(suite, &mut *store);
    let digests: Vec<Digest> = writes.iter().map(|(k, _)| k.digest(suite)).collect();
    map.insert_batch(digests.iter().zip(writes.iter().map(|(_, v)| v.as_slice())))?;
    let status_root = map.root()?;
    let mut new_epoch = None;
    for ((k, v), digest) in writes.into_iter().zip(&digests) {
        if k == StateKey::Validators {
            let vs = crate::state::decode_value::<ValidatorSetState>(&v)?;
            new_epoch = history.epoch_from_state(&vs);
        }
        store.put_state(&k, digest, v);
    }
    let set_at = |h: u64| match &new_epoch {
        Some(e) if e.since_height <= h => &e.set,
        _ => history.set_at(h),
    };
    let state = StateCommitments {
        log_size,
        log_root: log_root.0.to_vec(),
        status_root: status_root.0.to_vec(),
        validators_hash: validator_set_hash(suite, set_at(height)).0.to_vec(),
        next_validators_hash: validator_set_hash(suite, set_at(height + 1)).0.to_vec(),
    };
    let header = Header {
        chain_id: params.chain_id.clone(),
        height,
        time_ms: fields.time_ms,
        prev_hash: tip.last_hash.0.to_vec(),
        proposer: fields.proposer,
        records_root: records_tree
            .last()
            .copied()
            .unwrap_or_else(|| empty_root(suite))
            .0
            .to_vec(),
        record_count: u32::try_from(records.len()).unwrap_or(u32::MAX),
        state_digest: state_digest(suite, &state).map_err(cert_err)?.0.to_vec(),
        links_digest: Vec::new(),
        genesis_hash: params.genesis_hash.0.to_vec(),
    };
    let hash = block_hash(suite, &header).map_err(cert_err)?;
    let (records, record_ids) = records.into_iter().unzip();
    Ok(AssembledBlock {
        header,
        state,
        hash,
        records,
        records_tree,
        record_ids,
        first_log_index: tip.log_size,
        new_epoch,
        created: Vec::new(),
    })
}

/// Why a block proposed by another validator is refused.
#[derive(Debug, thiserror::Error)]
pub enum ProposalError {
    /// A proposed block without a header.
    #[error("block without header")]
    NoHeader,
    /// Not the height after the tip.
    #[error("block for height {got}, expected {want}")]
    Height {
        /// Its height.
        got: u64,
        /// The next height.
        want: u64,
    },
    /// Does not name the last block as its parent.
    #[error("block does not extend our last block")]
    Parent,
    /// Not later than the last block.
    #[error("block time {time_ms} not after the previous block's {last_ms}")]
    Time {
        /// Its time.
        time_ms: u64,
        /// The last block's time.
        last_ms: u64,
    },
    /// Too far ahead of the checking validator's clock.
    #[error("block time {time_ms} is {ahead_ms} ms ahead of our clock")]
    Ahead {
        /// Its time.
        time_ms: u64,
        /// By how much.
        ahead_ms: u64,
    },
    /// More records than a block may hold.
    #[error("{0} records in one block (the limit is {MAX_BLOCK_RECORDS})")]
    TooManyRecords(usize),
    /// A record that does not decode or verify.
    #[error("record {index}: {rejection}")]
    BadRecord {
        /// Its position.
        index: usize,
        /// Why.
        rejection: Rejection,
    },
    /// A record the rules refuse at this point of the chain.
    #[error("record {index} is refused by the rules: {rejection}")]
    Refused {
        /// Its position.
        index: usize,
        /// Why.
        rejection: Rejection,
    },
    /// Its header or state commitments differ from our own execution.
    #[error("block header or state differs from our execution")]
    Differs,
    /// Execution itself failed (storage).
    #[error("execution failed: {0}")]
    Ledger(#[from] LedgerError),
}

impl Tip {
    /// Check what a proposed header claims about its place in the chain
    /// before executing it: the next height, our last block as parent, a
    /// time after it and (for a live proposal, `now_ms`) at most
    /// `max_skew_ms` ahead of our clock; and its record count.
    pub fn check_proposal(
        &self,
        header: &Header,
        records: usize,
        now_ms: Option<u64>,
        max_skew_ms: u64,
    ) -> Result<(), ProposalError> {
        if header.height != self.height + 1 {
            return Err(ProposalError::Height {
                got: header.height,
                want: self.height + 1,
            });
        }
        if header.prev_hash != self.last_hash.0 {
            return Err(ProposalError::Parent);
        }
        if header.time_ms <= self.last_time_ms {
            return Err(ProposalError::Time {
                time_ms: header.time_ms,
                last_ms: self.last_time_ms,
            });
        }
        if let Some(now) = now_ms
            && header.time_ms > now.saturating_add(max_skew_ms)
        {
            return Err(ProposalError::Ahead {
                time_ms: header.time_ms,
                ahead_ms: header.time_ms - now,
            });
        }
        if records > MAX_BLOCK_RECORDS {
            return Err(ProposalError::TooManyRecords(records));
        }
        Ok(())
    }
}

/// Check our execution of a proposed block against what it claims: every
/// record committed, then the same header and state commitments.
pub fn check_execution(
    outcomes: &[Outcome],
    ours: (&Header, &StateCommitments),
    claimed: (&Header, Option<&StateCommitments>),
) -> Result<(), ProposalError> {
    for (index, o) in outcomes.iter().enumerate() {
        if let Outcome::Rejected(rejection) = o {
            return Err(ProposalError::Refused {
                index,
                rejection: rejection.clone(),
            });
        }
    }
    if ours.0 != claimed.0 || Some(ours.1) != claimed.1 {
        return Err(ProposalError::Differs);
    }
    Ok(())
}
