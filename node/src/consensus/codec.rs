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

/// Decode `bytes` as every message type the engine hands this codec (what a
/// peer can send, and what the write-ahead log holds). Errors are fine;
/// panics are not. Shared by the tests below and the fuzz target.
pub fn decode_all(bytes: &[u8]) -> usize {
    let c = BorshCodec;
    let b = Bytes::copy_from_slice(bytes);
    let mut ok = 0;
    macro_rules! try_decode {
        ($($t:ty),*) => {$(
            ok += usize::from(Codec::<$t>::decode(&c, b.clone()).is_ok());
        )*};
    }
    try_decode!(
        ProposalPart,
        SignedConsensusMsg<Yz>,
        LivenessMsg<Yz>,
        StreamMessage<ProposalPart>,
        Status<Yz>,
        Request<Yz>,
        ProposedValue<Yz>,
        PolkaCertificate<Yz>,
        ValidatorProof<Yz>,
        Response<Yz>
    );
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n as u64).unwrap_or(0)
        }
        fn byte(&mut self) -> u8 {
            self.next().to_be_bytes()[0]
        }
    }

    /// Random bytes, and valid encodings with bytes flipped, cut, inserted
    /// and length prefixes inflated: no input makes the codec panic or
    /// allocate without bound (threat model: the consensus wire codec).
    #[test]
    fn arbitrary_and_mutated_wire_bytes_never_panic() {
        let part = ProposalPart {
            height: Height(7),
            round: Round::new(1),
            pol_round: Round::Nil,
            proposer: Address([3; 20]),
            block: vec![9; 300],
            signature: RawSignature([5; 64]),
        };
        let valid: Vec<Vec<u8>> = vec![
            Codec::<ProposalPart>::encode(&BorshCodec, &part)
                .unwrap()
                .to_vec(),
            Codec::<StreamMessage<ProposalPart>>::encode(
                &BorshCodec,
                &StreamMessage::new(
                    malachitebft_app_channel::app::types::streaming::StreamId::new(
                        Bytes::from_static(b"id"),
                    ),
                    0,
                    malachitebft_engine::util::streaming::StreamContent::Data(part.clone()),
                ),
            )
            .unwrap()
            .to_vec(),
        ];
        assert!(decode_all(&valid[0]) >= 1);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..20_000 {
            let mut b = if i % 2 == 0 {
                let len = rng.below(512);
                (0..len).map(|_| rng.byte()).collect()
            } else {
                valid[rng.below(valid.len())].clone()
            };
            for _ in 0..1 + rng.below(4) {
                if b.is_empty() {
                    break;
                }
                let at = rng.below(b.len());
                match rng.below(4) {
                    0 => b[at] ^= 1 << rng.below(8),
                    1 => b.truncate(at),
                    2 => b.insert(at, rng.byte()),
                    // A length prefix claiming a huge size.
                    _ => {
                        for (k, x) in [0xff, 0xff, 0xff, 0x7f].iter().enumerate() {
                            if at + k < b.len() {
                                b[at + k] = *x;
                            }
                        }
                    }
                }
            }
            decode_all(&b);
        }
        // Oversize input is refused before decoding.
        assert_eq!(decode_all(&vec![0u8; MAX_MESSAGE + 1]), 0);
    }
}
