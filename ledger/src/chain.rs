//! A whole chain in memory: block production, certificates, and proof bundles.
//!
//! The node keeps the same structures in RocksDB; this in-memory chain serves
//! tests, the committed test vectors and the benchmarks, and is the reference
//! for what a node computes at each height.

use prost::Message;
use yinzheng_crypto::{Digest, Signer, SigningKey};

use crate::LedgerError;
use crate::apply::{BlockContext, Outcome, execute_block};
use crate::block::{
    TrustedValidators, block_hash, links_digest, pack_digests, precommit_bytes, state_digest,
    validator_set_hash,
};
use crate::genesis::{Genesis, GenesisError};
use crate::merkle::{
    MemLogStore, MemSmtStore, MerkleLog, SmtTerminal, StatusMap, leaf_hash, root_of_leaf_hashes,
};
use crate::params::ChainParams;
use crate::proto::{
    Bundle, Checkpoint, CommitCertificate, Header, RecordState, SmtProof, StateCommitments,
    StatusEntry, StatusEvidence, ValidatorSet, ValidatorSetChange, ValidatorSetState,
};
use crate::record::Record;
use crate::state::{MemState, StateKey, StateView, get_typed};
use crate::subject::subject_key;

/// Bundle format version written by this code.
pub const BUNDLE_VERSION: u32 = 1;

/// A committed block as the in-memory chain keeps it.
#[derive(Debug, Clone)]
pub struct MemBlock {
    /// Header.
    pub header: Header,
    /// What the header's `state_digest` commits to.
    pub state: StateCommitments,
    /// Envelope bytes of its records, in order.
    pub records: Vec<Vec<u8>>,
    /// Log index of its first record.
    pub first_log_index: u64,
    /// Its commit certificate, once signed.
    pub certificate: Option<CommitCertificate>,
}

/// A validator set and the first height it signs.
#[derive(Debug, Clone)]
struct SetEpoch {
    since_height: u64,
    set: ValidatorSet,
    /// For sets after genesis: the block (since − 1) that named it as next.
    introduced_by: Option<u64>,
}

/// A chain in memory.
pub struct MemChain {
    params: ChainParams,
    genesis_hash: Digest,
    log: MerkleLog<MemLogStore>,
    map: StatusMap<MemSmtStore>,
    state: MemState,
    blocks: Vec<MemBlock>,
    epochs: Vec<SetEpoch>,
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
        let suite = params.suite;
        let mut state = MemState::default();
        let mut map = StatusMap::open(suite, MemSmtStore::default());
        let writes = genesis.initial_writes().map_err(gen_err)?;
        for (k, v) in &writes {
            map.insert(&k.digest(suite), v)?;
        }
        state.apply(&writes);
        let set = genesis.validator_set().map_err(gen_err)?;
        Ok(MemChain {
            genesis_hash: genesis.hash().map_err(gen_err)?,
            log: MerkleLog::open(suite, 0, MemLogStore::default()),
            map,
            state,
            blocks: Vec::new(),
            epochs: vec![SetEpoch {
                since_height: 1,
                set,
                introduced_by: None,
            }],
            params,
        })
    }

    /// Chain parameters.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    /// Current state.
    pub fn state(&self) -> &MemState {
        &self.state
    }

    /// Height of the last block (0 before the first).
    pub fn height(&self) -> u64 {
        self.blocks.len() as u64
    }

    /// A committed block by height (1-based).
    pub fn block(&self, height: u64) -> Option<&MemBlock> {
        let i = usize::try_from(height.checked_sub(1)?).ok()?;
        self.blocks.get(i)
    }

    /// The validator set that signs `height`.
    pub fn validators_at(&self, height: u64) -> &ValidatorSet {
        let mut cur = &self.epochs[0].set;
        for e in &self.epochs {
            if e.since_height <= height {
                cur = &e.set;
            }
        }
        cur
    }

    /// Execute `candidates` as the next block at `time_ms`, proposed by
    /// validator `proposer`. Refused records are left out and reported.
    pub fn produce(
        &mut self,
        candidates: &[Record],
        time_ms: u64,
        proposer: u32,
    ) -> Result<(Header, Vec<Outcome>), LedgerError> {
        let suite = self.params.suite;
        let height = self.height() + 1;
        let ctx = BlockContext { height, time_ms };
        let (outcomes, writes) =
            execute_block(&self.params, &self.state, candidates, ctx, self.log.size())?;
        let first_log_index = self.log.size();
        let mut records = Vec::new();
        let mut leaves = Vec::new();
        for (r, o) in candidates.iter().zip(&outcomes) {
            if matches!(o, Outcome::Committed { .. }) {
                self.log.append(r.bytes())?;
                leaves.push(leaf_hash(suite, r.bytes()));
                records.push(r.bytes().to_vec());
            }
        }
        let digests: Vec<Digest> = writes.iter().map(|(k, _)| k.digest(suite)).collect();
        self.map
            .insert_batch(digests.iter().zip(writes.iter().map(|(_, v)| v.as_slice())))?;
        self.state.apply(&writes);
        // A validator change committed here takes effect at `since_height`.
        if let Some(vs) = get_typed::<ValidatorSetState>(&self.state, &StateKey::Validators)? {
            let last = self.epochs.last().map_or(0, |e| e.since_height);
            if vs.since_height > last {
                self.epochs.push(SetEpoch {
                    since_height: vs.since_height,
                    set: ValidatorSet {
                        validators: vs.validators,
                    },
                    introduced_by: Some(vs.since_height - 1),
                });
            }
        }
        let state = StateCommitments {
            log_size: self.log.size(),
            log_root: self.log.root()?.0.to_vec(),
            status_root: self.map.root()?.0.to_vec(),
            validators_hash: validator_set_hash(suite, self.validators_at(height))
                .0
                .to_vec(),
            next_validators_hash: validator_set_hash(suite, self.validators_at(height + 1))
                .0
                .to_vec(),
        };
        let prev_hash = match self.blocks.last() {
            Some(b) => block_hash(suite, &b.header).map_err(cert_err)?,
            None => self.genesis_hash,
        };
        let header = Header {
            chain_id: self.params.chain_id.clone(),
            height,
            time_ms,
            prev_hash: prev_hash.0.to_vec(),
            proposer,
            records_root: root_of_leaf_hashes(suite, &leaves).0.to_vec(),
            record_count: u32::try_from(records.len()).unwrap_or(u32::MAX),
            state_digest: state_digest(suite, &state).map_err(cert_err)?.0.to_vec(),
            links_digest: Vec::new(),
        };
        self.blocks.push(MemBlock {
            header: header.clone(),
            state,
            records,
            first_log_index,
            certificate: None,
        });
        Ok((header, outcomes))
    }

    /// Attach a commit certificate to block `height` after checking it.
    pub fn certify(&mut self, height: u64, cert: CommitCertificate) -> Result<(), LedgerError> {
        let set = TrustedValidators::new(self.params.suite, self.validators_at(height).clone())
            .map_err(cert_err)?;
        let i = usize::try_from(height.saturating_sub(1)).unwrap_or(usize::MAX);
        let block = self.blocks.get_mut(i).ok_or(LedgerError::OutOfRange {
            what: "height",
            value: height,
            limit: 0,
        })?;
        set.verify_commit(&block.header, &cert).map_err(cert_err)?;
        block.certificate = Some(cert);
        Ok(())
    }

    fn checkpoint(&self, height: u64) -> Result<Checkpoint, LedgerError> {
        let b = self.block(height).ok_or(LedgerError::OutOfRange {
            what: "height",
            value: height,
            limit: self.height(),
        })?;
        let cert = b
            .certificate
            .clone()
            .ok_or_else(|| LedgerError::Store(format!("block {height} has no certificate")))?;
        Ok(Checkpoint {
            header: Some(b.header.clone()),
            certificate: Some(cert),
        })
    }

    fn validator_changes(&self, up_to: u64) -> Result<Vec<ValidatorSetChange>, LedgerError> {
        let mut out = Vec::new();
        for e in &self.epochs {
            let Some(h) = e.introduced_by else { continue };
            if e.since_height > up_to {
                break;
            }
            let b = self.block(h).ok_or(LedgerError::OutOfRange {
                what: "height",
                value: h,
                limit: self.height(),
            })?;
            out.push(ValidatorSetChange {
                checkpoint: Some(self.checkpoint(h)?),
                state: Some(b.state.clone()),
                validators: Some(e.set.clone()),
            });
        }
        Ok(out)
    }

    /// The proof bundle for a committed record. `with_status` adds fresh status
    /// evidence against the latest certified block; without it the bundle is
    /// compact (status as of issuance).
    pub fn bundle(&self, record_id: &Digest, with_status: bool) -> Result<Bundle, LedgerError> {
        let suite = self.params.suite;
        let rs: RecordState = get_typed(&self.state, &StateKey::Record(*record_id))?
            .ok_or_else(|| LedgerError::Store(format!("record {record_id} is not committed")))?;
        let block = self
            .block(rs.height)
            .ok_or_else(|| LedgerError::Store(format!("block {} missing", rs.height)))?;
        let index = usize::try_from(rs.log_index - block.first_log_index)
            .map_err(|_| LedgerError::Store("index overflow".into()))?;
        let leaves: Vec<Digest> = block.records.iter().map(|r| leaf_hash(suite, r)).collect();
        let path = crate::merkle::inclusion_path(suite, index, &leaves);
        let record_bytes = block.records[index].clone();
        let mut status_height = rs.height;
        let status = if with_status {
            let latest = (1..=self.height())
                .rev()
                .find(|h| self.block(*h).is_some_and(|b| b.certificate.is_some()))
                .ok_or_else(|| LedgerError::Store("no certified block".into()))?;
            status_height = latest;
            let lb = self
                .block(latest)
                .ok_or_else(|| LedgerError::Store(format!("block {latest} missing")))?;
            let record =
                Record::decode(&self.params, &record_bytes).map_err(|r| LedgerError::Decode {
                    what: "record",
                    reason: r.to_string(),
                })?;
            // The map reflects the last block; status is proven against it only.
            if latest != self.height() {
                return Err(LedgerError::Store(
                    "latest block is not certified yet".into(),
                ));
            }
            let mut entries = Vec::new();
            if let Some(key) = subject_key(&record) {
                entries.push(self.entry(1, &key)?);
            }
            for s in record.signers() {
                entries.push(self.entry(2, &StateKey::Key(s.public_key.clone()))?);
            }
            Some(StatusEvidence {
                checkpoint: Some(self.checkpoint(latest)?),
                state: Some(lb.state.clone()),
                log_index: rs.log_index,
                log_path: pack_digests(&self.log.inclusion_proof(rs.log_index, lb.state.log_size)?),
                entries,
            })
        } else {
            None
        };
        let mut anchor = self.checkpoint(rs.height)?;
        if !with_status {
            compact_checkpoint(suite, &mut anchor)?;
        }
        Ok(Bundle {
            version: BUNDLE_VERSION,
            record: record_bytes,
            anchor: Some(anchor),
            record_index: u32::try_from(index).unwrap_or(u32::MAX),
            records_path: pack_digests(&path),
            status,
            validator_changes: self.validator_changes(status_height)?,
        })
    }

    fn entry(&self, role: u32, key: &StateKey) -> Result<StatusEntry, LedgerError> {
        let proof = self.map.prove(&key.digest(self.params.suite))?;
        Ok(status_entry(
            role,
            self.state.get(key)?.unwrap_or_default(),
            &proof,
        ))
    }
}

/// A bundle's status entry: role (1 subject, 2 signer key), the value, and
/// its status-map proof in wire form.
pub fn status_entry(role: u32, value: Vec<u8>, proof: &crate::merkle::SmtProof) -> StatusEntry {
    let (leaf_key, leaf_value_hash) = match proof.terminal {
        SmtTerminal::Empty => (Vec::new(), Vec::new()),
        SmtTerminal::Leaf { key, value_hash } => (key.0.to_vec(), value_hash.0.to_vec()),
    };
    StatusEntry {
        role,
        value,
        proof: Some(SmtProof {
            siblings: pack_digests(&proof.siblings),
            leaf_key,
            leaf_value_hash,
        }),
    }
}

/// Turn a bundle into its compact form (`docs/spec/bundle.md` §5.2): no status
/// evidence, no validator changes after the anchor, and a compact anchor.
pub fn make_compact(suite: yinzheng_crypto::Suite, bundle: &Bundle) -> Result<Bundle, LedgerError> {
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
        compact_checkpoint(suite, a)?;
    }
    Ok(b)
}

/// Leave out of a checkpoint what a verifier recomputes: the chain id (from
/// genesis), the records root (from the record and its path), the certificate's
/// height and block hash (from the header); and carry `links_digest` in place
/// of `prev_hash` and `state_digest`.
fn compact_checkpoint(
    suite: yinzheng_crypto::Suite,
    cp: &mut Checkpoint,
) -> Result<(), LedgerError> {
    if let Some(h) = cp.header.as_mut() {
        let links = links_digest(suite, h).map_err(cert_err)?;
        h.links_digest = links.0.to_vec();
        h.prev_hash.clear();
        h.state_digest.clear();
        h.chain_id.clear();
        h.records_root.clear();
    }
    if let Some(c) = cp.certificate.as_mut() {
        c.height = 0;
        c.block_hash.clear();
    }
    Ok(())
}

fn cert_err(e: crate::block::CertError) -> LedgerError {
    LedgerError::Decode {
        what: "block",
        reason: e.to_string(),
    }
}

/// Sign a commit certificate for `header` with the given validators
/// (`(index in the set, key)`, any order), as the consensus engine's
/// precommits would be collected.
pub fn sign_commit(
    suite: yinzheng_crypto::Suite,
    header: &Header,
    round: u32,
    signers: &[(u32, &SigningKey)],
) -> Result<CommitCertificate, LedgerError> {
    let hash = block_hash(suite, header).map_err(cert_err)?;
    let msg = precommit_bytes(&header.chain_id, header.height, round, &hash);
    let mut sorted: Vec<&(u32, &SigningKey)> = signers.iter().collect();
    sorted.sort_by_key(|(i, _)| *i);
    sorted.dedup_by_key(|(i, _)| *i);
    let max = sorted.last().map_or(0, |(i, _)| *i as usize);
    let mut bitmap = vec![0u8; max / 8 + 1];
    let mut signatures = Vec::with_capacity(sorted.len() * 64);
    for (i, k) in sorted {
        let i = *i as usize;
        bitmap[i / 8] |= 1 << (i % 8);
        signatures.extend_from_slice(&k.sign(&msg)?.to_bytes());
    }
    Ok(CommitCertificate {
        height: header.height,
        round,
        block_hash: hash.0.to_vec(),
        signers: bitmap,
        signatures,
    })
}

/// Encoded size of a bundle in bytes.
pub fn bundle_size(b: &Bundle) -> usize {
    b.encoded_len()
}
