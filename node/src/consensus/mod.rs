//! Our `Context` for the Malachite consensus engine: the types consensus
//! runs on, SM2 signatures through `yinzheng-crypto`, and the wire codec.

pub mod codec;
pub mod signing;
pub mod timeouts;
pub mod types;

use malachitebft_core_types::{self as mc, NilOrVal, Round};

pub use types::{
    Address, BlockId, Height, Proposal, ProposalPart, PublicKey, RawSignature, Validator,
    ValidatorSet, Vote, VoteKind,
};

/// The index of the proposer of (`height`, `round`) in a set of `n`:
/// round-robin in ledger order, shifted by height.
pub fn proposer_index(n: usize, height: u64, round: Round) -> usize {
    let n = n.max(1) as u64;
    let r = u64::from(round.as_u32().unwrap_or(0));
    let i = (height.wrapping_sub(1).wrapping_add(r)) % n;
    usize::try_from(i).unwrap_or(0)
}

/// The consensus context: Yinzheng blocks decided by SM2-signing validators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Yz;

/// The signing scheme: 64-byte raw signatures over our own signing bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsensusScheme;

impl mc::SigningScheme for ConsensusScheme {
    type DecodingError = String;
    type Signature = RawSignature;
    type PublicKey = PublicKey;
    type PrivateKey = ();

    fn decode_signature(bytes: &[u8]) -> Result<RawSignature, String> {
        let a: [u8; 64] = bytes
            .try_into()
            .map_err(|_| format!("signature must be 64 bytes, got {}", bytes.len()))?;
        Ok(RawSignature(a))
    }

    fn encode_signature(signature: &RawSignature) -> Vec<u8> {
        signature.0.to_vec()
    }

    fn decode_public_key(bytes: &[u8]) -> Result<PublicKey, String> {
        if bytes.is_empty() || bytes.len() > 65 {
            return Err(format!("public key of {} bytes", bytes.len()));
        }
        Ok(PublicKey(bytes.to_vec()))
    }

    fn encode_public_key(public_key: &PublicKey) -> Vec<u8> {
        public_key.0.clone()
    }
}

impl mc::Context for Yz {
    type Address = Address;
    type Height = Height;
    type ProposalPart = ProposalPart;
    type Proposal = Proposal;
    type Validator = Validator;
    type ValidatorSet = ValidatorSet;
    type Timeouts = timeouts::RoundTimeouts;
    type Value = BlockId;
    type Vote = Vote;
    type Extension = ();
    type SigningScheme = ConsensusScheme;

    /// Round-robin over the set in ledger order, shifted by height, so each
    /// validator proposes in turn and a dead one costs one round per turn.
    fn select_proposer<'a>(
        &self,
        validator_set: &'a ValidatorSet,
        height: Height,
        round: Round,
    ) -> &'a Validator {
        let i = proposer_index(validator_set.validators.len(), height.0, round);
        // The engine never runs a height with an empty set.
        &validator_set.validators[i]
    }

    fn new_proposal(
        &self,
        height: Height,
        round: Round,
        value: BlockId,
        pol_round: Round,
        address: Address,
    ) -> Proposal {
        Proposal {
            height,
            round,
            value,
            pol_round,
            proposer: address,
        }
    }

    fn new_prevote(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<BlockId>,
        address: Address,
    ) -> Vote {
        Vote {
            typ: VoteKind::Prevote,
            height,
            round,
            value: value_id,
            validator: address,
        }
    }

    fn new_precommit(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<BlockId>,
        address: Address,
    ) -> Vote {
        Vote {
            typ: VoteKind::Precommit,
            height,
            round,
            value: value_id,
            validator: address,
        }
    }
}
