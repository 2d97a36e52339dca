//! The node's chain on RocksDB: a storage adapter for the ledger. Blocks are
//! assembled by `ledger::assemble_block` over the pending writes of a block
//! (held aside until consensus decides it), bundles are built by
//! `ledger::build_bundle` over a snapshot; this module stores and reads.

mod index;
mod read;

use std::borrow::Borrow;
use std::path::Path;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use prost::Message;
use rayon::prelude::*;
use yinzheng_crypto::{Digest, Suite};
use yinzheng_ledger::genesis::{Genesis, GenesisError};
use yinzheng_ledger::merkle::StatusMap;
use yinzheng_ledger::proto::{CommitCertificate, RecordState, StatusEntry, ValidatorSet};
use yinzheng_ledger::{
    ChainParams, LedgerError, Outcome, ProposalError, Record, SetEpoch, SetHistory, StateKey, Tip,
    TrustedValidators, ValidatorHistory, assemble_block, block_hash, check_execution,
};

pub use read::Snapshot;

use crate::proto::{ProposedBlock, StoredBlock, StoredValidatorSet};
use crate::store::committed::CommittedPages;
use crate::store::hot::{HeightCache, HotPages};
use crate::store::pages::{Page, PageRef};
use crate::store::shared::{SharedEntries, shared_entries};
use crate::store::{Db, Pending, StoreError, cf, meta};

/// Why the chain could not be opened, read or extended.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The ledger refused or could not compute.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The genesis file is unusable.
    #[error("genesis: {0}")]
    Genesis(#[from] GenesisError),
    /// The database was created for another genesis.
    #[error("database belongs to genesis {found}, not {expected}")]
    OtherGenesis {
        /// The genesis hash stored in the database (hex).
        found: String,
        /// The genesis hash of the configured file.
        expected: Digest,
    },
    /// A decided block that is not the next one on our head.
    #[error("decided block at height {height} does not extend our head at {head}")]
    NotNext {
        /// Its height.
        height: u64,
        /// Our head's height.
        head: u64,
    },
    /// What the database holds is not what this node wrote.
    #[error("database inconsistent: {0}")]
    Inconsistent(String),
}

/// What the node knows of its last committed block.
#[derive(Debug, Clone)]
pub struct Head {
    /// The last block: height, log size, hash and time.
    pub tip: Tip,
    /// Validator-set history, oldest first.
    pub history: ValidatorHistory,
    /// The same sets with their keys decoded, each set once when it is
    /// loaded or committed: what decided blocks' certificates and members'
    /// relay requests are checked with, so a validator's key keeps the
    /// verification table it builds (ADR 0004).
    trusted: SetHistory<Arc<TrustedValidators>>,
}

impl Head {
    /// The set that signs `height`, keys decoded.
    pub fn trusted_at(&self, height: u64) -> &Arc<TrustedValidators> {
        self.trusted.set_at(height)
    }

    fn new(tip: Tip, history: ValidatorHistory, suite: Suite) -> Result<Head, ChainError> {
        let trusted = history
            .epochs()
            .iter()
            .map(|e| trusted_epoch(suite, e))
            .collect::<Result<Vec<_>, _>>()?;
        let trusted = SetHistory::from_epochs(trusted)
            .ok_or_else(|| ChainError::Inconsistent("validator sets out of order".into()))?;
        Ok(Head {
            tip,
            history,
            trusted,
        })
    }

    /// Add the set a committed block starts, with its keys decoded (newer
    /// than every set known: the ledger only starts sets ahead).
    fn push_epoch(&mut self, e: SetEpoch<ValidatorSet>, trusted: SetEpoch<Arc<TrustedValidators>>) {
        if self.history.push(e).is_ok() {
            let _ = self.trusted.push(trusted);
        }
    }
}

fn trusted_epoch(
    suite: Suite,
    e: &SetEpoch<ValidatorSet>,
) -> Result<SetEpoch<Arc<TrustedValidators>>, ChainError> {
    let set = TrustedValidators::new(suite, e.set.clone()).map_err(|err| {
        ChainError::Inconsistent(format!("validator set from {}: {err}", e.since_height))
    })?;
    Ok(SetEpoch {
        since_height: e.since_height,
        set: Arc::new(set),
    })
}

/// An executed block waiting for its decision.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The block as proposed.
    pub block: ProposedBlock,
    /// Its hash (what consensus decides on).
    pub id: Digest,
    /// Every node of its records tree, as assembled (stored at commit).
    pub records_tree: Vec<Digest>,
    /// Log index of its first record.
    pub first_log_index: u64,
    /// Its records as executed, in order (the audit indexes at commit read
    /// them).
    records: Vec<Arc<Record>>,
    ops: Vec<crate::store::Op>,
    /// The upper status-map pages it changed, decoded: carried into the
    /// chain's [`CommittedPages`] at commit.
    pages: Vec<(PageRef, Arc<Page>)>,
    new_epoch: Option<SetEpoch<yinzheng_ledger::proto::ValidatorSet>>,
}

impl Prepared {
    /// Ids of its records, in order.
    pub fn record_ids(&self) -> impl ExactSizeIterator<Item = Digest> + '_ {
        self.records.iter().map(|r| r.id())
    }

    /// Height of the block.
    pub fn height(&self) -> u64 {
        self.block.header.as_ref().map_or(0, |h| h.height)
    }
}

/// The chain on disk.
pub struct Chain {
    db: Db,
    params: ChainParams,
    genesis_hash: Digest,
    head: RwLock<Head>,
    /// Decoded upper pages of the trees, shared by readers of one height.
    hot: HotPages,
    /// Signer keys' status entries, shared by the bundles of one height
    /// (by the key's digest).
    signer_entries: HeightCache<Digest, StatusEntry>,
    /// State entries many records read (organisations, keys, grants),
    /// shared by the blocks executed and the admission checks run over one
    /// height.
    shared: SharedEntries,
    /// The status map's upper pages of the committed head, read by every
    /// block's execution and carried forward by each commit.
    committed: CommittedPages,
}

/// Signer keys whose status entries are kept for a height (about 1 KB
/// each): more than a province's issuing keys.
pub const SIGNER_ENTRIES_KEPT: usize = 4096;

fn be(h: u64) -> Vec<u8> {
    h.to_be_bytes().to_vec()
}

fn corrupt(what: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        reason: e.to_string(),
    }
}

impl Chain {
    /// Open the chain at `path`, initialising it from `genesis` if empty.
    /// Refuses a database created for another genesis.
    pub fn open(path: &Path, genesis: &Genesis) -> Result<Chain, ChainError> {
        Chain::open_with_cache(path, genesis, crate::store::BLOCK_CACHE_BYTES)
    }

    /// [`Chain::open`] with a block cache of `cache_bytes`.
    pub fn open_with_cache(
        path: &Path,
        genesis: &Genesis,
        cache_bytes: usize,
    ) -> Result<Chain, ChainError> {
        let db = Db::open_with_cache(path, cache_bytes)?;
        let moved = crate::store::pages::migrate(&db)?;
        if moved > 0 {
            tracing::info!(nodes = moved, "status map and log converted to pages");
        }
        let params = genesis.params()?;
        let suite = params.suite;
        let genesis_hash = genesis.hash()?;
        match db.get(cf::META, meta::GENESIS)? {
            Some(h) if h != genesis_hash.0 => {
                return Err(ChainError::OtherGenesis {
                    found: hex::encode(h),
                    expected: genesis_hash,
                });
            }
            Some(_) => {}
            None => {
                let mut p = Pending::new(&db, suite);
                let writes = genesis.initial_writes()?;
                let digests: Vec<Digest> = writes.iter().map(|(k, _)| k.digest(suite)).collect();
                let mut map = StatusMap::open(suite, &mut p);
                for ((_, v), d) in writes.iter().zip(&digests) {
                    map.insert(d, v)?;
                }
                for ((k, v), d) in writes.into_iter().zip(&digests) {
                    yinzheng_ledger::BlockStore::put_state(&mut p, &k, d, v);
                }
                let sv = StoredValidatorSet {
                    since_height: 1,
                    set: Some(genesis.validator_set()?),
                    introduced_by: 0,
                };
                p.put(cf::VALSETS, be(1), sv.encode_to_vec());
                p.put(cf::META, meta::HEIGHT.to_vec(), be(0));
                p.put(cf::META, meta::GENESIS.to_vec(), genesis_hash.0.to_vec());
                p.put(cf::META, meta::AUDIT.to_vec(), be(index::VERSION));
                db.write(p.into_ops())?;
            }
        }
        let head = Self::load_head(&db, &params, genesis_hash, genesis.genesis_time_ms)?;
        let chain = Chain {
            db,
            params,
            genesis_hash,
            head: RwLock::new(head),
            hot: HotPages::default(),
            signer_entries: HeightCache::new(SIGNER_ENTRIES_KEPT),
            shared: shared_entries(),
            committed: CommittedPages::default(),
        };
        if chain.db.meta_u64(meta::AUDIT)? != Some(index::VERSION) {
            tracing::info!(
                height = chain.height(),
                "building the audit indexes from the blocks"
            );
            let n = chain.reindex()?;
            tracing::info!(entries = n, "audit indexes built");
        }
        Ok(chain)
    }

    fn load_head(
        db: &Db,
        params: &ChainParams,
        genesis_hash: Digest,
        genesis_time_ms: u64,
    ) -> Result<Head, ChainError> {
        let height = db
            .meta_u64(meta::HEIGHT)?
            .ok_or_else(|| ChainError::Inconsistent("no committed height".into()))?;
        let mut epochs = Vec::new();
        for (_, v) in db.scan(cf::VALSETS)? {
            let sv = StoredValidatorSet::decode(v.as_slice()).map_err(|e| corrupt("valset", e))?;
            epochs.push(SetEpoch {
                since_height: sv.since_height,
                set: sv.set.unwrap_or_default(),
            });
        }
        let history = ValidatorHistory::from_epochs(epochs)
            .ok_or_else(|| ChainError::Inconsistent("validator sets out of order".into()))?;
        let tip = if height == 0 {
            Tip {
                height: 0,
                log_size: 0,
                last_hash: genesis_hash,
                last_time_ms: genesis_time_ms,
            }
        } else {
            let b = Self::stored_block(db, height)?
                .ok_or_else(|| ChainError::Inconsistent(format!("block {height} missing")))?;
            let h = b.header.unwrap_or_default();
            Tip {
                height,
                log_size: b.state.map_or(0, |s| s.log_size),
                last_hash: block_hash(params.suite, &h).map_err(|e| corrupt("header", e))?,
                last_time_ms: h.time_ms,
            }
        };
        Head::new(tip, history, params.suite)
    }

    fn stored_block(db: &Db, height: u64) -> Result<Option<StoredBlock>, StoreError> {
        db.get(cf::BLOCKS, &be(height))?
            .map(|v| StoredBlock::decode(v.as_slice()).map_err(|e| corrupt("block", e)))
            .transpose()
    }

    /// Chain parameters.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> Digest {
        self.genesis_hash
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The head, read-locked: hold it while reading several related values.
    pub fn head(&self) -> RwLockReadGuard<'_, Head> {
        // A poisoned lock means a panic mid-commit elsewhere; the head itself
        // is only replaced whole, so its last value is still consistent.
        self.head.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Height of the last committed block.
    pub fn height(&self) -> u64 {
        self.head().tip.height
    }

    /// A committed block.
    pub fn block(&self, height: u64) -> Result<Option<StoredBlock>, StoreError> {
        Self::stored_block(&self.db, height)
    }

    /// Envelope bytes of the record at a log index.
    pub fn record_at(&self, log_index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.db.get(cf::RECORDS, &be(log_index))
    }

    /// The stored records tree of the block at `height`
    /// (`yinzheng_ledger::merkle::tree_levels`, packed), if written yet,
    /// mapped in place by `f` (a block of 1,000 records has a tree of 64 KB,
    /// of which a path needs ten nodes).
    pub fn with_records_tree<T>(
        &self,
        height: u64,
        f: impl FnOnce(&[u8]) -> T,
    ) -> Result<Option<T>, StoreError> {
        self.db.get_with(cf::TREES, &be(height), f)
    }

    /// The records of a committed block, in order.
    pub fn block_records(&self, b: &StoredBlock) -> Result<Vec<Vec<u8>>, ChainError> {
        let count = b.header.as_ref().map_or(0, |h| h.record_count);
        (0..u64::from(count))
            .map(|i| {
                let at = b.first_log_index + i;
                self.record_at(at)?
                    .ok_or_else(|| ChainError::Inconsistent(format!("record {at} missing")))
            })
            .collect()
    }

    /// A state value.
    pub fn state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.db.get(cf::STATE, &key.digest(self.params.suite).0)
    }

    /// Where a committed record is.
    pub fn record_state(&self, id: &Digest) -> Result<Option<RecordState>, StoreError> {
        self.state(&StateKey::Record(*id))?
            .map(|v| RecordState::decode(v.as_slice()).map_err(|e| corrupt("record state", e)))
            .transpose()
    }

    /// The record that created a certificate or seal.
    pub fn subject_record(&self, key: &StateKey) -> Result<Option<Digest>, StoreError> {
        Ok(self
            .db
            .get(cf::INDEX, &key.digest(self.params.suite).0)?
            .and_then(|v| Digest::from_slice(&v)))
    }

    /// Execute `candidates` as the next block at `time_ms` by validator
    /// `proposer` (its index in the set). Refused records are left out and
    /// reported with their outcome.
    pub fn prepare<R: Borrow<Record> + Clone + Into<Arc<Record>>>(
        &self,
        candidates: &[R],
        time_ms: u64,
        proposer: u32,
    ) -> Result<(Prepared, Vec<Outcome>), LedgerError> {
        let head = self.head();
        let suite = self.params.suite;
        let mut p = Pending::over(
            &self.db,
            suite,
            &self.shared,
            &self.committed,
            head.tip.height,
        );
        let (b, outcomes) = assemble_block(
            &self.params,
            &head.tip,
            &head.history,
            &mut p,
            candidates,
            time_ms,
            proposer,
        )?;
        for (i, bytes) in b.records.iter().enumerate() {
            p.put(cf::RECORDS, be(b.first_log_index + i as u64), bytes.clone());
        }
        for (key, id) in &b.created {
            p.put(cf::INDEX, key.digest(suite).0.to_vec(), id.0.to_vec());
        }
        let records = candidates
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| matches!(o, Outcome::Committed { .. }))
            .map(|(r, _)| r.clone().into())
            .collect();
        let (ops, pages) = p.into_writes();
        let prepared = Prepared {
            block: ProposedBlock {
                header: Some(b.header),
                state: Some(b.state),
                records: b.records,
            },
            id: b.hash,
            records_tree: b.records_tree,
            first_log_index: b.first_log_index,
            records,
            ops,
            pages,
            new_epoch: b.new_epoch,
        };
        Ok((prepared, outcomes))
    }

    /// Check a block another validator proposed (or a peer synced to us):
    /// it must extend our head, carry only records that verify and execute,
    /// and commit to exactly the state we compute. `now_ms` adds the clock
    /// check for live proposals (a synced block was already decided).
    ///
    /// `known` returns the record this node already verified (its mempool)
    /// whose envelope is exactly the given bytes, so its signatures are not
    /// checked twice and its bytes not decoded again.
    pub fn validate(
        &self,
        block: &ProposedBlock,
        now_ms: Option<u64>,
        max_skew_ms: u64,
        known: &(dyn Fn(&[u8]) -> Option<Arc<Record>> + Sync),
    ) -> Result<Prepared, ProposalError> {
        let Some(header) = block.header.as_ref() else {
            return Err(ProposalError::NoHeader);
        };
        let tip = self.head().tip;
        tip.check_proposal(header, block.records.len(), now_ms, max_skew_ms)?;
        let records: Vec<Arc<Record>> = block
            .records
            .par_iter()
            .enumerate()
            .map(|(index, b)| match known(b) {
                Some(r) if r.bytes() == b.as_slice() => Ok(r),
                _ => Record::decode(&self.params, b)
                    .map(Arc::new)
                    .map_err(|rejection| ProposalError::BadRecord { index, rejection }),
            })
            .collect::<Result<_, _>>()?;
        let (prepared, outcomes) = self.prepare(&records, header.time_ms, header.proposer)?;
        let ours = &prepared.block;
        let (Some(our_header), Some(our_state)) = (&ours.header, &ours.state) else {
            return Err(ProposalError::Differs);
        };
        check_execution(
            &outcomes,
            (our_header, our_state),
            (header, block.state.as_ref()),
        )?;
        Ok(prepared)
    }

    /// Commit a decided block with its certificate, in one atomic write.
    pub fn commit(&self, prepared: Prepared, cert: CommitCertificate) -> Result<(), ChainError> {
        let mut head = self.head.write().unwrap_or_else(|e| e.into_inner());
        let height = prepared.height();
        let header = prepared.block.header.clone().unwrap_or_default();
        if height != head.tip.height + 1 || header.prev_hash != head.tip.last_hash.0 {
            return Err(ChainError::NotNext {
                height,
                head: head.tip.height,
            });
        }
        let mut ops = self.index_ops(&prepared, height, header.time_ms);
        // The set it starts, keys decoded before anything is written.
        let new_epoch = match prepared.new_epoch {
            Some(e) => Some((trusted_epoch(self.params.suite, &e)?, e)),
            None => None,
        };
        ops.extend(prepared.ops);
        let state = prepared.block.state.clone().unwrap_or_default();
        let stored = StoredBlock {
            header: Some(header.clone()),
            state: Some(state.clone()),
            certificate: Some(cert),
            first_log_index: prepared.first_log_index,
        };
        ops.push((cf::BLOCKS, be(height), Some(stored.encode_to_vec())));
        ops.push((cf::META, meta::HEIGHT.to_vec(), Some(be(height))));
        if let Some((_, e)) = &new_epoch {
            let sv = StoredValidatorSet {
                since_height: e.since_height,
                set: Some(e.set.clone()),
                introduced_by: e.introduced_by().unwrap_or_default(),
            };
            ops.push((cf::VALSETS, be(e.since_height), Some(sv.encode_to_vec())));
        }
        self.db.write(ops)?;
        self.committed
            .advance(head.tip.height, height, prepared.pages);
        head.tip = Tip {
            height,
            log_size: state.log_size,
            last_hash: prepared.id,
            last_time_ms: header.time_ms,
        };
        if let Some((trusted, e)) = new_epoch {
            head.push_epoch(e, trusted);
        }
        Ok(())
    }

    /// Run `f` on a view of the committed state at the head, given the
    /// head's height, with the head held meanwhile: the entries many
    /// records read come from those kept for that height (admission's
    /// checks). `f` must not take the head itself.
    pub fn at_head<T>(&self, f: impl FnOnce(&Pending<'_>, u64) -> T) -> T {
        let head = self.head();
        let height = head.tip.height;
        let out = f(
            &Pending::over(
                &self.db,
                self.params.suite,
                &self.shared,
                &self.committed,
                height,
            ),
            height,
        );
        drop(head);
        out
    }

    /// Read-only view of committed storage for proofs and the rules.
    pub fn reader(&self) -> Pending<'_> {
        Pending::new(&self.db, self.params.suite)
    }

    /// A reader of the committed state for a caller holding the head at
    /// `height`: the trees' upper pages shared with the other readers of
    /// that height.
    pub fn reader_at(&self, height: u64) -> Pending<'_> {
        Pending::reading(&self.db, self.params.suite, &self.hot, height)
    }
}
