//! The node's chain on RocksDB: executing and validating proposed blocks,
//! committing decided ones atomically, and reading blocks back.
//!
//! What is computed per height is exactly what `ledger::MemChain` computes
//! (the reference); here every structure lives in the database and a block's
//! writes are held aside until consensus decides it.

use std::path::Path;
use std::sync::{RwLock, RwLockReadGuard};

use prost::Message;
use rayon::prelude::*;
use yinzheng_crypto::{Digest, Suite};
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::merkle::{MerkleLog, StatusMap, leaf_hash, root_of_leaf_hashes};
use yinzheng_ledger::proto::{
    CommitCertificate, Header, RecordState, StateCommitments, ValidatorSet, ValidatorSetState,
};
use yinzheng_ledger::{
    BlockContext, ChainParams, LedgerError, Outcome, Record, RecordKind, StateKey, block_hash,
    execute_block, record_id, state_digest, subject_key, validator_set_hash,
};

use crate::proto::{ProposedBlock, StoredBlock, StoredValidatorSet};
use crate::store::{Db, Pending, cf, meta, store_err};

/// Most records in one block.
pub const MAX_BLOCK_RECORDS: usize = 1000;

/// A validator set and the first height it signs.
#[derive(Debug, Clone)]
pub struct Epoch {
    /// First height it signs.
    pub since_height: u64,
    /// The set.
    pub set: ValidatorSet,
    /// The block that named it as next (0 for genesis).
    pub introduced_by: u64,
}

/// What the node knows of its last committed block.
#[derive(Debug, Clone)]
pub struct Head {
    /// Height of the last committed block (0 before the first).
    pub height: u64,
    /// Records in the log.
    pub log_size: u64,
    /// Hash of the last block (the genesis hash before the first).
    pub last_hash: Digest,
    /// Time of the last block (genesis time before the first).
    pub last_time_ms: u64,
    /// Validator-set history, oldest first.
    pub epochs: Vec<Epoch>,
}

impl Head {
    /// The set that signs `height`.
    pub fn validators_at(&self, height: u64) -> &ValidatorSet {
        let mut cur = &self.epochs[0].set;
        for e in &self.epochs {
            if e.since_height <= height {
                cur = &e.set;
            }
        }
        cur
    }
}

/// An executed block waiting for its decision.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The block as proposed.
    pub block: ProposedBlock,
    /// Its hash (what consensus decides on).
    pub id: Digest,
    /// Ids of its records, in order.
    pub record_ids: Vec<Digest>,
    ops: Vec<crate::store::Op>,
    new_epoch: Option<Epoch>,
    first_log_index: u64,
}

impl Prepared {
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
    genesis_time_ms: u64,
    head: RwLock<Head>,
}

fn gen_err(e: yinzheng_ledger::genesis::GenesisError) -> LedgerError {
    LedgerError::Decode {
        what: "genesis",
        reason: e.0,
    }
}

fn decode_err(what: &'static str, e: impl std::fmt::Display) -> LedgerError {
    LedgerError::Decode {
        what,
        reason: e.to_string(),
    }
}

fn be(h: u64) -> Vec<u8> {
    h.to_be_bytes().to_vec()
}

impl Chain {
    /// Open the chain at `path`, initialising it from `genesis` if empty.
    /// Refuses a database created for another genesis.
    pub fn open(path: &Path, genesis: &Genesis) -> Result<Chain, LedgerError> {
        let db = Db::open(path)?;
        let params = genesis.params().map_err(gen_err)?;
        let suite = params.suite;
        let genesis_hash = genesis.hash().map_err(gen_err)?;
        match db.get(cf::META, meta::GENESIS)? {
            Some(h) if h != genesis_hash.0 => {
                return Err(LedgerError::Store(format!(
                    "database belongs to genesis {}, not {}",
                    hex::encode(h),
                    genesis_hash
                )));
            }
            Some(_) => {}
            None => {
                let mut p = Pending::new(&db, suite);
                let writes = genesis.initial_writes().map_err(gen_err)?;
                let mut map = StatusMap::open(suite, p);
                for (k, v) in &writes {
                    map.insert(&k.digest(suite), v)?;
                }
                p = map.into_store();
                for (k, v) in writes {
                    p.put_state(&k, v);
                }
                let set = genesis.validator_set().map_err(gen_err)?;
                let sv = StoredValidatorSet {
                    since_height: 1,
                    set: Some(set),
                    introduced_by: 0,
                };
                p.put(cf::VALSETS, be(1), sv.encode_to_vec());
                p.put(cf::META, meta::HEIGHT.to_vec(), be(0));
                p.put(cf::META, meta::GENESIS.to_vec(), genesis_hash.0.to_vec());
                db.write(p.into_ops())?;
            }
        }
        let head = Self::load_head(&db, suite, genesis_hash, genesis.genesis_time_ms)?;
        Ok(Chain {
            db,
            params,
            genesis_hash,
            genesis_time_ms: genesis.genesis_time_ms,
            head: RwLock::new(head),
        })
    }

    fn load_head(
        db: &Db,
        suite: Suite,
        genesis_hash: Digest,
        genesis_time: u64,
    ) -> Result<Head, LedgerError> {
        let height = db
            .meta_u64(meta::HEIGHT)?
            .ok_or_else(|| store_err("no committed height"))?;
        let mut epochs = Vec::new();
        for (_, v) in db.scan(cf::VALSETS)? {
            let sv =
                StoredValidatorSet::decode(v.as_slice()).map_err(|e| decode_err("valset", e))?;
            epochs.push(Epoch {
                since_height: sv.since_height,
                set: sv.set.unwrap_or_default(),
                introduced_by: sv.introduced_by,
            });
        }
        if epochs.is_empty() {
            return Err(store_err("no validator set"));
        }
        let (last_hash, last_time_ms, log_size) = if height == 0 {
            (genesis_hash, genesis_time, 0)
        } else {
            let b = Self::stored_block(db, height)?
                .ok_or_else(|| store_err(format!("block {height} missing")))?;
            let h = b.header.unwrap_or_default();
            let log_size = b.state.map_or(0, |s| s.log_size);
            (
                block_hash(suite, &h).map_err(|e| decode_err("header", e))?,
                h.time_ms,
                log_size,
            )
        };
        Ok(Head {
            height,
            log_size,
            last_hash,
            last_time_ms,
            epochs,
        })
    }

    fn stored_block(db: &Db, height: u64) -> Result<Option<StoredBlock>, LedgerError> {
        db.get(cf::BLOCKS, &be(height))?
            .map(|v| StoredBlock::decode(v.as_slice()).map_err(|e| decode_err("block", e)))
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

    /// The genesis time.
    pub fn genesis_time_ms(&self) -> u64 {
        self.genesis_time_ms
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
        self.head().height
    }

    /// A committed block.
    pub fn block(&self, height: u64) -> Result<Option<StoredBlock>, LedgerError> {
        Self::stored_block(&self.db, height)
    }

    /// Envelope bytes of the record at a log index.
    pub fn record_at(&self, log_index: u64) -> Result<Option<Vec<u8>>, LedgerError> {
        self.db.get(cf::RECORDS, &be(log_index))
    }

    /// A state value.
    pub fn state(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError> {
        self.db.get(cf::STATE, &key.digest(self.params.suite).0)
    }

    /// Where a committed record is.
    pub fn record_state(&self, id: &Digest) -> Result<Option<RecordState>, LedgerError> {
        self.state(&StateKey::Record(*id))?
            .map(|v| RecordState::decode(v.as_slice()).map_err(|e| decode_err("record state", e)))
            .transpose()
    }

    /// The record that created a certificate or seal.
    pub fn subject_record(&self, key: &StateKey) -> Result<Option<Digest>, LedgerError> {
        Ok(self
            .db
            .get(cf::INDEX, &key.digest(self.params.suite).0)?
            .and_then(|v| Digest::from_slice(&v)))
    }

    /// Execute `candidates` as the next block at `time_ms` by validator
    /// `proposer` (its index in the set). Refused records are left out and
    /// reported with their outcome.
    pub fn prepare(
        &self,
        candidates: &[Record],
        time_ms: u64,
        proposer: u32,
    ) -> Result<(Prepared, Vec<Outcome>), LedgerError> {
        let head = self.head();
        let suite = self.params.suite;
        let height = head.height + 1;
        let ctx = BlockContext { height, time_ms };
        let pending = Pending::new(&self.db, suite);
        let (outcomes, writes) =
            execute_block(&self.params, &pending, candidates, ctx, head.log_size)?;
        let mut log = MerkleLog::open(suite, head.log_size, pending);
        let mut leaves = Vec::new();
        let mut records = Vec::new();
        let mut record_ids = Vec::new();
        let mut index_writes = Vec::new();
        for (r, o) in candidates.iter().zip(&outcomes) {
            if let Outcome::Committed { log_index } = o {
                log.append(r.bytes())?;
                leaves.push(leaf_hash(suite, r.bytes()));
                records.push((*log_index, r.bytes().to_vec()));
                record_ids.push(r.id());
                if matches!(
                    r.kind(),
                    RecordKind::IssueCertificate
                        | RecordKind::SupersedeCertificate
                        | RecordKind::RegisterSeal
                ) && let Some(k) = subject_key(r)
                {
                    index_writes.push((k.digest(suite).0.to_vec(), r.id().0.to_vec()));
                }
            }
        }
        let log_size = log.size();
        let log_root = log.root()?;
        let mut map = StatusMap::open(suite, log.into_store());
        let digests: Vec<Digest> = writes.iter().map(|(k, _)| k.digest(suite)).collect();
        map.insert_batch(digests.iter().zip(writes.iter().map(|(_, v)| v.as_slice())))?;
        let status_root = map.root()?;
        let mut p = map.into_store();
        let mut new_epoch = None;
        for (k, v) in &writes {
            if *k == StateKey::Validators {
                let vs = ValidatorSetState::decode(v.as_slice())
                    .map_err(|e| decode_err("validator set state", e))?;
                let last = head.epochs.last().map_or(0, |e| e.since_height);
                if vs.since_height > last {
                    new_epoch = Some(Epoch {
                        since_height: vs.since_height,
                        set: ValidatorSet {
                            validators: vs.validators,
                        },
                        introduced_by: vs.since_height - 1,
                    });
                }
            }
            p.put_state(k, v.clone());
        }
        for (i, bytes) in &records {
            p.put(cf::RECORDS, be(*i), bytes.clone());
        }
        for (k, v) in index_writes {
            p.put(cf::INDEX, k, v);
        }
        let set_at = |h: u64| -> &ValidatorSet {
            match &new_epoch {
                Some(e) if e.since_height <= h => &e.set,
                _ => head.validators_at(h),
            }
        };
        let state = StateCommitments {
            log_size,
            log_root: log_root.0.to_vec(),
            status_root: status_root.0.to_vec(),
            validators_hash: validator_set_hash(suite, set_at(height)).0.to_vec(),
            next_validators_hash: validator_set_hash(suite, set_at(height + 1)).0.to_vec(),
        };
        let header = Header {
            chain_id: self.params.chain_id.clone(),
            height,
            time_ms,
            prev_hash: head.last_hash.0.to_vec(),
            proposer,
            records_root: root_of_leaf_hashes(suite, &leaves).0.to_vec(),
            record_count: u32::try_from(records.len()).unwrap_or(u32::MAX),
            state_digest: state_digest(suite, &state)
                .map_err(|e| decode_err("state", e))?
                .0
                .to_vec(),
            links_digest: Vec::new(),
        };
        let id = block_hash(suite, &header).map_err(|e| decode_err("header", e))?;
        let prepared = Prepared {
            block: ProposedBlock {
                header: Some(header),
                state: Some(state),
                records: records.into_iter().map(|(_, b)| b).collect(),
            },
            id,
            record_ids,
            ops: p.into_ops(),
            new_epoch,
            first_log_index: head.log_size,
        };
        Ok((prepared, outcomes))
    }

    /// Check a block another validator proposed (or a peer synced to us):
    /// it must extend our head, carry only records that verify and execute,
    /// and commit to exactly the state we compute. `now_ms` adds the clock
    /// check for live proposals (a synced block was already decided).
    ///
    /// `known` returns records this node already verified (its mempool), by
    /// id, so their signatures are not checked twice.
    pub fn validate(
        &self,
        block: &ProposedBlock,
        now_ms: Option<u64>,
        max_skew_ms: u64,
        known: &(dyn Fn(&Digest) -> Option<Record> + Sync),
    ) -> Result<Prepared, String> {
        let header = block.header.as_ref().ok_or("block without header")?;
        let (height, last_hash, last_time) = {
            let h = self.head();
            (h.height, h.last_hash, h.last_time_ms)
        };
        if header.height != height + 1 {
            return Err(format!(
                "block for height {}, expected {}",
                header.height,
                height + 1
            ));
        }
        if header.prev_hash != last_hash.0 {
            return Err("block does not extend our last block".into());
        }
        if header.time_ms <= last_time {
            return Err(format!(
                "block time {} not after the previous block's {}",
                header.time_ms, last_time
            ));
        }
        if let Some(now) = now_ms
            && header.time_ms > now.saturating_add(max_skew_ms)
        {
            return Err(format!(
                "block time {} is {} ms ahead of our clock",
                header.time_ms,
                header.time_ms - now
            ));
        }
        if block.records.len() > MAX_BLOCK_RECORDS {
            return Err(format!("{} records in one block", block.records.len()));
        }
        let records: Vec<Record> = block
            .records
            .par_iter()
            .enumerate()
            .map(
                |(i, b)| match record_id(self.params.suite, b).and_then(|id| known(&id)) {
                    Some(r) if r.bytes() == b.as_slice() => Ok(r),
                    _ => Record::decode(&self.params, b).map_err(|e| format!("record {i}: {e}")),
                },
            )
            .collect::<Result<_, _>>()?;
        let (prepared, outcomes) = self
            .prepare(&records, header.time_ms, header.proposer)
            .map_err(|e| format!("execution failed: {e}"))?;
        if let Some((i, o)) = outcomes
            .iter()
            .enumerate()
            .find(|(_, o)| !matches!(o, Outcome::Committed { .. }))
        {
            return Err(format!("record {i} is refused by the rules: {o:?}"));
        }
        if prepared.block.header.as_ref() != Some(header) || prepared.block.state != block.state {
            return Err("block header or state differs from our execution".into());
        }
        Ok(prepared)
    }

    /// Commit a decided block with its certificate, in one atomic write.
    pub fn commit(&self, prepared: Prepared, cert: CommitCertificate) -> Result<(), LedgerError> {
        let mut head = self.head.write().unwrap_or_else(|e| e.into_inner());
        let height = prepared.height();
        if height != head.height + 1 {
            return Err(store_err(format!(
                "commit of height {height} over head {}",
                head.height
            )));
        }
        let header = prepared.block.header.clone().unwrap_or_default();
        if header.prev_hash != head.last_hash.0 {
            return Err(store_err("decided block does not extend our head"));
        }
        let mut ops = prepared.ops;
        let stored = StoredBlock {
            header: Some(header.clone()),
            state: prepared.block.state.clone(),
            certificate: Some(cert),
            first_log_index: prepared.first_log_index,
        };
        ops.push((cf::BLOCKS, be(height), Some(stored.encode_to_vec())));
        ops.push((cf::META, meta::HEIGHT.to_vec(), Some(be(height))));
        if let Some(e) = &prepared.new_epoch {
            let sv = StoredValidatorSet {
                since_height: e.since_height,
                set: Some(e.set.clone()),
                introduced_by: e.introduced_by,
            };
            ops.push((cf::VALSETS, be(e.since_height), Some(sv.encode_to_vec())));
        }
        self.db.write(ops)?;
        head.height = height;
        head.log_size = prepared
            .block
            .state
            .as_ref()
            .map_or(head.log_size, |s| s.log_size);
        head.last_hash = prepared.id;
        head.last_time_ms = header.time_ms;
        if let Some(e) = prepared.new_epoch {
            head.epochs.push(e);
        }
        Ok(())
    }

    /// Read-only view of committed storage for proofs.
    pub fn reader(&self) -> Pending<'_> {
        Pending::new(&self.db, self.params.suite)
    }
}
