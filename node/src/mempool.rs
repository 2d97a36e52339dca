//! The mempool: records admitted after the stateless checks, signature
//! verification and a dry run of the rules against the committed state,
//! kept in arrival order until a block of ours commits them.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::time::Instant;

use yinzheng_crypto::Digest;
use yinzheng_ledger::{
    BlockContext, Record, RejectCode, Rejection, StateKey, apply, check_signers_known,
};

use crate::chain::Chain;

/// Why a record was not admitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmitError {
    /// The record breaks a rule (decode, signature, permission, duplicate…).
    #[error("{0}")]
    Rejected(Rejection),
    /// The mempool is full; try again later.
    #[error("mempool full ({0} records); try again later")]
    Busy(usize),
    /// The node could not read its state.
    #[error("storage: {0}")]
    Internal(String),
}

impl AdmitError {
    /// The reason code: the rejection's, or `BUSY`, or `INTERNAL`.
    pub fn reason(&self) -> &str {
        match self {
            AdmitError::Rejected(r) => r.code.as_str(),
            AdmitError::Busy(_) => "BUSY",
            AdmitError::Internal(_) => "INTERNAL",
        }
    }
}

/// Refuse a record a block already committed (`DUPLICATE`).
fn not_committed(chain: &Chain, id: Digest) -> Result<(), AdmitError> {
    let committed = chain
        .state(&StateKey::Record(id))
        .map_err(|e| AdmitError::Internal(e.to_string()))?;
    match committed {
        None => Ok(()),
        Some(_) => Err(AdmitError::Rejected(Rejection::new(
            RejectCode::Duplicate,
            format!("record {id} is already committed"),
        ))),
    }
}

/// Refuse a record already waiting in the mempool (`DUPLICATE`).
fn waiting_duplicate(id: Digest) -> AdmitError {
    AdmitError::Rejected(Rejection::new(
        RejectCode::Duplicate,
        format!("record {id} is already waiting in the mempool"),
    ))
}

/// Whether the rules accept a record as if it were the next block's only
/// record at `now_ms`.
fn dry_run(chain: &Chain, record: &Record, now_ms: u64) -> Result<(), AdmitError> {
    chain
        .at_head(|view, height| {
            let ctx = BlockContext {
                height: height + 1,
                time_ms: now_ms,
            };
            apply(chain.params(), view, record, ctx).map(|_| ())
        })
        .map_err(refused)
}

/// A rule's refusal, or a state read that failed.
fn refused(e: yinzheng_ledger::ApplyError) -> AdmitError {
    match e {
        yinzheng_ledger::ApplyError::Rejected(r) => AdmitError::Rejected(r),
        yinzheng_ledger::ApplyError::State(e) => AdmitError::Internal(e.to_string()),
    }
}

/// A waiting record.
#[derive(Debug)]
struct Waiting {
    record: Arc<Record>,
    /// Its key in `by_bytes`.
    bytes_hash: u64,
    admitted: Instant,
    stored: bool,
}

/// A record taken out of the mempool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    /// Its id.
    pub id: Digest,
    /// When it was admitted here.
    pub admitted: Instant,
    /// Whether it was stored in the `mempool` column family (and must be
    /// deleted there).
    pub stored: bool,
}

/// A record admission's checks accepted.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The record.
    pub record: Record,
    /// The committed height read just before the check found the record
    /// not committed: [`Mempool::insert_uncommitted`] reads the committed
    /// state again only if a block has committed since.
    pub at_height: u64,
}

/// Records waiting for a block.
#[derive(Debug)]
pub struct Mempool {
    capacity: usize,
    order: VecDeque<Digest>,
    records: HashMap<Digest, Waiting>,
    /// A keyed hash of each waiting record's envelope bytes, to its id: a
    /// proposal's records are found here by their bytes, without decoding
    /// them or hashing them with the suite for their ids.
    by_bytes: HashMap<u64, Digest>,
    /// The key of that hash, drawn at start: a stranger cannot choose
    /// records whose hashes collide (and a collision only costs a decode).
    keyed: RandomState,
}

impl Mempool {
    /// An empty mempool holding at most `capacity` records.
    pub fn new(capacity: usize) -> Mempool {
        Mempool {
            capacity,
            order: VecDeque::new(),
            records: HashMap::new(),
            by_bytes: HashMap::new(),
            keyed: RandomState::new(),
        }
    }

    /// Number of waiting records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Every check a record from outside gets before it is admitted, cheapest
    /// first: the stateless checks, then whether it is already committed,
    /// then whether the pool takes it (`room`: the caller's look into the
    /// pool, [`Mempool::room_for`]: not already waiting here, and the pool
    /// not full), then whether its signers are known keys (state lookups),
    /// and only then its signatures and a dry run of the rules (threat
    /// model A5: a stranger's keys cost no verification; a record met
    /// again, relayed after a block committed it or submitted twice, costs
    /// none either; nor does one that comes while the pool is full, and
    /// would be refused `BUSY` after its checks).
    pub fn check_bytes(
        chain: &Chain,
        bytes: &[u8],
        now_ms: u64,
        room: impl Fn(&Digest) -> Result<(), AdmitError>,
    ) -> Result<Checked, AdmitError> {
        let unverified = Record::parse(chain.params(), bytes).map_err(AdmitError::Rejected)?;
        let id = unverified.id();
        let at_height = chain.height();
        not_committed(chain, id)?;
        room(&id)?;
        chain
            .at_head(|view, _| check_signers_known(view, &unverified))
            .map_err(refused)?;
        let record = unverified
            .verify(chain.params())
            .map_err(AdmitError::Rejected)?;
        dry_run(chain, &record, now_ms)?;
        Ok(Checked { record, at_height })
    }

    /// Check a decoded record against the committed state (not yet in the
    /// pool): not committed before, and accepted by the rules as if it were
    /// the next block's only record at `now_ms`. Returns the committed
    /// height it was found not committed at (see [`Checked::at_height`]).
    pub fn check(chain: &Chain, record: &Record, now_ms: u64) -> Result<u64, AdmitError> {
        let at_height = chain.height();
        not_committed(chain, record.id())?;
        dry_run(chain, record, now_ms)?;
        Ok(at_height)
    }

    /// Whether a record is waiting here.
    pub fn contains(&self, id: &Digest) -> bool {
        self.records.contains_key(id)
    }

    /// Whether the pool would take a record now: `DUPLICATE` if it is
    /// already waiting here, `BUSY` if the pool is full.
    pub fn room_for(&self, id: &Digest) -> Result<(), AdmitError> {
        if self.records.contains_key(id) {
            return Err(waiting_duplicate(*id));
        }
        if self.records.len() >= self.capacity {
            return Err(AdmitError::Busy(self.capacity));
        }
        Ok(())
    }

    /// Add a record checked against an earlier committed state, unless a
    /// block committed it since. The check ran without the pool's lock, so
    /// a block holding the record (proposed by another member, who had it
    /// from a client or the relay) can commit between the check and this
    /// call, and its removal from the pool then runs before this insert: the
    /// record would wait here for a block that refuses it as a duplicate.
    /// A commit writes the database and moves the head before it takes the
    /// pool's lock to remove its records. So, with the pool locked: if the
    /// head is still at `checked_at` (the height read before the check
    /// found the record not committed), no block committed since, and any
    /// later one removes the record after this insert; otherwise the
    /// committed state is read once more. `stored`: whether the caller
    /// writes it to the `mempool` column family. (Lock order: the pool,
    /// then the head; nothing takes the pool while holding the head.)
    pub fn insert_uncommitted(
        &mut self,
        chain: &Chain,
        record: Record,
        checked_at: u64,
        stored: bool,
    ) -> Result<(), AdmitError> {
        if chain.height() != checked_at {
            not_committed(chain, record.id())?;
        }
        self.insert_kept(record, stored)
    }

    /// Add a checked record, one stored on disk.
    pub fn insert(&mut self, record: Record) -> Result<(), AdmitError> {
        self.insert_kept(record, true)
    }

    /// Add a checked record, stored on disk or (`stored` false) held in
    /// memory only.
    fn insert_kept(&mut self, record: Record, stored: bool) -> Result<(), AdmitError> {
        let id = record.id();
        self.room_for(&id)?;
        self.order.push_back(id);
        let bytes_hash = self.keyed.hash_one(record.bytes());
        self.by_bytes.insert(bytes_hash, id);
        let waiting = Waiting {
            record: Arc::new(record),
            bytes_hash,
            admitted: Instant::now(),
            stored,
        };
        self.records.insert(id, waiting);
        Ok(())
    }

    /// The waiting record whose envelope is exactly `bytes`, if any.
    pub fn get_by_bytes(&self, bytes: &[u8]) -> Option<Arc<Record>> {
        let id = self.by_bytes.get(&self.keyed.hash_one(bytes))?;
        let w = self.records.get(id)?;
        (w.record.bytes() == bytes).then(|| w.record.clone())
    }

    /// Up to `max` records in arrival order (they stay until removed).
    pub fn take(&mut self, max: usize) -> Vec<Arc<Record>> {
        self.order
            .iter()
            .filter_map(|id| self.records.get(id).map(|w| w.record.clone()))
            .take(max)
            .collect()
    }

    /// Drop records (committed, or refused at execution). Returns those
    /// that were waiting here.
    pub fn remove(&mut self, ids: impl IntoIterator<Item = Digest>) -> Vec<Removed> {
        let mut held = Vec::new();
        for id in ids {
            if let Some(w) = self.records.remove(&id) {
                if self.by_bytes.get(&w.bytes_hash) == Some(&id) {
                    self.by_bytes.remove(&w.bytes_hash);
                }
                held.push(Removed {
                    id,
                    admitted: w.admitted,
                    stored: w.stored,
                });
            }
        }
        // Ids of removed records are skipped where met and dropped from
        // the order once they are half of it: the order is not walked at
        // every block.
        if self.order.len() > 2 * self.records.len() + 64 {
            self.order.retain(|id| self.records.contains_key(id));
        }
        // Removed records go first (a block commits the oldest): the
        // front is trimmed so `take` does not walk over them.
        while let Some(id) = self.order.front() {
            if self.records.contains_key(id) {
                break;
            }
            self.order.pop_front();
        }
        held
    }
}
