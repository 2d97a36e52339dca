//! The application side of consensus: answers the engine's requests
//! (build a block, check a block, commit a decided block, serve history to
//! syncing peers) over the channels of `malachitebft-app-channel`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use malachitebft_app_channel::app::engine::host::{Next, SyncedValueOutcome};
use malachitebft_app_channel::app::types::core::{
    CommitCertificate as EngineCert, HeightParams, LinearTimeouts, Round, Validity,
    VoteExtensionPolicy,
};
use malachitebft_app_channel::app::types::streaming::{StreamId, StreamMessage};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_app_channel::app::types::{LocallyProposedValue, ProposedValue};
use malachitebft_app_channel::{AppMsg, Channels, NetworkMsg};
use malachitebft_core_types::{ExtendedCommitCertificate, ExtendedCommitSignature};
use malachitebft_engine::util::streaming::StreamContent;
use prost::Message;
use tokio::sync::broadcast;
use tracing::{debug, error, info, warn};
use yinzheng_crypto::Digest;
use yinzheng_ledger::proto::CommitCertificate;
use yinzheng_ledger::{Outcome, Rejection, TrustedValidators};

use crate::chain::{Chain, MAX_BLOCK_RECORDS, Prepared};
use crate::consensus::signing::{ConsensusSigner, ConsensusVerifier};
use crate::consensus::{
    Address, BlockId, Height, ProposalPart, RawSignature, ValidatorSet, Yz, proposer_index,
};
use crate::mempool::Mempool;
use crate::parts::{CheckedParts, EarlyParts, MAX_HEIGHTS_AHEAD, MAX_ROUNDS_AHEAD};
use crate::proto::ProposedBlock;

/// What happened to records, for waiting submitters and block streams.
#[derive(Debug, Clone)]
pub enum Event {
    /// A block committed.
    Committed(Arc<CommittedBlock>),
    /// A record was refused when its block was built.
    Refused(Digest, Rejection),
}

/// A summary of a committed block.
#[derive(Debug)]
pub struct CommittedBlock {
    /// Its height.
    pub height: u64,
    /// Log index of its first record.
    pub first_log_index: u64,
    /// Its records, in order.
    pub record_ids: Vec<Digest>,
}

/// Consensus timing.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Shortest time between blocks.
    pub block_interval: Duration,
    /// How long to wait for a proposal before voting nil.
    pub propose_timeout: Duration,
    /// Largest accepted lead of a block's time over our clock.
    pub max_skew_ms: u64,
}

/// State shared by the consensus loop and the API.
pub struct Shared {
    /// The chain.
    pub chain: Chain,
    /// Waiting records.
    pub mempool: std::sync::Mutex<Mempool>,
    /// Committed blocks and refused records.
    pub events: broadcast::Sender<Event>,
    /// Node name.
    pub moniker: String,
    /// This validator's consensus key.
    pub consensus_public_key: Vec<u8>,
    /// Admitted records to offer to the other members (best effort).
    pub relay: Option<tokio::sync::mpsc::Sender<Vec<u8>>>,
    /// Largest clock difference accepted (block times, relay requests).
    pub max_skew_ms: u64,
    /// Open block streams per client address (bounded, threat model A5).
    pub streams: crate::limits::StreamLimiter,
}

impl Shared {
    /// The mempool, even if a panic poisoned its lock (its data stays valid:
    /// every operation leaves it consistent).
    pub fn pool(&self) -> std::sync::MutexGuard<'_, Mempool> {
        self.mempool.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    t.saturating_add_signed(CLOCK_OFFSET_MS.load(std::sync::atomic::Ordering::Relaxed))
}

/// A deliberate clock error (fault tests only: `faults.clock_offset_ms`).
static CLOCK_OFFSET_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Run this node's clock `ms` ahead (or behind): fault tests only.
pub fn set_clock_offset_ms(ms: i64) {
    CLOCK_OFFSET_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

struct Candidate {
    prepared: Prepared,
    round: Round,
    valid_round: Round,
    proposer: Address,
}

/// The consensus loop's own state.
struct App {
    shared: Arc<Shared>,
    address: Address,
    timing: Timing,
    /// Executed blocks awaiting a decision, by height and id.
    candidates: HashMap<(u64, Digest), Candidate>,
    /// Our own proposal per (height, round).
    ours: HashMap<(u64, i64), Digest>,
    /// Proposal parts for heights after the next one to commit: they are
    /// checked (against the state they extend) when their height starts.
    early: EarlyParts,
    /// Which parts of the current heights were validated (bounded).
    checked: CheckedParts,
    /// The round consensus is in.
    round: Round,
    /// Signs our proposal parts.
    signer: Arc<ConsensusSigner>,
    /// Checks the proposer's signature on received parts.
    verifier: Arc<ConsensusVerifier>,
    /// Deliberate misbehaviour (fault tests only).
    faults: crate::config::Faults,
}

fn stream_id(height: u64, round: Round) -> StreamId {
    let mut b = height.to_be_bytes().to_vec();
    b.extend_from_slice(&round.as_i64().to_be_bytes());
    StreamId::new(Bytes::from(b))
}

impl App {
    fn valset(&self, height: u64) -> ValidatorSet {
        let head = self.shared.chain.head();
        ValidatorSet::from_ledger(self.shared.chain.params().suite, head.validators_at(height))
    }

    fn height_params(&self, height: u64) -> HeightParams<Yz> {
        let t = self.timing.propose_timeout;
        let timeouts = LinearTimeouts {
            propose: t,
            propose_delta: t / 4,
            prevote: t / 2,
            prevote_delta: t / 4,
            precommit: t / 2,
            precommit_delta: t / 4,
            rebroadcast: t * 2,
            max_timeout: t * 10,
        };
        HeightParams {
            validator_set: self.valset(height),
            timeouts,
            target_time: Some(self.timing.block_interval),
            vote_extension_policy: VoteExtensionPolicy::Disabled,
        }
    }

    async fn publish(
        &self,
        channels: &Channels<Yz>,
        height: u64,
        round: Round,
        valid_round: Round,
        block: &ProposedBlock,
    ) {
        let mut part = ProposalPart {
            height: Height(height),
            round,
            pol_round: valid_round,
            proposer: self.address,
            block: block.encode_to_vec(),
            signature: RawSignature([0; 64]),
        };
        match self.signer.sign_part(&part) {
            Ok(s) => part.signature = s,
            Err(e) => {
                error!(%e, "could not sign a proposal part");
                return;
            }
        }
        self.flood(channels, height).await;
        let id = stream_id(height, round);
        for (seq, content) in [(0, StreamContent::Data(part)), (1, StreamContent::Fin)] {
            let msg = StreamMessage::new(id.clone(), seq, content);
            if let Err(e) = channels
                .network
                .send(NetworkMsg::PublishProposalPart(msg))
                .await
            {
                error!(%e, "could not publish a proposal part");
            }
        }
    }

    /// Fault tests only: publish junk parts for later heights and many
    /// rounds, signed by us (so the honest members' bounds are what holds).
    async fn flood(&self, channels: &Channels<Yz>, height: u64) {
        let n = self.faults.flood_proposal_parts;
        for k in 0..n {
            let mut part = ProposalPart {
                height: Height(height + 1 + u64::from(k % 15)),
                round: Round::new(k),
                pol_round: Round::Nil,
                proposer: self.address,
                block: vec![u8::try_from(k % 251).unwrap_or(0); self.faults.flood_part_bytes],
                signature: RawSignature([0; 64]),
            };
            if let Ok(s) = self.signer.sign_part(&part) {
                part.signature = s;
            }
            let id = stream_id(part.height.0, part.round);
            for (seq, content) in [(0, StreamContent::Data(part)), (1, StreamContent::Fin)] {
                let msg = StreamMessage::new(id.clone(), seq, content);
                let _ = channels
                    .network
                    .send(NetworkMsg::PublishProposalPart(msg))
                    .await;
            }
        }
    }

    /// Build our block for (height, round) from the mempool.
    async fn build(&mut self, height: u64, round: Round) -> Result<Digest, String> {
        if let Some(id) = self.ours.get(&(height, round.as_i64())) {
            return Ok(*id);
        }
        let shared = self.shared.clone();
        let address = self.address;
        let (prepared, refused) = tokio::task::spawn_blocking(move || {
            let set = {
                let head = shared.chain.head();
                ValidatorSet::from_ledger(shared.chain.params().suite, head.validators_at(height))
            };
            let proposer = set.index_of(&address).unwrap_or(0);
            let last_time = shared.chain.head().last_time_ms;
            let time = now_ms().max(last_time + 1);
            let candidates = shared.pool().take(MAX_BLOCK_RECORDS);
            let (prepared, outcomes) = shared
                .chain
                .prepare(&candidates, time, u32::try_from(proposer).unwrap_or(0))
                .map_err(|e| e.to_string())?;
            let mut refused = Vec::new();
            for (r, o) in candidates.iter().zip(outcomes) {
                if let Outcome::Rejected(rej) = o {
                    refused.push((r.id(), rej));
                }
            }
            Ok::<_, String>((prepared, refused))
        })
        .await
        .map_err(|e| e.to_string())??;
        if !refused.is_empty() {
            self.shared.pool().remove(refused.iter().map(|(id, _)| *id));
            for (id, rej) in refused {
                warn!(record = %id, %rej, "record refused at execution");
                let _ = self.shared.events.send(Event::Refused(id, rej));
            }
        }
        let id = prepared.id;
        info!(height, round = %round, records = prepared.record_ids.len(), block = %id, "proposing");
        self.ours.insert((height, round.as_i64()), id);
        self.candidates.insert(
            (height, id),
            Candidate {
                prepared,
                round,
                valid_round: Round::Nil,
                proposer: self.address,
            },
        );
        Ok(id)
    }

    /// Check a block received from the network or from sync.
    async fn check(
        &mut self,
        block: ProposedBlock,
        live: bool,
        proposer: Address,
    ) -> Result<Digest, String> {
        let shared = self.shared.clone();
        let skew = self.timing.max_skew_ms;
        let height = block.header.as_ref().map_or(0, |h| h.height);
        let set = self.valset(height);
        let claimed = block.header.as_ref().map_or(u32::MAX, |h| h.proposer);
        if set.index_of(&proposer).and_then(|i| u32::try_from(i).ok()) != Some(claimed) {
            return Err(format!("header names proposer {claimed}, not the sender"));
        }
        let prepared = tokio::task::spawn_blocking(move || {
            let now = live.then(now_ms);
            let known = |id: &Digest| shared.pool().get(id);
            shared.chain.validate(&block, now, skew, &known)
        })
        .await
        .map_err(|e| e.to_string())??;
        let id = prepared.id;
        self.candidates.insert(
            (height, id),
            Candidate {
                prepared,
                round: Round::Nil,
                valid_round: Round::Nil,
                proposer,
            },
        );
        Ok(id)
    }

    fn to_ledger_cert(&self, cert: &EngineCert<Yz>) -> Result<CommitCertificate, String> {
        let set = self.valset(cert.height.0);
        let mut signed: Vec<(usize, [u8; 64])> = Vec::new();
        for s in &cert.commit_signatures {
            let i = set
                .index_of(&s.address)
                .ok_or_else(|| format!("certificate signer {} not in the set", s.address))?;
            signed.push((i, s.signature.0));
        }
        signed.sort_by_key(|(i, _)| *i);
        signed.dedup_by_key(|(i, _)| *i);
        let mut bitmap = vec![0u8; set.validators.len().div_ceil(8)];
        let mut signatures = Vec::with_capacity(signed.len() * 64);
        for (i, sig) in signed {
            bitmap[i / 8] |= 1 << (i % 8);
            signatures.extend_from_slice(&sig);
        }
        while bitmap.last() == Some(&0) {
            bitmap.pop();
        }
        Ok(CommitCertificate {
            height: cert.height.0,
            round: cert.round.as_u32().unwrap_or(0),
            block_hash: cert.value_id.0.to_vec(),
            signers: bitmap,
            signatures,
        })
    }

    /// Commit a decided block. Returns false when we do not hold it.
    fn commit(&mut self, cert: &EngineCert<Yz>) -> Result<(), String> {
        let height = cert.height.0;
        let id = cert.value_id.digest();
        let lcert = self.to_ledger_cert(cert)?;
        let Some(c) = self.candidates.remove(&(height, id)) else {
            return Err(format!(
                "decided block {id} at height {height} is unknown here"
            ));
        };
        let header = c.prepared.block.header.clone().unwrap_or_default();
        let suite = self.shared.chain.params().suite;
        let set = self.shared.chain.head().validators_at(height).clone();
        TrustedValidators::new(suite, set)
            .and_then(|t| t.verify_commit(&header, &lcert))
            .map_err(|e| format!("engine certificate does not verify: {e}"))?;
        let first = c.prepared.block.state.as_ref().map_or(0, |s| s.log_size)
            - c.prepared.record_ids.len() as u64;
        let ids = c.prepared.record_ids.clone();
        self.shared
            .chain
            .commit(c.prepared, lcert)
            .map_err(|e| e.to_string())?;
        self.shared.pool().remove(ids.iter().copied());
        self.candidates.retain(|(h, _), _| *h > height);
        self.ours.retain(|(h, _), _| *h > height);
        info!(height, records = ids.len(), block = %id, "committed");
        let _ = self
            .shared
            .events
            .send(Event::Committed(Arc::new(CommittedBlock {
                height,
                first_log_index: first,
                record_ids: ids,
            })));
        Ok(())
    }

    /// Whether a part is signed by the proposer of its (height, round) in the
    /// validator set for that height (threat model A2).
    fn authentic(&self, p: &ProposalPart) -> bool {
        let set = self.valset(p.height.0);
        if set.validators.is_empty() {
            return false;
        }
        let expected = &set.validators[proposer_index(set.validators.len(), p.height.0, p.round)];
        expected.address == p.proposer && self.verifier.check_part(p, &expected.public_key)
    }

    /// Check the block in a proposal part for the next height.
    async fn received_part(&mut self, p: ProposalPart) -> Option<ProposedValue<Yz>> {
        let block = match ProposedBlock::decode(p.block.as_slice()) {
            Ok(b) => b,
            Err(e) => {
                warn!(%e, "undecodable proposal part");
                return None;
            }
        };
        let id = ledger_id(self.shared.chain.params().suite, &block);
        if !self.checked.admit(p.height.0, p.round.as_i64(), id) {
            warn!(height = %p.height, round = %p.round, "a second block for one round, or too many for the height: ignored");
            return None;
        }
        let validity = if self.candidates.contains_key(&(p.height.0, id)) {
            Validity::Valid
        } else {
            match self.check(block, true, p.proposer).await {
                Ok(_) => Validity::Valid,
                Err(e) => {
                    warn!(height = %p.height, round = %p.round, %e, "invalid proposal");
                    Validity::Invalid
                }
            }
        };
        if let Some(c) = self.candidates.get_mut(&(p.height.0, id)) {
            c.round = p.round;
            c.valid_round = p.pol_round;
        }
        Some(ProposedValue {
            height: p.height,
            round: p.round,
            valid_round: p.pol_round,
            proposer: p.proposer,
            value: BlockId(id.0),
            validity,
        })
    }

    fn decided_value(&self, height: u64) -> Result<Option<RawDecidedValue<Yz>>, String> {
        let Some(b) = self.shared.chain.block(height).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let header = b.header.clone().unwrap_or_default();
        let mut records = Vec::with_capacity(header.record_count as usize);
        for i in 0..u64::from(header.record_count) {
            let r = self
                .shared
                .chain
                .record_at(b.first_log_index + i)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("record {} missing", b.first_log_index + i))?;
            records.push(r);
        }
        let cert = b.certificate.clone().unwrap_or_default();
        let set = self.valset(height);
        let mut sigs = Vec::new();
        let mut chunks = cert.signatures.chunks_exact(64);
        for (i, v) in set.validators.iter().enumerate() {
            if cert
                .signers
                .get(i / 8)
                .is_some_and(|b| b >> (i % 8) & 1 == 1)
            {
                let s = chunks.next().ok_or("certificate shorter than its bitmap")?;
                let mut a = [0u8; 64];
                a.copy_from_slice(s);
                sigs.push(ExtendedCommitSignature::new(
                    v.address,
                    RawSignature(a),
                    None,
                ));
            }
        }
        let id: [u8; 32] = cert
            .block_hash
            .as_slice()
            .try_into()
            .map_err(|_| format!("stored certificate of block {height} has no block hash"))?;
        let block = ProposedBlock {
            header: Some(header),
            state: b.state,
            records,
        };
        Ok(Some(RawDecidedValue::new(
            Bytes::from(block.encode_to_vec()),
            ExtendedCommitCertificate {
                height: Height(height),
                round: Round::new(cert.round),
                value_id: BlockId(id),
                commit_signatures: sigs,
            },
        )))
    }
}

/// Signs our proposal parts and checks others' (threat model A2).
pub struct PartSigning {
    /// Our consensus key's signer.
    pub signer: Arc<ConsensusSigner>,
    /// The verifier of the proposers' signatures.
    pub verifier: Arc<ConsensusVerifier>,
    /// Deliberate misbehaviour (fault tests only).
    pub faults: crate::config::Faults,
}

/// Run the consensus loop until the engine stops.
pub async fn run(
    shared: Arc<Shared>,
    mut channels: Channels<Yz>,
    address: Address,
    timing: Timing,
    parts: PartSigning,
) -> eyre::Result<()> {
    let PartSigning {
        signer,
        verifier,
        faults,
    } = parts;
    let mut app = App {
        shared,
        address,
        timing,
        candidates: HashMap::new(),
        ours: HashMap::new(),
        early: EarlyParts::default(),
        checked: CheckedParts::default(),
        round: Round::Nil,
        signer,
        verifier,
        faults,
    };
    while let Some(msg) = channels.consensus.recv().await {
        match msg {
            AppMsg::ConsensusReady { reply } => {
                let h = app.shared.chain.height() + 1;
                info!(height = h, "consensus ready");
                let _ = reply.send((Height(h), app.height_params(h)));
            }
            AppMsg::StartedRound {
                height,
                round,
                reply_value,
                ..
            } => {
                debug!(%height, %round, "round started");
                app.round = round;
                app.checked.forget_below(height.0);
                let early = app.early.take(height.0);
                for p in early {
                    let _ = app.received_part(p).await;
                }
                let values = app
                    .candidates
                    .iter()
                    .filter(|((h, _), c)| *h == height.0 && c.round == round)
                    .map(|((h, id), c)| ProposedValue {
                        height: Height(*h),
                        round,
                        valid_round: c.valid_round,
                        proposer: c.proposer,
                        value: BlockId(id.0),
                        validity: Validity::Valid,
                    })
                    .collect();
                let _ = reply_value.send(values);
            }
            AppMsg::GetValue {
                height,
                round,
                reply,
                ..
            } => match app.build(height.0, round).await {
                Ok(id) => {
                    let _ = reply.send(LocallyProposedValue::new(height, round, BlockId(id.0)));
                    if let Some(c) = app.candidates.get(&(height.0, id)) {
                        let block = c.prepared.block.clone();
                        app.publish(&channels, height.0, round, Round::Nil, &block)
                            .await;
                    }
                }
                Err(e) => error!(%height, %e, "could not build a block"),
            },
            AppMsg::ExtendVote { reply, .. } => {
                let _ = reply.send(None);
            }
            AppMsg::VerifyVoteExtensions {
                extensions, reply, ..
            } => {
                let _ = reply.send(extensions.into_iter().map(|(a, _)| (a, Ok(()))).collect());
            }
            AppMsg::RestreamProposal {
                height,
                round,
                valid_round,
                value_id,
                ..
            } => {
                if let Some(c) = app.candidates.get(&(height.0, value_id.digest())) {
                    let block = c.prepared.block.clone();
                    let r = if valid_round == Round::Nil {
                        round
                    } else {
                        valid_round
                    };
                    app.publish(&channels, height.0, r, valid_round, &block)
                        .await;
                }
            }
            AppMsg::GetHistoryMinHeight { reply } => {
                let min = if app.shared.chain.height() == 0 { 0 } else { 1 };
                let _ = reply.send(Height(min));
            }
            AppMsg::ReceivedProposalPart { part, reply, .. } => {
                let StreamContent::Data(p) = part.content else {
                    let _ = reply.send(None);
                    continue;
                };
                let next = app.shared.chain.height() + 1;
                let h = p.height.0;
                // Cheapest checks first: the height and round window, then
                // the proposer's signature, and only then the block.
                let round_base = if h > next { 0 } else { app.round.as_i64() };
                let in_window = h >= next
                    && h <= next + MAX_HEIGHTS_AHEAD
                    && p.round.as_i64() <= round_base + MAX_ROUNDS_AHEAD;
                let answer = if !in_window || !app.checked.may_authenticate(h, p.round.as_i64()) {
                    None
                } else if !app.authentic(&p) {
                    warn!(height = h, round = %p.round, "proposal part not signed by the round's proposer: dropped");
                    None
                } else if h > next {
                    // It extends a block we have not committed yet: keep it
                    // (within bounds) for when its height starts (StartedRound).
                    app.early.offer(next, p);
                    None
                } else {
                    app.received_part(p).await
                };
                let _ = reply.send(answer);
            }
            AppMsg::Decided { reply, .. } => {
                let _ = reply.send(());
            }
            AppMsg::Finalized {
                certificate, reply, ..
            } => {
                let h = certificate.height.0;
                let next = match app.commit(&certificate) {
                    Ok(()) => Next::Start(Height(h + 1), app.height_params(h + 1)),
                    Err(e) => {
                        error!(height = h, %e, "could not commit the decided block; restarting the height");
                        Next::Restart(Height(h), app.height_params(h))
                    }
                };
                let _ = reply.send(next);
            }
            AppMsg::GetDecidedValues { range, reply } => {
                let mut out = Vec::new();
                for h in range.start().0..=range.end().0 {
                    match app.decided_value(h) {
                        Ok(Some(v)) => out.push(v),
                        Ok(None) => break,
                        Err(e) => {
                            error!(height = h, %e, "cannot serve a decided block");
                            break;
                        }
                    }
                }
                let _ = reply.send(out);
            }
            AppMsg::ProcessSyncedValue {
                height,
                round,
                proposer,
                value_bytes,
                reply,
            } => {
                let outcome = match ProposedBlock::decode(value_bytes.as_ref()) {
                    Err(_) => SyncedValueOutcome::PeerFault,
                    Ok(block) => match app.check(block, false, proposer).await {
                        Ok(id) => {
                            if let Some(c) = app.candidates.get_mut(&(height.0, id)) {
                                c.round = round;
                            }
                            SyncedValueOutcome::Verdict(ProposedValue {
                                height,
                                round,
                                valid_round: Round::Nil,
                                proposer,
                                value: BlockId(id.0),
                                validity: Validity::Valid,
                            })
                        }
                        Err(e) => {
                            warn!(%height, %e, "synced block does not validate");
                            SyncedValueOutcome::PeerFault
                        }
                    },
                };
                let _ = reply.send(outcome);
            }
        }
    }
    Ok(())
}

/// The id of a proposed block (its header hash), or zero when it has none.
fn ledger_id(suite: yinzheng_crypto::Suite, block: &ProposedBlock) -> Digest {
    block
        .header
        .as_ref()
        .and_then(|h| yinzheng_ledger::block_hash(suite, h).ok())
        .unwrap_or(Digest([0; 32]))
}
