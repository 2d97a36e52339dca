//! A whole chain in memory: block production, certificates, and proof bundles.
//!
//! The block assembly ([`assemble_block`]) and the bundle builder
//! ([`build_bundle`]) are the ones every node runs over its own storage;
//! this chain holds their stores in memory and serves tests, the committed
//! test vectors and the benchmarks.

mod assemble;
mod bundle;
mod commit;

use yinzheng_crypto::Digest;

pub use assemble::{
    AssembledBlock, BlockStore, HeaderFields, MAX_BLOCK_RECORDS, ProposalError, Tip,
    assemble_block, check_execution, seal_block,
};
pub use bundle::{
    BUNDLE_VERSION, BlockView, BundleError, BundleForm, ChainRead, StatusRole, build_bundle,
    checkpoint_chain, make_compact, read_status_entry, status_entry,
};
pub use commit::{bundle_size, sign_commit};

use crate::LedgerError;
use crate::apply::Outcome;
use crate::block::TrustedValidators;
use crate::genesis::{Genesis, GenesisError};
use crate::history::ValidatorHistory;
use crate::merkle::{
    LogStore, MemLogStore, MemSmtStore, MerkleLog, ReadOnly, SmtNode, SmtProof, SmtStore, StatusMap,
};
use crate::params::ChainParams;
use crate::proto::{Bundle, CommitCertificate, Header, ValidatorSet};
use crate::record::Record;
use crate::state::{MemState, StateKey, StateView};

/// A committed block as the in-memory chain keeps it.
#[derive(Debug, Clone)]
pub struct MemBlock {
    /// Header, state commitments, certificate, first log index.
    pub view: BlockView,
    /// Envelope bytes of its records, in order.
    pub records: Vec<Vec<u8>>,
}

/// The stores of a chain in memory.
#[derive(Debug, Clone, Default)]
pub struct MemStore {
    /// The log's subtree hashes.
    pub log: MemLogStore,
    /// The status map's nodes.
    pub smt: MemSmtStore,
    /// The state.
    pub state: MemState,
}

impl StateView for MemStore {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError> {
        self.state.get(key)
    }
}

impl LogStore for MemStore {
    fn node(&self, level: u8, index: u64) -> Result<Option<Digest>, LedgerError> {
        self.log.node(level, index)
    }
    fn put_node(&mut self, level: u8, index: u64, hash: Digest) -> Result<(), LedgerError> {
        self.log.put_node(level, index, hash)
    }
}

impl SmtStore for MemStore {
    fn node(&self, depth: u16, prefix: &Digest) -> Result<Option<SmtNode>, LedgerError> {
        self.smt.node(depth, prefix)
    }
    fn put_node(&mut self, depth: u16, prefix: Digest, node: SmtNode) -> Result<(), LedgerError> {
        self.smt.put_node(depth, prefix, node)
    }
    fn delete_node(&mut self, depth: u16, prefix: &Digest) -> Result<(), LedgerError> {
        self.smt.delete_node(depth, prefix)
    }
}

impl BlockStore for MemStore {
    fn put_state(&mut self, key: &StateKey, _: &Digest, value: Vec<u8>) {
        self.state.apply(&vec![(key.clone(), value)]);
    }
}

/// A chain in memory.
pub struct MemChain {
    params: ChainParams,
    store: MemStore,
    tip: Tip,
    blocks: Vec<MemBlock>,
    history: ValidatorHistory,
}

fn gen_err(e: GenesisError) -> LedgerError {
    LedgerError::Decode {
        what: "genesis",
        reason: e.0,
    }
}

impl MemChain {
    /// The chain at height 0.
    pub fn new(genesis: &Genesis) -> Result<MemChain, LedgerError> {
        let params = genesis.params().map_err(gen_err)?;
        let mut store = MemStore::default();
        let writes = genesis.initial_writes().map_err(gen_err)?;
        let mut map = StatusMap::open(params.suite, &mut store.smt);
        for (k, v) in &writes {
            map.insert(&k.digest(params.suite), v)?;
        }
        store.state.apply(&writes);
        Ok(MemChain {
            tip: Tip {
                height: 0,
                log_size: 0,
                last_hash: genesis.hash().map_err(gen_err)?,
                last_time_ms: genesis.genesis_time_ms,
            },
            history: ValidatorHistory::new(genesis.validator_set().map_err(gen_err)?),
            store,
            blocks: Vec::new(),
            params,
        })
    }

    /// Chain parameters.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    /// Current state.
    pub fn state(&self) -> &MemState {
        &self.store.state
    }

    /// Height of the last block (0 before the first).
    pub fn height(&self) -> u64 {
        self.tip.height
    }

    /// A committed block by height (1-based).
    pub fn block(&self, height: u64) -> Option<&MemBlock> {
        let i = usize::try_from(height.checked_sub(1)?).ok()?;
        self.blocks.get(i)
    }

    /// The validator set that signs `height`.
    pub fn validators_at(&self, height: u64) -> &ValidatorSet {
        self.history.set_at(height)
    }

    /// Execute `candidates` as the next block at `time_ms`, proposed by
    /// validator `proposer`. Refused records are left out and reported.
    pub fn produce(
        &mut self,
        candidates: &[Record],
        time_ms: u64,
        proposer: u32,
    ) -> Result<(Header, Vec<Outcome>), LedgerError> {
        let (b, outcomes) = assemble_block(
            &self.params,
            &self.tip,
            &self.history,
            &mut self.store,
            candidates,
            time_ms,
            proposer,
        )?;
        let header = b.header.clone();
        self.push(b);
        Ok((header, outcomes))
    }

    /// Commit `records` (envelope bytes, not checked) with exactly these
    /// state `writes` and a `RecordState` for each record, bypassing the
    /// rules: what a faulty quorum could certify. For test vectors of the
    /// verifier's checks that honest execution never triggers. Returns the
    /// header and the id each record is committed under (its record id, or
    /// the hash of bytes that do not decode as a record).
    pub fn produce_unchecked(
        &mut self,
        records: &[Vec<u8>],
        mut writes: crate::state::WriteSet,
        time_ms: u64,
    ) -> Result<(Header, Vec<Digest>), LedgerError> {
        let suite = self.params.suite;
        let mut entries = Vec::with_capacity(records.len());
        for (i, bytes) in records.iter().enumerate() {
            let id = crate::record::record_id(suite, bytes)
                .unwrap_or_else(|| crate::merkle::leaf_hash(suite, bytes));
            let state = crate::proto::RecordState {
                height: self.tip.height + 1,
                log_index: self.tip.log_size + i as u64,
            };
            writes.push((StateKey::Record(id), prost::Message::encode_to_vec(&state)));
            entries.push((bytes.clone(), id));
        }
        let fields = HeaderFields {
            time_ms,
            proposer: 0,
        };
        let b = seal_block(
            &self.params,
            &self.tip,
            &self.history,
            &mut self.store,
            entries,
            writes,
            fields,
        )?;
        let header = b.header.clone();
        let ids = b.record_ids.clone();
        self.push(b);
        Ok((header, ids))
    }

    fn push(&mut self, b: AssembledBlock) {
        self.tip = Tip {
            height: b.header.height,
            log_size: b.state.log_size,
            last_hash: b.hash,
            last_time_ms: b.header.time_ms,
        };
        if let Some(e) = b.new_epoch {
            // Newer than every epoch by construction.
            let _ = self.history.push(e);
        }
        self.blocks.push(MemBlock {
            view: BlockView {
                header: b.header,
                state: b.state,
                certificate: None,
                first_log_index: b.first_log_index,
            },
            records: b.records,
        });
    }

    /// Attach a commit certificate to block `height` after checking it.
    pub fn certify(&mut self, height: u64, cert: CommitCertificate) -> Result<(), LedgerError> {
        let set = TrustedValidators::new(self.params.suite, self.validators_at(height).clone())
            .map_err(|e| LedgerError::Decode {
                what: "validator set",
                reason: e.to_string(),
            })?;
        let i = usize::try_from(height.saturating_sub(1)).unwrap_or(usize::MAX);
        let limit = self.height();
        let block = self.blocks.get_mut(i).ok_or(LedgerError::OutOfRange {
            what: "height",
            value: height,
            limit,
        })?;
        set.verify_commit(&block.view.header, &cert)
            .map_err(|e| LedgerError::Decode {
                what: "commit certificate",
                reason: e.to_string(),
            })?;
        block.view.certificate = Some(cert);
        Ok(())
    }

    /// The proof bundle for a committed record. `with_status` adds fresh
    /// status evidence against the last block (which must be certified);
    /// without it the bundle is compact (status as of issuance).
    pub fn bundle(&self, record_id: &Digest, with_status: bool) -> Result<Bundle, LedgerError> {
        let form = if with_status {
            BundleForm::Full
        } else {
            BundleForm::Compact
        };
        build_bundle(self, record_id, form).map_err(|e| match e {
            BundleError::Ledger(e) => e,
            BundleError::NotFound(_) => LedgerError::Missing {
                what: "committed record",
                at: 0,
            },
        })
    }
}

impl ChainRead for MemChain {
    fn params(&self) -> &ChainParams {
        &self.params
    }
    fn history(&self) -> &ValidatorHistory {
        &self.history
    }
    fn height(&self) -> u64 {
        self.tip.height
    }
    fn block(&self, height: u64) -> Result<Option<BlockView>, LedgerError> {
        Ok(MemChain::block(self, height).map(|b| b.view.clone()))
    }
    fn record_at(&self, log_index: u64) -> Result<Option<Vec<u8>>, LedgerError> {
        let i = self
            .blocks
            .partition_point(|b| b.view.first_log_index <= log_index);
        let Some(b) = i.checked_sub(1).and_then(|i| self.blocks.get(i)) else {
            return Ok(None);
        };
        let at = usize::try_from(log_index - b.view.first_log_index).ok();
        Ok(at.and_then(|at| b.records.get(at)).cloned())
    }
    fn state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError> {
        self.store.state.get(key)
    }
    fn status_proof(&self, key: &Digest) -> Result<SmtProof, LedgerError> {
        StatusMap::open(self.params.suite, ReadOnly(&self.store.smt)).prove(key)
    }
    fn log_proof(&self, index: u64, size: u64) -> Result<Vec<Digest>, LedgerError> {
        MerkleLog::open(
            self.params.suite,
            self.tip.log_size,
            ReadOnly(&self.store.log),
        )
        .inclusion_proof(index, size)
    }
}
