//! One handler per engine message.

use malachitebft_app_channel::app::engine::host::{Next, SyncedValueOutcome};
use malachitebft_app_channel::app::types::core::{Round, Validity};
use malachitebft_app_channel::app::types::streaming::StreamMessage;
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_app_channel::app::types::{LocallyProposedValue, ProposedValue};
use malachitebft_app_channel::{AppMsg, Channels};
use malachitebft_engine::util::streaming::StreamContent;
use prost::Message;
use tracing::{debug, error, info, warn};

use super::state::App;
use crate::consensus::{Address, BlockId, Height, ProposalPart, Yz};
use crate::parts::{MAX_HEIGHTS_AHEAD, MAX_ROUNDS_AHEAD};
use crate::proto::ProposedBlock;

/// Answer one engine message.
pub(super) async fn handle(app: &mut App, channels: &Channels<Yz>, msg: AppMsg<Yz>) {
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
            let values = started_round(app, height, round).await;
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
                    app.publish(channels, height.0, round, Round::Nil, &block)
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
                app.publish(channels, height.0, r, valid_round, &block)
                    .await;
            }
        }
        AppMsg::GetHistoryMinHeight { reply } => {
            let min = if app.shared.chain.height() == 0 { 0 } else { 1 };
            let _ = reply.send(Height(min));
        }
        AppMsg::ReceivedProposalPart { part, reply, .. } => {
            let answer = proposal_part(app, part).await;
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
                Err(e @ super::AppError::UnknownDecided { .. }) => {
                    // After a restart the engine can decide a height before
                    // this node holds its block; sync brings it in seconds.
                    warn!(height = h, %e, "decided block not held yet (catching up); restarting the height");
                    Next::Restart(Height(h), app.height_params(h))
                }
                Err(e) => {
                    error!(height = h, %e, "could not commit the decided block; restarting the height");
                    Next::Restart(Height(h), app.height_params(h))
                }
            };
            let _ = reply.send(next);
        }
        AppMsg::GetDecidedValues { range, reply } => {
            let _ = reply.send(decided_values(app, range.start().0, range.end().0));
        }
        AppMsg::ProcessSyncedValue {
            height,
            round,
            proposer,
            value_bytes,
            reply,
        } => {
            let outcome = synced_value(app, height, round, proposer, &value_bytes).await;
            let _ = reply.send(outcome);
        }
    }
}

/// A round started: check the parts kept for this height, and offer the
/// blocks already known for the round.
async fn started_round(app: &mut App, height: Height, round: Round) -> Vec<ProposedValue<Yz>> {
    debug!(%height, %round, "round started");
    app.round = round;
    app.shared.metrics.round.set(round.as_i64());
    if app.height_started.map(|(h, _)| h) != Some(height.0) {
        app.height_started = Some((height.0, std::time::Instant::now()));
    }
    app.checked.forget_below(height.0);
    for p in app.early.take(height.0) {
        let _ = app.received_part(p).await;
    }
    app.candidates
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
        .collect()
}

/// A proposal part from the network. Cheapest checks first: the height and
/// round window, then the proposer's signature, and only then the block.
async fn proposal_part(
    app: &mut App,
    part: StreamMessage<ProposalPart>,
) -> Option<ProposedValue<Yz>> {
    let StreamContent::Data(p) = part.content else {
        return None;
    };
    let next = app.shared.chain.height() + 1;
    let h = p.height.0;
    let round_base = if h > next { 0 } else { app.round.as_i64() };
    let in_window = h >= next
        && h <= next + MAX_HEIGHTS_AHEAD
        && p.round.as_i64() <= round_base + MAX_ROUNDS_AHEAD;
    if !in_window || !app.checked.may_authenticate(h, p.round.as_i64()) {
        None
    } else if !app.authentic(&p) {
        warn!(height = h, round = %p.round, "proposal part not signed by the round's proposer: dropped");
        None
    } else if h > next {
        // It extends a block we have not committed yet: keep it (within
        // bounds) for when its height starts (StartedRound).
        app.early.offer(next, p);
        None
    } else {
        app.received_part(p).await
    }
}

/// Committed blocks for a syncing peer, up to the first we lack.
fn decided_values(app: &App, from: u64, to: u64) -> Vec<RawDecidedValue<Yz>> {
    let mut out = Vec::new();
    for h in from..=to {
        match app.decided_value(h) {
            Ok(Some(v)) => out.push(v),
            Ok(None) => break,
            Err(e) => {
                error!(height = h, %e, "cannot serve a decided block");
                break;
            }
        }
    }
    out
}

/// A decided block from a peer's sync: checked like a proposal, without
/// the clock check.
async fn synced_value(
    app: &mut App,
    height: Height,
    round: Round,
    proposer: Address,
    bytes: &[u8],
) -> SyncedValueOutcome<Yz> {
    let Ok(block) = ProposedBlock::decode(bytes) else {
        return SyncedValueOutcome::PeerFault;
    };
    match app.check(block, false, proposer).await {
        Ok(id) => {
            app.shared.metrics.synced.inc();
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
    }
}
