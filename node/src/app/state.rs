//! The consensus loop's state and what it does with blocks: build ours,
//! check others', commit decided ones.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use malachitebft_app_channel::app::types::ProposedValue;
use malachitebft_app_channel::app::types::core::{
    CommitCertificate as EngineCert, HeightParams, Round, Validity, VoteExtensionPolicy,
};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use prost::Message;
use tracing::{info, warn};
use yinzheng_crypto::Digest;
use yinzheng_ledger::{MAX_BLOCK_RECORDS, Outcome};

use super::liveness::{Heard, silent_after};
use super::{AppError, CommittedBlock, Event, PartSigning, Shared, Timing, certificate, now_ms};
use crate::chain::Prepared;
use crate::consensus::signing::{ConsensusSigner, ConsensusVerifier};
use crate::consensus::timeouts::{MARKED_ROUNDS, RoundTimeouts};
use crate::consensus::{Address, BlockId, ProposalPart, ValidatorSet, Yz, proposer_index};
use crate::cpu::Timer;
use crate::parts::{CheckedParts, EarlyParts};
use crate::proto::ProposedBlock;

pub(super) struct Candidate {
    pub(super) prepared: Prepared,
    pub(super) round: Round,
    pub(super) valid_round: Round,
    pub(super) proposer: Address,
}

/// The consensus loop's own state.
pub(super) struct App {
    pub(super) shared: Arc<Shared>,
    pub(super) address: Address,
    pub(super) timing: Timing,
    /// Executed blocks awaiting a decision, by height and id.
    pub(super) candidates: HashMap<(u64, Digest), Candidate>,
    /// Our own proposal per (height, round).
    pub(super) ours: HashMap<(u64, i64), Digest>,
    /// Proposal parts for heights after the next one to commit: they are
    /// checked (against the state they extend) when their height starts.
    pub(super) early: EarlyParts,
    /// Which parts of the current heights were validated (bounded).
    pub(super) checked: CheckedParts,
    /// The round consensus is in.
    pub(super) round: Round,
    /// The height being decided and when its first round started.
    pub(super) height_started: Option<(u64, std::time::Instant)>,
    /// Signs our proposal parts.
    pub(super) signer: Option<Arc<ConsensusSigner>>,
    /// Checks the proposer's signature on received parts.
    pub(super) verifier: Arc<ConsensusVerifier>,
    /// Deliberate misbehaviour (fault tests only).
    pub(super) faults: crate::config::Faults,
    /// When each validator was last heard from.
    pub(super) heard: Arc<Heard>,
}

impl App {
    pub(super) fn new(
        shared: Arc<Shared>,
        address: Address,
        timing: Timing,
        parts: PartSigning,
        heard: Arc<Heard>,
    ) -> App {
        let PartSigning {
            signer,
            verifier,
            faults,
        } = parts;
        App {
            shared,
            address,
            timing,
            candidates: HashMap::new(),
            ours: HashMap::new(),
            early: EarlyParts::default(),
            checked: CheckedParts::default(),
            round: Round::Nil,
            height_started: None,
            signer,
            verifier,
            faults,
            heard,
        }
    }

    pub(super) fn valset(&self, height: u64) -> ValidatorSet {
        let head = self.shared.chain.head();
        ValidatorSet::from_ledger(
            self.shared.chain.params().suite,
            head.history.set_at(height),
        )
    }

    pub(super) fn height_params(&self, height: u64) -> HeightParams<Yz> {
        let validator_set = self.valset(height);
        let silent_rounds = self.silent_rounds(&validator_set, height);
        let timeouts = RoundTimeouts::new(self.timing.propose_timeout, silent_rounds);
        HeightParams {
            validator_set,
            timeouts,
            target_time: Some(self.timing.block_interval),
            vote_extension_policy: VoteExtensionPolicy::Disabled,
        }
    }

    /// The rounds of `height` (bit `r` for round `r`) whose proposer we
    /// have not heard from lately (`consensus::timeouts`); the count of
    /// such validators goes to the metrics.
    fn silent_rounds(&self, set: &ValidatorSet, height: u64) -> u64 {
        let now = Instant::now();
        let after = silent_after(self.timing.propose_timeout);
        // Each validator asked once; the rounds repeat them in turn.
        let silent: Vec<bool> = (set.validators.iter())
            .map(|v| v.address != self.address && self.heard.silent(&v.address, now, after))
            .collect();
        let count = silent.iter().filter(|s| **s).count();
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        if self.shared.metrics.silent_validators.set(count) != count {
            let quiet: Vec<String> = (set.validators.iter().zip(&silent))
                .filter(|(_, s)| **s)
                .map(|(v, _)| v.address.to_string())
                .collect();
            info!(height, silent = ?quiet, "validators unheard lately: their turns time out quickly");
        }
        let n = silent.len();
        if n == 0 {
            return 0;
        }
        (0..MARKED_ROUNDS)
            .filter(|&r| silent[proposer_index(n, height, Round::new(r))])
            .fold(0, |bits, r| bits | 1 << r)
    }

    /// Build our block for (height, round) from the mempool.
    pub(super) async fn build(&mut self, height: u64, round: Round) -> Result<Digest, AppError> {
        if let Some(id) = self.ours.get(&(height, round.as_i64())) {
            return Ok(*id);
        }
        let shared = self.shared.clone();
        let address = self.address;
        let (prepared, refused) = tokio::task::spawn_blocking(move || {
            let (set, last_time) = {
                let head = shared.chain.head();
                let set = head.history.set_at(height);
                (
                    ValidatorSet::from_ledger(shared.chain.params().suite, set),
                    head.tip.last_time_ms,
                )
            };
            let proposer = set.index_of(&address).unwrap_or(0);
            let time = now_ms().max(last_time + 1);
            let candidates = shared.pool().take(MAX_BLOCK_RECORDS);
            let started = Timer::start();
            let (prepared, outcomes) =
                shared
                    .chain
                    .prepare(&candidates, time, u32::try_from(proposer).unwrap_or(0))?;
            shared.metrics.executed("build", candidates.len(), started);
            let mut refused = Vec::new();
            for (r, o) in candidates.iter().zip(outcomes) {
                if let Outcome::Rejected(rej) = o {
                    refused.push((r.id(), rej));
                }
            }
            Ok::<_, AppError>((prepared, refused))
        })
        .await??;
        if !refused.is_empty() {
            crate::admission::forget(&self.shared, refused.iter().map(|(id, _)| *id));
            for (id, rej) in refused {
                warn!(record = %id, %rej, "record refused at execution");
                self.shared.metrics.refuse("execution", rej.code.as_str());
                let _ = self.shared.events.send(Event::Refused(id, rej));
            }
        }
        let id = prepared.id;
        info!(height, round = %round, records = prepared.record_ids().len(), block = %id, "proposing");
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
    pub(super) async fn check(
        &mut self,
        block: ProposedBlock,
        live: bool,
        proposer: Address,
    ) -> Result<Digest, AppError> {
        let shared = self.shared.clone();
        let skew = self.timing.max_skew_ms;
        let height = block.header.as_ref().map_or(0, |h| h.height);
        let set = self.valset(height);
        let claimed = block.header.as_ref().map_or(u32::MAX, |h| h.proposer);
        if set.index_of(&proposer).and_then(|i| u32::try_from(i).ok()) != Some(claimed) {
            return Err(AppError::WrongProposer { claimed });
        }
        let prepared = tokio::task::spawn_blocking(move || {
            let now = live.then(now_ms);
            let known = |bytes: &[u8]| shared.pool().get_by_bytes(bytes);
            let started = Timer::start();
            let checked = shared.chain.validate(&block, now, skew, &known);
            shared
                .metrics
                .executed("check", block.records.len(), started);
            checked
        })
        .await??;
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

    /// Commit a decided block (which we must hold), after checking the
    /// engine's certificate as the ledger would.
    pub(super) fn commit(&mut self, cert: &EngineCert<Yz>) -> Result<(), AppError> {
        let height = cert.height.0;
        let id = cert.value_id.digest();
        let lcert = certificate::to_ledger(&self.valset(height), cert)?;
        let Some(c) = self.candidates.remove(&(height, id)) else {
            return Err(AppError::UnknownDecided { height, id });
        };
        let header = c.prepared.block.header.clone().unwrap_or_default();
        let set = self.shared.chain.head().trusted_at(height).clone();
        set.verify_commit(&header, &lcert)?;
        let first = c.prepared.first_log_index;
        let ids: Vec<Digest> = c.prepared.record_ids().collect();
        let started = Timer::start();
        self.shared.chain.commit(c.prepared, lcert)?;
        self.shared.metrics.wrote(started);
        let held = crate::admission::forget(&self.shared, ids.iter().copied());
        let m = &self.shared.metrics;
        m.height.set(i64::try_from(height).unwrap_or(i64::MAX));
        m.blocks.inc();
        m.committed.inc_by(ids.len() as u64);
        for r in held {
            m.record_seconds.observe(r.admitted.elapsed().as_secs_f64());
        }
        if let Some((h, started)) = self.height_started
            && h == height
        {
            m.block_seconds.observe(started.elapsed().as_secs_f64());
        }
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
    pub(super) fn authentic(&self, p: &ProposalPart) -> bool {
        let set = self.valset(p.height.0);
        if set.validators.is_empty() {
            return false;
        }
        let expected = &set.validators[proposer_index(set.validators.len(), p.height.0, p.round)];
        expected.address == p.proposer && self.verifier.check_part(p, &expected.public_key)
    }

    /// Check the block in a proposal part for the next height.
    pub(super) async fn received_part(&mut self, p: ProposalPart) -> Option<ProposedValue<Yz>> {
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

    pub(super) fn decided_value(
        &self,
        height: u64,
    ) -> Result<Option<RawDecidedValue<Yz>>, AppError> {
        let chain = &self.shared.chain;
        let Some(b) = chain.block(height)? else {
            return Ok(None);
        };
        let records = chain.block_records(&b)?;
        Ok(Some(certificate::decided_value(
            &self.valset(height),
            b,
            records,
        )?))
    }
}

/// The id of a proposed block (its header hash), or zero when it has none.
fn ledger_id(suite: yinzheng_crypto::Suite, block: &ProposedBlock) -> Digest {
    block
        .header
        .as_ref()
        .and_then(|h| yinzheng_ledger::block_hash(suite, h).ok())
        .unwrap_or(Digest([0; 32]))
}
