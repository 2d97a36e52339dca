//! The consensus engine's value types for Yinzheng: heights, validator
//! addresses, block ids, votes, proposals and proposal parts.
//!
//! Votes and proposals are plain data; what a validator signs for each is in
//! [`super::signing`]. Every type is borsh-encoded on the wire and in the
//! engine's write-ahead log ([`super::codec`]).

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use malachitebft_core_types::{self as mc, NilOrVal, Round, SignedExtension, VoteType};
use yinzheng_crypto::{Digest, Suite};

use super::Yz;

/// A block height (the first block is 1).
#[derive(
    Copy,
    Clone,
    Default,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    BorshSerialize,
    BorshDeserialize,
)]
pub struct Height(pub u64);

impl fmt::Display for Height {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl mc::Height for Height {
    const ZERO: Self = Height(0);
    const INITIAL: Self = Height(1);

    fn increment_by(&self, n: u64) -> Self {
        Height(self.0.saturating_add(n))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.checked_sub(n).map(Height)
    }

    fn as_u64(&self) -> u64 {
        self.0
    }
}

/// A validator's address: the first 20 bytes of the hash of its public key.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Address(pub [u8; 20]);

impl Address {
    /// The address of a consensus public key.
    pub fn of_key(suite: Suite, public_key: &[u8]) -> Address {
        let d = suite.hash(public_key);
        let mut a = [0u8; 20];
        a.copy_from_slice(&d.0[..20]);
        Address(a)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

impl mc::Address for Address {}

/// What consensus decides: the hash of a block header (`ledger::block_hash`).
/// The block itself travels as a proposal part and is kept by the application.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct BlockId(pub [u8; 32]);

impl BlockId {
    /// As a ledger digest.
    pub fn digest(&self) -> Digest {
        Digest(self.0)
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlockId({self})")
    }
}

impl mc::Value for BlockId {
    type Id = BlockId;

    fn id(&self) -> BlockId {
        *self
    }
}

/// A prevote or precommit.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Vote {
    /// Prevote or precommit.
    pub typ: VoteKind,
    /// Height voted on.
    pub height: Height,
    /// Round voted in.
    pub round: Round,
    /// The block voted for, or nil.
    pub value: NilOrVal<BlockId>,
    /// The voter.
    pub validator: Address,
}

/// Borsh-encodable mirror of the engine's vote type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum VoteKind {
    /// First vote of a round.
    Prevote,
    /// Second vote; a quorum of these commits a block.
    Precommit,
}

impl mc::Vote<Yz> for Vote {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &NilOrVal<BlockId> {
        &self.value
    }

    fn take_value(self) -> NilOrVal<BlockId> {
        self.value
    }

    fn vote_type(&self) -> VoteType {
        match self.typ {
            VoteKind::Prevote => VoteType::Prevote,
            VoteKind::Precommit => VoteType::Precommit,
        }
    }

    fn validator_address(&self) -> &Address {
        &self.validator
    }

    fn extension(&self) -> Option<&SignedExtension<Yz>> {
        None
    }

    fn take_extension(&mut self) -> Option<SignedExtension<Yz>> {
        None
    }

    fn extend(self, _extension: SignedExtension<Yz>) -> Self {
        // Vote extensions are disabled for this chain.
        self
    }
}

/// A signed-by-the-proposer announcement of the block it proposes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Proposal {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The proposed block's id.
    pub value: BlockId,
    /// Proof-of-lock round, or nil.
    pub pol_round: Round,
    /// The proposer.
    pub proposer: Address,
}

impl mc::Proposal<Yz> for Proposal {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &BlockId {
        &self.value
    }

    fn take_value(self) -> BlockId {
        self.value
    }

    fn pol_round(&self) -> Round {
        self.pol_round
    }

    fn validator_address(&self) -> &Address {
        &self.proposer
    }
}

/// One streamed piece of a proposal. A block travels whole in one part
/// (bounded by the block size limit), so every part is first and last.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ProposalPart {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Proof-of-lock round of the proposal, or nil.
    pub pol_round: Round,
    /// Proposer's address.
    pub proposer: Address,
    /// The encoded block (`proto::node::ProposedBlock`).
    pub block: Vec<u8>,
    /// The proposer's signature over [`super::signing::part_bytes`]: a part is taken
    /// only from the round's proposer, whoever relays it (threat model A2).
    pub signature: RawSignature,
}

impl mc::ProposalPart<Yz> for ProposalPart {
    fn is_first(&self) -> bool {
        true
    }

    fn is_last(&self) -> bool {
        true
    }
}

/// A consensus validator: address, public key, power.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Validator {
    /// Address derived from the key.
    pub address: Address,
    /// Public key bytes as in the ledger's validator set.
    pub public_key: PublicKey,
    /// Voting power.
    pub power: u64,
}

impl mc::Validator<Yz> for Validator {
    fn address(&self) -> &Address {
        &self.address
    }

    fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    fn voting_power(&self) -> u64 {
        self.power
    }
}

/// The validators of a height, in the ledger's order (certificate bitmaps
/// index into this order).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ValidatorSet {
    /// In ledger order.
    pub validators: Vec<Validator>,
}

impl ValidatorSet {
    /// From the ledger's validator set.
    pub fn from_ledger(suite: Suite, set: &yinzheng_ledger::proto::ValidatorSet) -> ValidatorSet {
        ValidatorSet {
            validators: set
                .validators
                .iter()
                .map(|v| Validator {
                    address: Address::of_key(suite, &v.public_key),
                    public_key: PublicKey(v.public_key.clone()),
                    power: v.power,
                })
                .collect(),
        }
    }

    /// Index of a validator in ledger order.
    pub fn index_of(&self, address: &Address) -> Option<usize> {
        self.validators.iter().position(|v| &v.address == address)
    }
}

impl mc::ValidatorSet<Yz> for ValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }

    fn total_voting_power(&self) -> u64 {
        self.validators.iter().map(|v| v.power).sum()
    }

    fn get_by_address(&self, address: &Address) -> Option<&Validator> {
        self.validators.iter().find(|v| &v.address == address)
    }

    fn get_by_index(&self, index: usize) -> Option<&Validator> {
        self.validators.get(index)
    }
}

/// A consensus public key (SEC1 SM2 point, or Ed25519 bytes for the
/// international suite).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct PublicKey(pub Vec<u8>);

/// A raw 64-byte consensus signature.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct RawSignature(pub [u8; 64]);
