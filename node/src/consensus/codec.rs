//! The wire and write-ahead-log codec: borsh for every engine message.
//! Two engine types have no borsh form in the pinned engine version (the
//! validator proof and the extended commit certificate inside sync
//! responses); they are mapped to local mirrors here. Decoding refuses
//! trailing bytes and oversize input.

use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use malachitebft_app_channel::app::types::core::{
    ExtendedCommitCertificate, ExtendedCommitSignature, PolkaCertificate, Round, ValidatorProof,
};
use malachitebft_app_channel::app::types::streaming::StreamMessage;
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_app_channel::app::types::{ProposedValue, SignedConsensusMsg};
use malachitebft_codec::{Codec, HasEncodedLen};
use malachitebft_core_consensus::LivenessMsg;
use malachitebft_sync::ValueResponse;

use super::{Address, BlockId, Height, ProposalPart, RawSignature, Yz};

/// Largest message the codec decodes (a proposal part carries a whole block).
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Borsh codec for all consensus, sync and WAL messages.
#[derive(Clone, Copy, Debug, Default)]
pub struct BorshCodec;

/// A message that could not be decoded or encoded.
#[derive(Debug, thiserror::Error)]
#[error("codec: {0}")]
pub struct CodecError(String);

fn from_bytes<T: BorshDeserialize>(bytes: &[u8]) -> Result<T, CodecError> {
    if bytes.len() > MAX_MESSAGE {
        return Err(CodecError(format!("message of {} bytes", bytes.len())));
    }
    borsh::from_slice(bytes).map_err(|e| CodecError(e.to_string()))
}

fn to_bytes<T: BorshSerialize>(msg: &T) -> Result<Bytes, CodecError> {
    borsh::to_vec(msg)
        .map(Bytes::from)
        .map_err(|e| CodecError(e.to_string()))
}

macro_rules! borsh_codec {
    ($($t:ty),* $(,)?) => {$(
        impl Codec<$t> for BorshCodec {
            type Error = CodecError;
            fn decode(&self, bytes: Bytes) -> Result<$t, CodecError> {
                from_bytes(&bytes)
            }
            fn encode(&self, msg: &$t) -> Result<Bytes, CodecError> {
                to_bytes(msg)
            }
        }
    )*};
}

borsh_codec!(
    ProposalPart,
    SignedConsensusMsg<Yz>,
    LivenessMsg<Yz>,
    StreamMessage<ProposalPart>,
    Status<Yz>,
    Request<Yz>,
    ProposedValue<Yz>,
    PolkaCertificate<Yz>,
);

/// Mirror of the engine's validator proof.
#[derive(BorshSerialize, BorshDeserialize)]
struct WireProof {
    public_key: Vec<u8>,
    peer_id: Vec<u8>,
    signature: RawSignature,
}

impl Codec<ValidatorProof<Yz>> for BorshCodec {
    type Error = CodecError;
    fn decode(&self, bytes: Bytes) -> Result<ValidatorProof<Yz>, CodecError> {
        let w: WireProof = from_bytes(&bytes)?;
        Ok(ValidatorProof::new(w.public_key, w.peer_id, w.signature))
    }
    fn encode(&self, msg: &ValidatorProof<Yz>) -> Result<Bytes, CodecError> {
        to_bytes(&WireProof {
            public_key: msg.public_key.clone(),
            peer_id: msg.peer_id.clone(),
            signature: msg.signature.clone(),
        })
    }
}

/// Mirror of a decided value in a sync response (vote extensions are
/// disabled on this chain, so none are carried).
#[derive(BorshSerialize, BorshDeserialize)]
struct WireDecided {
    value_bytes: Vec<u8>,
    height: Height,
    round: Round,
    value_id: BlockId,
    signatures: Vec<(Address, RawSignature)>,
}

#[derive(BorshSerialize, BorshDeserialize)]
struct WireResponse {
    start_height: Height,
    values: Vec<WireDecided>,
}

fn wire_response(r: &Response<Yz>) -> WireResponse {
    let Response::ValueResponse(v) = r;
    WireResponse {
        start_height: v.start_height,
        values: v
            .values
            .iter()
            .map(|d| WireDecided {
                value_bytes: d.value_bytes.to_vec(),
                height: d.certificate.height,
                round: d.certificate.round,
                value_id: d.certificate.value_id,
                signatures: d
                    .certificate
                    .commit_signatures
                    .iter()
                    .map(|s| (s.address, s.signature.clone()))
                    .collect(),
            })
            .collect(),
    }
}

impl Codec<Response<Yz>> for BorshCodec {
    type Error = CodecError;
    fn decode(&self, bytes: Bytes) -> Result<Response<Yz>, CodecError> {
        let w: WireResponse = from_bytes(&bytes)?;
        let values = w
            .values
            .into_iter()
            .map(|d| {
                RawDecidedValue::new(
                    Bytes::from(d.value_bytes),
                    ExtendedCommitCertificate {
                        height: d.height,
                        round: d.round,
                        value_id: d.value_id,
                        commit_signatures: d
                            .signatures
                            .into_iter()
                            .map(|(a, s)| ExtendedCommitSignature::new(a, s, None))
                            .collect(),
                    },
                )
            })
            .collect();
        Ok(Response::ValueResponse(ValueResponse::new(
            w.start_height,
            values,
        )))
    }
    fn encode(&self, msg: &Response<Yz>) -> Result<Bytes, CodecError> {
        to_bytes(&wire_response(msg))
    }
}

impl HasEncodedLen<Response<Yz>> for BorshCodec {
    fn encoded_len(&self, msg: &Response<Yz>) -> Result<usize, CodecError> {
        borsh::object_length(&wire_response(msg)).map_err(|e| CodecError(e.to_string()))
    }
}
