//! Streaming our proposal parts (and, in fault tests only, junk ones).

use bytes::Bytes;
use malachitebft_app_channel::app::types::core::Round;
use malachitebft_app_channel::app::types::streaming::{StreamId, StreamMessage};
use malachitebft_app_channel::{Channels, NetworkMsg};
use malachitebft_engine::util::streaming::StreamContent;
use prost::Message;
use tracing::error;

use super::state::App;
use crate::consensus::{Height, ProposalPart, RawSignature, Yz};
use crate::proto::ProposedBlock;

fn stream_id(height: u64, round: Round) -> StreamId {
    let mut b = height.to_be_bytes().to_vec();
    b.extend_from_slice(&round.as_i64().to_be_bytes());
    StreamId::new(Bytes::from(b))
}

impl App {
    pub(super) async fn publish(
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
        let Some(signer) = &self.signer else {
            error!("asked to propose, but an observer has no consensus key");
            return;
        };
        match signer.sign_part(&part) {
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
            if let Some(Ok(s)) = self.signer.as_ref().map(|k| k.sign_part(&part)) {
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
}
